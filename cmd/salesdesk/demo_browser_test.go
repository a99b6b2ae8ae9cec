package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
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
	"salesdesk/internal/demo"
	deskpages "salesdesk/internal/desk"
	"salesdesk/internal/mailparse"
	"salesdesk/internal/report"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// Screenshots of the browser test go to artifactsDir (gitignored). With
// SALESDESK_UPDATE_SCREENSHOTS=1 the demo runs a little longer first and
// the two screenshots the README shows are copied to screenshotsDir.
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

// sentKinds finds, among the captured mail, a lead assigned to a rep and
// an order-status reply to a customer, and returns their recipients.
func sentKinds(run demoRun) (leadRep, statusCustomer string, acks int) {
	for _, m := range capturedMail(run.SMTP) {
		if len(m.To) == 0 {
			continue
		}
		p, err := mailparse.Parse(m.Data, mailparse.Options{})
		if err != nil {
			continue
		}
		to := m.To[0]
		switch kind := demo.NewWorld(0, time.Time{}).RecipientKind(to); {
		case kind == admin.KindRep && strings.HasPrefix(p.Subject, "New lead "):
			leadRep = to
		case kind == admin.KindCustomer && strings.Contains(p.Text, "Here is the current status of your"):
			statusCustomer = to
		case kind == admin.KindCustomer && strings.Contains(p.Text, "We have received it"):
			acks++
		}
	}
	return leadRep, statusCustomer, acks
}

