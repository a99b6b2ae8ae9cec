package link_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"salesdesk/internal/lead"
	"salesdesk/internal/link"
	"salesdesk/internal/store"
)

const base = "https://desk.example.com"

var now = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// call is one decision the handler applied.
type call struct {
	kind   string // "triage" or "lead"
	id     int64
	what   string // category or action
	by     string
	repID  int64
	status int
}

// recorder stands in for intake and lead: it records calls and answers
// with err.
type recorder struct {
	mu    sync.Mutex
	calls []call
	err   error
}

func (r *recorder) triage(_ context.Context, id int64, category, by string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{kind: "triage", id: id, what: category, by: by})
	return r.err
}

func (r *recorder) lead(_ context.Context, id int64, action string, repID int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{kind: "lead", id: id, what: action, repID: repID})
	return r.err
}

func (r *recorder) got() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

type fixture struct {
	h      http.Handler
	signer *link.Signer
	rec    *recorder
	log    *bytes.Buffer
	clock  *time.Time
}

func setup(t *testing.T) fixture {
	t.Helper()
	s, err := link.New([]byte("one-click test secret, long enough"))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	var logs bytes.Buffer
	clock := now
	h := link.NewHandler(link.HandlerOptions{
		Signer: s,
		Triage: rec.triage,
		Lead:   rec.lead,
		Now:    func() time.Time { return clock },
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	return fixture{h: h, signer: s, rec: rec, log: &logs, clock: &clock}
}

// triageURL is the path and query of a triage link as the triage mail
// has it.
func (f fixture) triageURL(id int64, category string) string {
	return strings.TrimPrefix(f.signer.TriageURL(base, id, category, now.Add(72*time.Hour)), base)
}

// leadURL is the path and query of a lead link as the lead mail has it.
func (f fixture) leadURL(id int64, action string, repID int64) string {
	return strings.TrimPrefix(f.signer.LeadURL(base, action, id, repID, now.Add(72*time.Hour)), base)
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func get(h http.Handler, target string) *httptest.ResponseRecorder {
	return serve(h, httptest.NewRequest(http.MethodGet, target, nil))
}

func post(h http.Handler, target string, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return serve(h, r)
}

var (
	formRE  = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	inputRE = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// confirmForm reads the form of a confirmation page as a browser would
// submit it.
func confirmForm(t *testing.T, body string) (action string, form url.Values) {
	t.Helper()
	m := formRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("confirmation page has no POST form:\n%s", body)
	}
	form = url.Values{}
	for _, in := range inputRE.FindAllStringSubmatch(body, -1) {
		form.Add(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	return html.UnescapeString(m[1]), form
}

func TestConfirmThenApply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		target     func(fixture) string
		wantButton string
		wantCall   call
		wantDone   string
	}{
		{name: "triage", target: func(f fixture) string { return f.triageURL(12, "billing") },
			wantButton: "File as billing", wantCall: call{kind: "triage", id: 12, what: "billing", by: "link"},
			wantDone: "Done: inquiry #12 filed as billing."},
		{name: "triage two-word category", target: func(f fixture) string { return f.triageURL(7, "order_status") },
			wantButton: "File as order status", wantCall: call{kind: "triage", id: 7, what: "order_status", by: "link"},
			wantDone: "Done: inquiry #7 filed as order status."},
		{name: "lead accept", target: func(f fixture) string { return f.leadURL(31, lead.ActionAccept, 4) },
			wantButton: "Accept lead", wantCall: call{kind: "lead", id: 31, what: "accept", repID: 4},
			wantDone: "Done: lead L-31 is yours."},
		{name: "lead contacted", target: func(f fixture) string { return f.leadURL(31, lead.ActionContacted, 4) },
			wantButton: "Mark contacted", wantCall: call{kind: "lead", id: 31, what: "contacted", repID: 4},
			wantDone: "Done: lead L-31 marked contacted."},
		{name: "lead not mine", target: func(f fixture) string { return f.leadURL(31, lead.ActionNotMine, 4) },
			wantButton: "Not mine, pass it on", wantCall: call{kind: "lead", id: 31, what: "not_mine", repID: 4},
			wantDone: "Done: lead L-31 passed on."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			target := tt.target(f)

			// Following the link, as people and mail scanners do, decides
			// nothing, however often it happens.
			var w *httptest.ResponseRecorder
			for range 3 {
				w = get(f.h, target)
				if w.Code != http.StatusOK {
					t.Fatalf("GET %s = %d, want 200:\n%s", target, w.Code, w.Body)
				}
			}
			if w := serve(f.h, httptest.NewRequest(http.MethodHead, target, nil)); w.Code != http.StatusOK {
				t.Errorf("HEAD = %d, want 200", w.Code)
			}
			if got := f.rec.got(); len(got) != 0 {
				t.Fatalf("GET and HEAD applied %v; they must only confirm", got)
			}
			body := w.Body.String()
			if !strings.Contains(body, "<button type=\"submit\">"+tt.wantButton+"</button>") {
				t.Errorf("confirmation page lacks the %q button:\n%s", tt.wantButton, body)
			}
			if strings.Contains(body, "<script") {
				t.Errorf("confirmation page has a script")
			}
			for h, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
				"Content-Type": "text/html; charset=utf-8"} {
				if got := w.Header().Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}

			// The button posts the link back; that applies it, once per post.
			action, form := confirmForm(t, body)
			if u, _ := url.Parse(target); action != u.Path {
				t.Errorf("form action = %q, want the link's path %q", action, u.Path)
			}
			w = post(f.h, action, form)
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), tt.wantDone) {
				t.Fatalf("POST = %d, want 200 with %q:\n%s", w.Code, tt.wantDone, w.Body)
			}
			if got := f.rec.got(); len(got) != 1 || got[0] != tt.wantCall {
				t.Fatalf("calls after one POST = %v, want [%v]", got, tt.wantCall)
			}
			if w := post(f.h, action, form); w.Code != http.StatusOK {
				t.Fatalf("second POST = %d, want 200", w.Code)
			}
			if got := f.rec.got(); len(got) != 2 {
				t.Fatalf("calls after two POSTs = %d, want 2 (one per request; the decision itself is idempotent)", len(got))
			}

			// The link's own query string works as the POST too.
			if w := post(f.h, target, nil); w.Code != http.StatusOK {
				t.Errorf("POST to the link itself = %d, want 200", w.Code)
			}
		})
	}
}

