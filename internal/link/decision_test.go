package link_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/link"
	"salesdesk/internal/store"
)

// setupDecisions returns the fixture and a handler whose triage links
// are single-use, decided in a real (SQLite) store st.
func setupDecisions(t *testing.T) (fixture, http.Handler, *store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "link.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := setup(t)
	h := link.NewHandler(link.HandlerOptions{Signer: f.signer, Triage: f.rec.triage, Decisions: st,
		Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})
	return f, h, st
}

// A triage mail carries one link per category; the first one used decides,
// and every other shows that decision without changing anything.
func TestTriageLinksAreSingleUse(t *testing.T) {
	t.Parallel()
	f, h, _ := setupDecisions(t)

	apply := func(category string) string {
		t.Helper()
		w := get(h, f.triageURL(5, category))
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", category, w.Code)
		}
		if !strings.Contains(w.Body.String(), `<form method="post"`) {
			return w.Body.String() // no form: already decided
		}
		action, form := confirmForm(t, w.Body.String())
		return post(h, action, form).Body.String()
	}
	if body := apply("order_status"); !strings.Contains(body, "Done: inquiry #5 filed as order status.") {
		t.Fatalf("first link: %s", body)
	}
	// The GET of another link shows the decision, with no form to post.
	body := apply("unsubscribe")
	for _, want := range []string{"Already decided", "filed as order status by link on Mon 10 Mar 2025 12:00 UTC"} {
		if !strings.Contains(body, want) {
			t.Errorf("second link page lacks %q:\n%s", want, body)
		}
	}
	// A POST of another link (a replayed form) is refused the same way.
	u := f.triageURL(5, "unsubscribe")
	path, query, _ := strings.Cut(u, "?")
	form, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	if body := post(h, path, form).Body.String(); !strings.Contains(body, "Already decided") {
		t.Errorf("replayed POST of another link: %s", body)
	}
	calls := f.rec.got()
	if len(calls) != 1 || calls[0].what != "order_status" {
		t.Fatalf("applied %+v, want only order_status", calls)
	}
	// The same decision again is harmless and applies idempotently (a
	// retry after a failure half-way).
	if body := apply("order_status"); !strings.Contains(body, "Done: inquiry #5 filed as order status.") {
		t.Errorf("same link again: %s", body)
	}
	// Another inquiry is its own decision.
	if body := apply2(t, h, f, 6, "billing"); !strings.Contains(body, "Done: inquiry #6 filed as billing.") {
		t.Errorf("other inquiry: %s", body)
	}
}

func apply2(t *testing.T, h http.Handler, f fixture, id int64, category string) string {
	t.Helper()
	action, form := confirmForm(t, get(h, f.triageURL(id, category)).Body.String())
	return post(h, action, form).Body.String()
}

// A first link whose apply failed filed nothing: it does not hold the
// inquiry, and another link of the mail then decides.
func TestFailedTriageLinkDoesNotHold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, h, st := setupDecisions(t)

	f.rec.err = errors.New("database is locked")
	action, form := confirmForm(t, get(h, f.triageURL(5, "billing")).Body.String())
	if w := post(h, action, form); w.Code != http.StatusInternalServerError {
		t.Fatalf("failed apply = %d, want 500:\n%s", w.Code, w.Body)
	}
	if d, err := st.LinkDecision(ctx, link.TriageAction, 5); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("decision after the failed apply = %+v, %v; want none", d, err)
	}
	f.rec.err = nil
	if body := apply2(t, h, f, 5, "support"); !strings.Contains(body, "Done: inquiry #5 filed as support.") {
		t.Fatalf("other link after the failure: %s", body)
	}
	if d, err := st.LinkDecision(ctx, link.TriageAction, 5); err != nil || d.Decision != "support" {
		t.Fatalf("decision = %+v, %v; want support", d, err)
	}
	// The successful decision holds as before.
	if body := get(h, f.triageURL(5, "billing")).Body.String(); !strings.Contains(body, "Already decided") {
		t.Errorf("link after the success: %s", body)
	}
	calls := f.rec.got()
	if len(calls) != 2 || calls[0].what != "billing" || calls[1].what != "support" {
		t.Fatalf("applied %+v, want billing (failed) then support", calls)
	}
}