func TestDemoInBrowser(t *testing.T) {
	chromium, err := findChromium()
	if err != nil {
		testenv.Unavailable(t, "chromium", err)
	}
	run := startDemo(t, demoOptions{Rate: 20, Seed: 7})
	update := os.Getenv("SALESDESK_UPDATE_SCREENSHOTS") == "1"

	// Let the desk work: mail in, tasks done, acknowledgements, an
	// order-status reply and a lead mail out.
	insp := asynq.NewInspector(run.RedisOpt)
	t.Cleanup(func() { insp.Close() })
	waitUntil(t, startupLimit, "no task ran successfully", func() bool { return succeeded(t, insp) >= 10 })
	var leadRep, statusCustomer string
	waitUntil(t, startupLimit, "no acknowledgement, order-status reply and lead mail were all sent", func() bool {
		var acks int
		leadRep, statusCustomer, acks = sentKinds(run)
		return leadRep != "" && statusCustomer != "" && acks > 0
	})
	if update { // fuller pages for the README
		waitUntil(t, startupLimit, "fewer than 250 tasks ran", func() bool { return succeeded(t, insp) >= 250 })
	}

	seen := browse(t, chromium, run, leadRep, statusCustomer)

	if n, err := strconv.Atoi(seen.Counts["inquiries-today"]); err != nil || n == 0 {
		t.Errorf("home page shows %q inquiries today, want some", seen.Counts["inquiries-today"])
	}
	for _, want := range []string{"/monitoring/", admin.SentMailPath, deskpages.ReportsPath, "/api/v1/"} {
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
	if !anyContains(seen.CustomerBodies, "We have received it") {
		t.Errorf("sent mail to customers shows no acknowledgement among %d mails", len(seen.CustomerBodies))
	}
	if !anyContains(seen.StatusBodies, "Here is the current status of your") {
		t.Errorf("sent mail to %s shows no order-status reply among %d mails", statusCustomer, len(seen.StatusBodies))
	}
	if !anyHasPrefix(seen.LeadSubjects, "New lead ") {
		t.Errorf("sent mail to %s shows %q; want a lead mail", leadRep, first(seen.LeadSubjects, 5))
	}
	if n, err := strconv.Atoi(seen.ReportInquiries); err != nil || n == 0 {
		t.Errorf("report of the last 7 days shows %q inquiries, want some", seen.ReportInquiries)
	}
	checkSchedulers(t, seen)
	if n, _ := strconv.Atoi(seen.Tabs[admin.KindRep]); n == 0 {
		t.Errorf("sent mail has no mail to reps (tabs %v)", seen.Tabs)
	}

	if update {
		if err := os.MkdirAll(screenshotsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"home.png", "sent-mail.png"} {
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

// checkSchedulers asserts that the dashboard's Schedulers page, and the API
// behind it, list every periodic task with its next run.
func checkSchedulers(t *testing.T, seen browserView) {
	t.Helper()
	shown := map[string]string{}
	for _, r := range seen.Schedulers {
		shown[r.Type] = r.Next
	}
	api := map[string]string{}
	for _, e := range seen.SchedulerAPI.Entries {
		api[e.TaskType] = e.NextEnqueueAt
	}
	for _, typ := range tasks.PeriodicTypes() {
		if shown[typ] == "" {
			t.Errorf("Schedulers page lists %v; want %s with its next run", seen.Schedulers, typ)
		}
		if api[typ] == "" {
			t.Errorf("scheduler_entries API lists %+v; want %s with its next run", seen.SchedulerAPI.Entries, typ)
		}
	}
}

// schedulerRow is one row of the dashboard's Schedulers page.
type schedulerRow struct {
	Type string
	Next string
}

// schedulerEntries is the JSON of asynqmon's /api/scheduler_entries.
type schedulerEntries struct {
	Entries []struct {
		TaskType      string `json:"task_type"`
		NextEnqueueAt string `json:"next_enqueue_at"`
	} `json:"entries"`
}

type queueRow struct {
	Queue     string
	Processed int
}

// browserView is what the browser saw on the demo's pages.
type browserView struct {
	Counts         map[string]string // home page counts by element id
	Links          []string          // home page links
	Queues         []queueRow        // dashboard
	Tabs           map[string]string // sent-mail tab counts by kind
	CustomerBodies []string          // sent mail, mails to customers
	StatusBodies   []string          // sent mail, mails to the customer who got an order status
	LeadSubjects   []string          // sent mail, mails to the rep who got a lead
	// ReportInquiries is the inquiries KPI of the last-7-days report.
	ReportInquiries string
	Schedulers      []schedulerRow   // dashboard, Schedulers page
	SchedulerAPI    schedulerEntries // the API behind that page
}

// browse logs in to the running demo with chromium, opens the home page,
// the dashboard and the sent-mail page, saves screenshots to artifactsDir and
// returns what the pages showed.
func browse(t *testing.T, chromium string, run demoRun, leadRep, statusCustomer string) browserView {
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
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
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
	eval := func(what, js string) []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	open := func(path, selector string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(run.BaseURL+path), chromedp.WaitVisible(chromedp.CSS(selector))); err != nil {
			t.Fatalf("open %s: %v", path, err)
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
	seen.Links = eval("home links", `Array.from(document.querySelectorAll("section.links a")).map(a => a.getAttribute("href"))`)
	shot("home.png", true)

	// Dashboard: every queue with its processed count.
	open("/monitoring/", `table[aria-label="queues overview table"] tbody tr`)
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

	// Schedulers: asynq writes the entries with a scheduler's heartbeat
	// and the page polls for them, so wait until every periodic task shows.
	open("/monitoring/schedulers", `#root`)
	seen.Schedulers, err = chromedp.Run(ctx, chromedp.Poll[[]schedulerRow](fmt.Sprintf(`(() => {
		const table = document.querySelector('table[aria-label="scheduler entries table"]');
		if (!table) return null;
		const heads = Array.from(table.querySelectorAll("thead th")).map(th => th.innerText.trim());
		const type = heads.indexOf("Type"), next = heads.indexOf("Next Enqueue");
		const rows = Array.from(table.querySelectorAll("tbody tr")).map(tr => ({
			Type: tr.cells[type].innerText.trim(),
			Next: tr.cells[next].innerText.trim(),
		}));
		return new Set(rows.map(r => r.Type)).size >= %d ? rows : null;
	})()`, len(tasks.PeriodicTypes()))))
	if err != nil {
		t.Fatalf("schedulers page: %v", err)
	}
	t.Logf("schedulers page: %+v", seen.Schedulers)
	shot("schedulers.png", false)
	seen.SchedulerAPI, err = chromedp.Run(ctx, chromedp.Evaluate[schedulerEntries](
		`fetch("/monitoring/api/scheduler_entries").then(r => r.json())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("scheduler_entries API: %v", err)
	}

	// Sent mail: everything, newest first; then by recipient.
	const bodies = `Array.from(document.querySelectorAll("details.mail .body")).map(e => e.textContent)`
	const subjects = `Array.from(document.querySelectorAll("details.mail .subj")).map(e => e.textContent)`
	open(admin.SentMailPath, `.tabs`)
	seen.Tabs, err = chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(
		Array.from(document.querySelectorAll(".tabs a")).map(a => [a.dataset.kind, a.querySelector(".count").textContent]))`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sent mail tabs: %v", seen.Tabs)
	shot("sent-mail.png", false)
	open(admin.SentMailPath+"?kind=customer", `.tabs`)
	seen.CustomerBodies = eval("customer mail", bodies)
	open(admin.SentMailPath+"?kind=customer&to="+url.QueryEscape(statusCustomer), `.tabs`)
	seen.StatusBodies = eval("order-status mail", bodies)
	open(admin.SentMailPath+"?kind=rep&to="+url.QueryEscape(leadRep), `.tabs`)
	seen.LeadSubjects = eval("lead mail", subjects)
	shot("sent-mail-rep.png", false)

	// The KPI report of the last 7 days, with its charts.
	open(deskpages.ReportsPath+"/"+report.Last7Days, `#kpi-inquiries`)
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#kpi-inquiries .v").innerText`))
	if err != nil {
		t.Fatal(err)
	}
	seen.ReportInquiries = strings.TrimSpace(v)
	shot("report.png", true)
	return seen
}

func anyContains(list []string, s string) bool {
	for _, v := range list {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}

func anyHasPrefix(list []string, s string) bool {
	for _, v := range list {
		if strings.HasPrefix(strings.TrimSpace(v), s) {
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