// tamper returns target with its path or query changed by edit.
func tamper(t *testing.T, target string, edit func(u *url.URL, q url.Values)) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	edit(u, q)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

func TestRefusedLinks(t *testing.T) {
	t.Parallel()
	f := setup(t)
	triage := f.triageURL(12, "billing")
	leadLink := f.leadURL(31, lead.ActionContacted, 4)
	setPath := func(p string) func(*url.URL, url.Values) { return func(u *url.URL, _ url.Values) { u.Path = p } }
	set := func(k, v string) func(*url.URL, url.Values) { return func(_ *url.URL, q url.Values) { q.Set(k, v) } }
	del := func(k string) func(*url.URL, url.Values) { return func(_ *url.URL, q url.Values) { q.Del(k) } }
	flip := func(_ *url.URL, q url.Values) {
		b := []byte(q.Get("sig"))
		b[3] ^= 1
		q.Set("sig", string(b))
	}
	extend := func(_ *url.URL, q url.Values) { q.Set("exp", fmt.Sprint(now.Add(365*24*time.Hour).Unix())) }

	tests := []struct {
		name       string
		target     string
		wantStatus int
		wantText   string
	}{
		{"triage flipped sig", tamper(t, triage, flip), 403, "This link is not valid"},
		{"triage no sig", tamper(t, triage, del("sig")), 403, "not valid"},
		{"triage hostile sig", tamper(t, triage, set("sig", `"><script>alert(1)</script>`)), 403, "not valid"},
		{"triage extended exp", tamper(t, triage, extend), 403, "not valid"},
		{"triage malformed exp", tamper(t, triage, set("exp", "soon")), 403, "not valid"},
		{"triage other inquiry", tamper(t, triage, setPath("/triage/13/billing")), 403, "not valid"},
		{"triage other category", tamper(t, triage, setPath("/triage/12/support")), 403, "not valid"},
		{"triage category respelled", tamper(t, triage, setPath("/triage/12/Billing")), 403, "not valid"},
		{"triage unknown category", tamper(t, triage, setPath("/triage/12/lottery")), 404, "Not found"},
		{"triage id not a number", tamper(t, triage, setPath("/triage/twelve/billing")), 404, "Not found"},
		{"triage id with leading zero", tamper(t, triage, setPath("/triage/012/billing")), 404, "Not found"},
		{"triage id negative", tamper(t, triage, setPath("/triage/-12/billing")), 404, "Not found"},
		{"triage extra segment", tamper(t, triage, setPath("/triage/12/billing/now")), 404, "Not found"},
		{"lead flipped sig", tamper(t, leadLink, flip), 403, "not valid"},
		{"lead other rep", tamper(t, leadLink, set("rep", "5")), 403, "not valid"},
		{"lead no rep", tamper(t, leadLink, del("rep")), 403, "not valid"},
		{"lead extended exp", tamper(t, leadLink, extend), 403, "not valid"},
		{"lead other lead", tamper(t, leadLink, setPath("/leads/32/contacted")), 403, "not valid"},
		{"lead other action", tamper(t, leadLink, setPath("/leads/31/accept")), 403, "not valid"},
		{"lead unknown action", tamper(t, leadLink, setPath("/leads/31/delete")), 404, "Not found"},
		{"lead triage signature", "/leads/12/contacted?" + mustQuery(t, triage), 403, "not valid"},
		{"nothing here", "/triage/", 404, "Not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, send := range []func() *httptest.ResponseRecorder{
				func() *httptest.ResponseRecorder { return get(f.h, tt.target) },
				func() *httptest.ResponseRecorder { return post(f.h, tt.target, nil) },
			} {
				w := send()
				if w.Code != tt.wantStatus || !strings.Contains(w.Body.String(), tt.wantText) {
					t.Errorf("%s = %d, want %d with %q:\n%s", tt.target, w.Code, tt.wantStatus, tt.wantText, w.Body)
				}
				if strings.Contains(w.Body.String(), "<script") || strings.Contains(w.Body.String(), "<form") {
					t.Errorf("refusal page has a form or reflects a script:\n%s", w.Body)
				}
			}
		})
	}
	if got := f.rec.got(); len(got) != 0 {
		t.Fatalf("refused links applied %v", got)
	}
}

