package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/admin"
	"salesdesk/internal/demo"
	"salesdesk/internal/testenv"
)

// startDemo runs the demo in process until the test ends and returns what
// it offers once the web role answers.
func startDemo(t *testing.T, o demoOptions) demoRun {
	t.Helper()
	if o.Listen == "" {
		o.Listen = freeAddr(t)
	}
	ready := make(chan demoRun, 1)
	o.ready = func(r demoRun) { ready <- r }
	ctx, cancel := context.WithCancel(context.Background())
	var out, errs bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- runDemo(ctx, o, stdio{in: strings.NewReader(""), out: &syncWriter{w: &out}, err: &syncWriter{w: &errs}})
	}()
	var run demoRun
	select {
	case run = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("demo ended before it was ready: %v\n%s", err, errs.String())
	case <-time.After(testenv.Patience(t)):
		cancel()
		t.Fatalf("demo not ready after %v", testenv.Patience(t))
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("demo: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("demo did not stop within 30s of cancel")
		}
		if _, err := os.Stat(run.Dir); !o.Keep && !os.IsNotExist(err) {
			t.Errorf("demo dir %s left behind (stat: %v)", run.Dir, err)
		}
		if t.Failed() {
			t.Logf("demo output:\n%s\ndemo log (tail):\n%s", out.String(), tail(errs.String(), 4000))
		}
	})
	return run
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// waitUntil polls cond every 100ms until it holds or timeout passes.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// succeeded is how many tasks of the queues ran without error today.
func succeeded(t *testing.T, insp *asynq.Inspector) int {
	t.Helper()
	qs, err := insp.Queues()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range qs {
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			t.Fatal(err)
		}
		n += info.Processed - info.Failed
	}
	return n
}

func TestDemoSmoke(t *testing.T) {
	run := startDemo(t, demoOptions{Rate: 20, Seed: 3})

	insp := asynq.NewInspector(run.RedisOpt)
	t.Cleanup(func() { insp.Close() })

	waitUntil(t, startupLimit, "the simulator appended no mail", func() bool { return run.IMAP.Appended() >= 10 })
	waitUntil(t, startupLimit, "no task ran successfully", func() bool { return succeeded(t, insp) >= 5 })
	waitUntil(t, startupLimit, "no acknowledgement was sent to a customer", func() bool {
		for _, m := range run.SMTP.Messages() {
			if len(m.To) > 0 && !strings.HasSuffix(m.To[0], "@"+demo.CompanyDomain) {
				return true
			}
		}
		return false
	})

	t.Logf("inbox %d mails, sent %d mails, %d tasks succeeded",
		run.IMAP.Appended(), len(run.SMTP.Messages()), succeeded(t, insp))

	// The pages are behind the login; the generated credentials open them.
	// Generous: under -race on a loaded machine bcrypt and the first page can take seconds.
	client := &http.Client{Timeout: startupLimit}
	for _, path := range []string{"/", admin.SentMailPath, "/monitoring/"} {
		resp, err := client.Get(run.BaseURL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without credentials = %d, want 401", path, resp.StatusCode)
		}
		req, _ := http.NewRequest(http.MethodGet, run.BaseURL+path, nil)
		req.SetBasicAuth(run.Username, run.Password)
		resp, err = client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s as admin = %d\n%s", path, resp.StatusCode, body)
		}
		if path == admin.SentMailPath && !strings.Contains(string(body), `<span class="tag customer">customer</span>`) {
			t.Errorf("sent mail shows no mail to a customer")
		}
	}
}

func TestDemoFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"zero rate", []string{"--rate", "0"}, 2, "--rate must be above zero"},
		{"stray argument", []string{"now"}, 2, `unexpected argument "now"`},
		{"unknown flag", []string{"--fast"}, 2, "flag provided but not defined: -fast"},
		{"help", []string{"-h"}, 0, "Runs every role against embedded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := dispatch(context.Background(), append([]string{"demo"}, tt.args...), stdio{out: &out, err: &errs})
			if code != tt.wantCode || !strings.Contains(errs.String(), tt.wantErr) {
				t.Errorf("demo %v = %d, %q; want %d and %q", tt.args, code, errs.String(), tt.wantCode, tt.wantErr)
			}
		})
	}
}

func TestDemoConfigIsValidAndSecret(t *testing.T) {
	dir := t.TempDir()
	inbox, err := demo.StartIMAP("sales", "imap-pass")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inbox.Close() })
	run := demoRun{BaseURL: "http://127.0.0.1:8080", Username: "admin", Password: randomPassword(), APIToken: randomHex(24), Dir: dir}
	world := demo.NewWorld(1, time.Now())
	cfg, err := demoConfig(demoOptions{Listen: "127.0.0.1:8080", LogLevel: "warn"}, run, "127.0.0.1:6390", inbox, "127.0.0.1:2525", world)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Leads.Reps) != len(world.Reps) || cfg.Mailboxes[0].Addr != inbox.Addr || cfg.SMTP.Addr != "127.0.0.1:2525" {
		t.Errorf("config does not point at the stand-ins: %+v", cfg)
	}
	if cfg.Web.Admin.PasswordHash.Reveal() == run.Password || strings.Contains(cfg.Web.Admin.PasswordHash.Reveal(), run.Password) {
		t.Error("the admin password is stored in the clear")
	}
	if a, b := randomPassword(), randomPassword(); a == b || len(a) != 19 {
		t.Errorf("randomPassword gave %q and %q", a, b)
	}
}
