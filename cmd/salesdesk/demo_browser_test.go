package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hibiken/asynq"

	"salesdesk/internal/admin"
	"salesdesk/internal/testenv"
)

// Screenshots of the browser test go to artifactsDir (gitignored). With
// SALESDESK_UPDATE_SCREENSHOTS=1 the two the README shows are also copied
// to docs/screenshots.
const (
	artifactsDir   = "../../artifacts/browser"
	screenshotsDir = "../../docs/screenshots"
)

// findChromium returns Debian's chromium (scripts/test installs it).
func findChromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium on PATH (apt-get install chromium)")
}

type queueRow struct {
	Queue     string
	Processed int
}

func TestDemoInBrowser(t *testing.T) {
	chromium, err := findChromium()
	if err != nil {
		testenv.Unavailable(t, "chromium", err)
	}
	run := startDemo(t, demoOptions{Rate: 20, Seed: 7})

	// Let the system work for a while: mail in, tasks done, mail out.
	insp := asynq.NewInspector(run.RedisOpt)
	t.Cleanup(func() { insp.Close() })
	waitUntil(t, 40*time.Second, "no task ran successfully", func() bool { return succeeded(t, insp) >= 10 })
	waitUntil(t, 40*time.Second, "no mail to a customer was sent", func() bool {
		for _, m := range capturedMail(run.SMTP) {
			if len(m.To) > 0 && kindOfTestRecipient(m.To[0]) == admin.KindCustomer {
				return true
			}
		}
		return false
	})

	seen := browse(t, chromium, run)

	if n, err := strconv.Atoi(seen.Counts["inquiries-today"]); err != nil || n == 0 {
		t.Errorf("home page shows %q inquiries today, want some", seen.Counts["inquiries-today"])
	}
	for _, want := range []string{"/monitoring/", admin.OutboxPath, "/api/v1/"} {
		if !strings.Contains(strings.Join(seen.Links, " "), want) {
			t.Errorf("home page links %v, want %s among them", seen.Links, want)
		}
	}
	total := 0
	for _, r := range seen.Queues {
		total += r.Processed
	}
	if len(seen.Queues) == 0 || total == 0 {
		t.Errorf("dashboard lists queues %+v; want queues with processed tasks", seen.Queues)
	}
	if !anyContains(seen.CustomerSubjects, "[SD-") {
		t.Errorf("outbox to customers holds %q; want an acknowledgement with a reference token", first(seen.CustomerSubjects, 5))
	}
	if n, _ := strconv.Atoi(seen.Tabs[admin.KindRep]); n == 0 {
		t.Errorf("outbox has no mail to reps (tabs %v); want hand-offs", seen.Tabs)
	}

	if os.Getenv("SALESDESK_UPDATE_SCREENSHOTS") == "1" {
		if err := os.MkdirAll(screenshotsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"home.png", "outbox.png"} {
			b, err := os.ReadFile(filepath.Join(artifactsDir, name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(screenshotsDir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// browserView is what the browser saw on the demo's pages.
type browserView struct {
	Counts           map[string]string // home page counts by element id
	Links            []string          // home page links
	Queues           []queueRow        // dashboard
	CustomerSubjects []string          // outbox, mails to customers
	Tabs             map[string]string // outbox tab counts by kind
}

// browse logs in to the running demo with chromium, opens the home page,
// the dashboard and the outbox, saves screenshots to artifactsDir and
// returns what the pages showed.
func browse(t *testing.T, chromium string, run demoRun) browserView {
	t.Helper()
	var seen browserView
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	ctx, cancelTimeout := context.WithTimeout(ctx, 45*time.Second)
	t.Cleanup(cancelTimeout)

	shot := func(name string, full bool) {
		t.Helper()
		a := chromedp.CaptureScreenshot()
		if full {
			a = chromedp.FullScreenshot(100)
		}
		png, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(artifactsDir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Log in through the form, as a person would.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(run.BaseURL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), run.Username),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), run.Password),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
		chromedp.WaitVisible(chromedp.CSS(`#inquiries-today`)),
	); err != nil {
		t.Fatalf("log in: %v", err)
	}

	// Home: the four live counts and the links.
	var err error
	seen.Counts, err = chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(
		["inquiries-today","leads-waiting","meetings-today","open-alerts"].map(id => [id, document.getElementById(id).innerText]))`))
	if err != nil {
		t.Fatal(err)
	}
	seen.Links, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("section.links a")).map(a => a.getAttribute("href"))`))
	if err != nil {
		t.Fatal(err)
	}
	shot("home.png", true)

	// Dashboard: every queue with its processed count.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(run.BaseURL+"/monitoring/"),
		chromedp.WaitVisible(chromedp.CSS(`table[aria-label="queues overview table"] tbody tr`)),
	); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	seen.Queues, err = chromedp.Run(ctx, chromedp.Evaluate[[]queueRow](`(() => {
		const table = document.querySelector('table[aria-label="queues overview table"]');
		const heads = Array.from(table.querySelectorAll("thead th")).map(th => th.innerText.trim());
		const col = heads.indexOf("Processed");
		return Array.from(table.querySelectorAll("tbody tr")).map(tr => ({
			Queue: tr.cells[0].innerText.trim(),
			Processed: parseInt(tr.cells[col].innerText.replace(/[^0-9]/g, ""), 10) || 0,
		}));
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dashboard queues: %+v", seen.Queues)
	shot("dashboard.png", false)

	// Outbox: acknowledgements to customers, hand-offs to reps.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(run.BaseURL+admin.OutboxPath+"?kind=customer"),
		chromedp.WaitVisible(chromedp.CSS(`.tabs`)),
	); err != nil {
		t.Fatalf("outbox: %v", err)
	}
	seen.CustomerSubjects, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("details.mail .subj")).map(e => e.innerText)`))
	if err != nil {
		t.Fatal(err)
	}
	shot("outbox.png", false)

	seen.Tabs, err = chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(
		Array.from(document.querySelectorAll(".tabs a")).map(a => [a.dataset.kind, a.querySelector(".count").innerText]))`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("outbox tabs: %v", seen.Tabs)

	return seen
}

// kindOfTestRecipient mirrors the demo world: our domain is staff, the
// rest are customers.
func kindOfTestRecipient(addr string) string {
	if strings.HasSuffix(strings.ToLower(addr), "@northwind.example") {
		return admin.KindRep
	}
	return admin.KindCustomer
}

func anyContains(list []string, s string) bool {
	for _, v := range list {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}

func first(list []string, n int) []string {
	if len(list) > n {
		return list[:n]
	}
	return list
}
