package admin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/store"
)

// clock is a settable clock shared by the store and the pages.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type fixture struct {
	st    *store.Store
	clock *clock
	ctx   context.Context
}

func setup(t *testing.T) fixture {
	t.Helper()
	c := &clock{t: time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)}
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "admin.db"), store.WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return fixture{st: st, clock: c, ctx: ctx}
}

func (f fixture) inquiry(t *testing.T, category, subject string) {
	t.Helper()
	if _, _, err := f.st.CreateInquiry(f.ctx, &store.Inquiry{ContactEmail: "ada@acme.example", Subject: subject, Category: category, Confidence: 0.9}); err != nil {
		t.Fatal(err)
	}
}

// seedDay writes yesterday's and today's rows (today is 4 March 2025 in
// UTC): what the home page counts and what it must leave out.
func seedDay(t *testing.T, f fixture) {
	t.Helper()
	f.clock.t = time.Date(2025, 3, 3, 22, 0, 0, 0, time.UTC) // yesterday
	f.inquiry(t, "quote_request", "old quote")
	if _, _, err := f.st.CreateAlert(f.ctx, &store.Alert{DedupeKey: "old", Kind: "bounce_rate", Subject: "closed alert"}); err != nil {
		t.Fatal(err)
	}
	alerts, _ := f.st.ListAlerts(f.ctx, store.AlertFilter{})
	if err := f.st.CloseAlert(f.ctx, alerts[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.st.CreateLead(f.ctx, &store.Lead{ContactEmail: "old@lead.example", Source: "email", Summary: "yesterday's lead"}); err != nil {
		t.Fatal(err)
	}

	f.clock.t = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC) // today
	for i := range 3 {
		f.inquiry(t, "order_status", fmt.Sprintf("Where is SO-%d?", 10040+i))
	}
	f.inquiry(t, "quote_request", "Quote for <b>helmets</b>")
	f.inquiry(t, "complaint", "Damaged goods")
	f.inquiry(t, "", "unclear")
	rep, err := f.st.CreateRep(f.ctx, &store.Rep{Email: "rep@northwind.example", Name: "Rep", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.st.CreateLead(f.ctx, &store.Lead{ContactEmail: "new@lead.example", Source: "email", Summary: "waiting"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.st.CreateLead(f.ctx, &store.Lead{ContactEmail: "taken@lead.example", Source: "email", RepID: rep}); err != nil {
		t.Fatal(err)
	}
	meetings := []struct {
		uid    string
		starts time.Time
		status string
	}{
		{"m1", time.Date(2025, 3, 4, 14, 0, 0, 0, time.UTC), store.MeetingConfirmed},
		{"m2", time.Date(2025, 3, 4, 23, 30, 0, 0, time.UTC), store.MeetingRequested},
		{"m3", time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC), store.MeetingCancelled},
		{"m4", time.Date(2025, 3, 5, 9, 0, 0, 0, time.UTC), store.MeetingConfirmed}, // tomorrow
	}
	for _, m := range meetings {
		if _, _, err := f.st.CreateMeeting(f.ctx, &store.Meeting{UID: m.uid, RepID: rep, CustomerEmail: "ada@acme.example",
			Title: "Call", Status: m.status, StartsAt: m.starts, EndsAt: m.starts.Add(30 * time.Minute), Timezone: "UTC"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"a", "b"} {
		if _, _, err := f.st.CreateAlert(f.ctx, &store.Alert{DedupeKey: k, Kind: "complaints", Severity: "warning", Subject: "Complaints from Acme " + k}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTodayCounts(t *testing.T) {
	f := setup(t)
	seedDay(t, f)
	c, err := Today(f.ctx, f.st, f.clock.t, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"order_status": 3, "quote_request": 1, "complaint": 1, "": 1}
	if fmt.Sprint(c.InquiriesToday) != fmt.Sprint(want) {
		t.Errorf("InquiriesToday = %v, want %v", c.InquiriesToday, want)
	}
	if c.LeadsWaiting != 2 || c.MeetingsToday != 2 || c.OpenAlerts != 2 {
		t.Errorf("leads waiting %d, meetings today %d, open alerts %d; want 2, 2, 2", c.LeadsWaiting, c.MeetingsToday, c.OpenAlerts)
	}

	// In Tokyo it is already evening of 4 March at 09:00 UTC, and
	// yesterday's 22:00 UTC inquiry is 07:00 today there.
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	c, err = Today(f.ctx, f.st, f.clock.t, tokyo)
	if err != nil {
		t.Fatal(err)
	}
	if c.InquiriesToday["quote_request"] != 2 {
		t.Errorf("quote requests today in Tokyo = %d, want 2", c.InquiriesToday["quote_request"])
	}
}

func get(t *testing.T, h http.Handler, path string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body), rec.Result().Header
}

func TestHomePage(t *testing.T) {
	f := setup(t)
	seedDay(t, f)
	p, err := New(Options{Store: f.st, Now: f.clock.now, ReportsURL: "/reports/"})
	if err != nil {
		t.Fatal(err)
	}
	code, body, h := get(t, p, "/")
	if code != http.StatusOK {
		t.Fatalf("GET / = %d\n%s", code, body)
	}
	for _, want := range []string{
		`<div class="n" id="inquiries-today">6</div>`,
		`<div class="n" id="leads-waiting">2</div>`,
		`<div class="n" id="meetings-today">2</div>`,
		`<div class="n" id="open-alerts">2</div>`,
		`data-category="order_status"><span>Order status</span>`,
		`<span class="num">3</span>`,
		`Quote for &lt;b&gt;helmets&lt;/b&gt;`,
		`Complaints from Acme b`,
		`href="/monitoring/"`, `href="/reports/"`, `href="/api/v1/"`,
		`Tuesday 4 March 2025`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	if strings.Contains(body, "/demo/mail") {
		t.Error("home page links to sent mail without it")
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("CSP = %q", h.Get("Content-Security-Policy"))
	}
	if code, _, _ := get(t, p, "/demo/mail"); code != http.StatusNotFound {
		t.Errorf("GET /demo/mail without sent mail = %d, want 404", code)
	}
	if code, _, _ := get(t, p, "/nothing"); code != http.StatusNotFound {
		t.Errorf("GET /nothing = %d, want 404", code)
	}
}

func TestNewNeedsAStore(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("New without a store succeeded")
	}
}