func mustQuery(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	return u.RawQuery
}

func TestExpiredLinks(t *testing.T) {
	t.Parallel()
	f := setup(t)
	triage := f.triageURL(12, "billing")
	leadLink := f.leadURL(31, lead.ActionAccept, 4)
	// A page opened just in time, posted after expiry, is refused too.
	w := get(f.h, triage)
	_, form := confirmForm(t, w.Body.String())
	*f.clock = now.Add(72 * time.Hour)

	for _, tt := range []struct {
		name     string
		send     func() *httptest.ResponseRecorder
		wantHint string
	}{
		{"triage GET", func() *httptest.ResponseRecorder { return get(f.h, triage) }, "still needs a category"},
		{"triage POST of an earlier page", func() *httptest.ResponseRecorder { return post(f.h, "/triage/12/billing", form) }, "still needs a category"},
		{"lead GET", func() *httptest.ResponseRecorder { return get(f.h, leadLink) }, "latest lead mail"},
		{"lead POST", func() *httptest.ResponseRecorder { return post(f.h, leadLink, nil) }, "latest lead mail"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.send()
			if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "This link has expired") ||
				!strings.Contains(w.Body.String(), tt.wantHint) {
				t.Errorf("= %d, want 410 saying the link expired and %q:\n%s", w.Code, tt.wantHint, w.Body)
			}
		})
	}
	if got := f.rec.got(); len(got) != 0 {
		t.Fatalf("expired links applied %v", got)
	}
}

func TestApplyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantText   string
		wantLogged bool
	}{
		{"not found", fmt.Errorf("load: %w", store.ErrNotFound), 404, "Not found", false},
		{"not yours", lead.ErrNotYours, 409, "This lead is no longer yours", false},
		{"unknown action", fmt.Errorf("%w %q", lead.ErrUnknownAction, "x"), 404, "Not found", false},
		{"database down", errors.New("dial tcp 10.0.0.5:5432: connection refused"), 500, "a problem on our side", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.rec.err = tt.err
			for _, target := range []string{f.triageURL(12, "billing"), f.leadURL(31, lead.ActionContacted, 4)} {
				w := post(f.h, target, nil)
				if w.Code != tt.wantStatus || !strings.Contains(w.Body.String(), tt.wantText) {
					t.Errorf("POST %s = %d, want %d with %q:\n%s", target, w.Code, tt.wantStatus, tt.wantText, w.Body)
				}
				if strings.Contains(w.Body.String(), "10.0.0.5") {
					t.Errorf("error page shows the internal error:\n%s", w.Body)
				}
			}
			if logged := strings.Contains(f.log.String(), "10.0.0.5"); logged != tt.wantLogged {
				t.Errorf("error logged = %t, want %t; log:\n%s", logged, tt.wantLogged, f.log)
			}
		})
	}
}

func TestOtherMethodsAreRefused(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		if w := serve(f.h, httptest.NewRequest(m, f.triageURL(12, "billing"), nil)); w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s = %d, want 405", m, w.Code)
		}
	}
	if got := f.rec.got(); len(got) != 0 {
		t.Fatalf("other methods applied %v", got)
	}
}

// Without a Lead (or Triage) func its routes do not exist.
func TestMissingFuncIsNotFound(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := link.NewHandler(link.HandlerOptions{Signer: f.signer, Triage: f.rec.triage, Now: func() time.Time { return now }})
	if w := post(h, f.leadURL(31, lead.ActionAccept, 4), nil); w.Code != http.StatusNotFound {
		t.Errorf("lead link without Options.Lead = %d, want 404", w.Code)
	}
	if w := post(h, f.triageURL(12, "billing"), nil); w.Code != http.StatusOK {
		t.Errorf("triage link = %d, want 200", w.Code)
	}
}
