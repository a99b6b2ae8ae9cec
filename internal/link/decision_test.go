package link_test

import (
	"context"
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

// A triage mail carries one link per category; the first one used decides,
// and every other shows that decision without changing anything.
func TestTriageLinksAreSingleUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "link.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := setup(t)
	h := link.NewHandler(link.HandlerOptions{Signer: f.signer, Triage: f.rec.triage, Decisions: st,
		Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})

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
