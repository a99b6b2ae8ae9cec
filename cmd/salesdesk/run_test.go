package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/crypto/bcrypt"

	"salesdesk/config"
	"salesdesk/internal/proc"
	"salesdesk/internal/storetest"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// testConfig is a valid configuration on the test Redis DB and a SQLite
// file, with an admin whose password is "admin-password".
func testConfig(t testing.TB, redisAddr string) config.Config {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte("admin-password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Log.Format = "text"
	cfg.Redis.Addr = redisAddr
	cfg.Redis.DB = testenv.RedisDBCmd
	cfg.Database.DSN = config.Secret(storetest.SQLiteDSN(t, "salesdesk.db"))
	cfg.Worker.ShutdownTimeout = 5 * time.Second
	cfg.Web.Listen = freeAddr(t)
	cfg.Web.Admin = config.WebUser{Username: "admin", PasswordHash: config.Secret(hash)}
	cfg.Web.LinkSecret = config.Secret(strings.Repeat("k", 40))
	cfg.SMTP.Addr = "127.0.0.1:1025"
	cfg.SMTP.From = "sales@example.com"
	cfg.Routing.TeamAddress = "team@example.com"
	cfg.Routing.TriageAddress = "triage@example.com"
	cfg.ApplyFallbacks()
	return cfg
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startApp runs the roles until the test ends and returns the web base URL.
func startApp(t testing.TB, cfg config.Config, roles ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	lw := &syncWriter{w: &logs}
	a, err := newApp(ctx, cfg, lw)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.run(ctx, roles...) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("roles did not stop within 20s")
		}
		a.close()
		if t.Failed() {
			lw.mu.Lock()
			t.Logf("log:\n%s", logs.String())
			lw.mu.Unlock()
		}
	})
	base := "http://" + cfg.Web.Listen
	// Start-up trains the classifier and migrates the database: under a
	// loaded -race run that takes seconds or tens of seconds. The wait ends
	// when the process answers or stops; the bound only catches a hang.
	waitFor(t, startupLimit, func() bool {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("roles stopped before /healthz answered: %v", err)
		default:
		}
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return base
}

// startupLimit bounds waits for something to start (a process, a Redis):
// long enough that a busy machine never hits it, short enough that a hang
// fails the test instead of the whole run's timeout.
const startupLimit = 3 * time.Minute

func waitFor(t testing.TB, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func status(t *testing.T, method, url, user, password string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestRunProcessesTaskAndGuardsDashboard(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBCmd)
	cfg := testConfig(t, testenv.RedisAddr())
	base := startApp(t, cfg, roleWeb, roleWorker, roleScheduler, rolePoller)

	if got := status(t, "GET", base+"/monitoring/", "", ""); got != http.StatusUnauthorized {
		t.Errorf("/monitoring/ without credentials: %d, want 401", got)
	}
	if got := status(t, "GET", base+"/monitoring/", "admin", "wrong-password"); got != http.StatusUnauthorized {
		t.Errorf("/monitoring/ with a wrong password: %d, want 401", got)
	}
	if got := status(t, "GET", base+"/monitoring/", "admin", "admin-password"); got != http.StatusOK {
		t.Errorf("/monitoring/ as admin: %d, want 200", got)
	}
	if got := status(t, "GET", base+"/readyz", "", ""); got != http.StatusOK {
		t.Errorf("/readyz: %d, want 200", got)
	}

	opt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBCmd}
	client := asynq.NewClient(opt)
	defer client.Close()
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	task, err := tasks.NewPingTask(tasks.PingPayload{ID: "run-test", SentAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	info, err := client.Enqueue(task)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, startupLimit, func() bool {
		ti, err := insp.GetTaskInfo(info.Queue, info.ID)
		return err == nil && ti.State == asynq.TaskStateCompleted
	})
}

// TestReadyzFollowsRedis runs the web role against a Redis of its own,
// stops that Redis and starts it again.
func TestReadyzFollowsRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		testenv.Unavailable(t, "redis-server binary", err)
	}
	redis, err := proc.StartRedis(t.Context(), t.TempDir(), proc.InMemory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(redis.Kill)
	addr := redis.Addr

	cfg := testConfig(t, addr)
	base := startApp(t, cfg, roleWeb)
	if got := status(t, "GET", base+"/readyz", "", ""); got != http.StatusOK {
		t.Fatalf("/readyz with Redis up: %d, want 200", got)
	}
	redis.Kill()
	waitFor(t, startupLimit, func() bool { return status(t, "GET", base+"/readyz", "", "") == http.StatusServiceUnavailable })
	if err := redis.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, startupLimit, func() bool { return status(t, "GET", base+"/readyz", "", "") == http.StatusOK })
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("redis:\n  adress: x\nsmtp:\n  from: sales@example.com\n"), 0o600)
	var out, errOut bytes.Buffer
	code := dispatch(context.Background(), []string{"config", "check", "-c", bad}, stdio{in: strings.NewReader(""), out: &out, err: &errOut})
	if code != 1 {
		t.Errorf("exit %d, want 1; output %q", code, out.String())
	}
	for _, want := range []string{"redis.adress", "smtp.addr: required"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestHashPassword(t *testing.T) {
	var out, errOut bytes.Buffer
	code := dispatch(context.Background(), []string{"hash-password"}, stdio{in: strings.NewReader("correct horse\n"), out: &out, err: &errOut})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if err := bcrypt.CompareHashAndPassword(bytes.TrimSpace(out.Bytes()), []byte("correct horse")); err != nil {
		t.Errorf("hash does not verify: %v", err)
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := dispatch(context.Background(), []string{"frobnicate"}, stdio{out: &out, err: &errOut}); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Errorf("stderr: %q", errOut.String())
	}
}

// syncWriter serialises writes from the roles' goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestExampleConfigBuildsEveryRole loads salesdesk.example.yaml with the
// secrets its header lists and builds every role from it, so the example
// can never drift into something `salesdesk run` refuses.
func TestExampleConfigBuildsEveryRole(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBCmd)
	hash, err := bcrypt.GenerateFromPassword([]byte("admin-password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{
		"SALESDESK_WEB_ADMIN_PASSWORD_HASH=" + string(hash),
		"SALESDESK_WEB_VIEWERS_0_PASSWORD_HASH=" + string(hash),
		"SALESDESK_WEB_API_TOKENS_0_TOKEN=" + strings.Repeat("t", 32),
		"SALESDESK_WEB_LINK_SECRET=" + strings.Repeat("s", 40),
		"SALESDESK_MAILBOXES_0_PASSWORD=imap-password",
		"SALESDESK_DATABASE_DSN=sqlite:" + filepath.Join(t.TempDir(), "example.db"),
		"SALESDESK_REDIS_ADDR=" + testenv.RedisAddr(),
		"SALESDESK_REDIS_DB=" + strconv.Itoa(testenv.RedisDBCmd),
	}
	cfg, err := config.LoadEnv(filepath.Join("..", "..", "salesdesk.example.yaml"), env)
	if err != nil {
		t.Fatalf("load example: %v", err)
	}
	if ps := cfg.Validate(); len(ps) > 0 {
		t.Fatalf("example does not validate: %v", ps)
	}
	ctx := context.Background()
	a, err := newApp(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	for _, r := range []string{rolePoller, roleWeb, roleWorker, roleScheduler} {
		if _, err := a.role(ctx, r); err != nil {
			t.Errorf("role %s: %v", r, err)
		}
	}
}
