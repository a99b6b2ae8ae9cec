package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/store"
)

// mailInquiry stores an inbound mail, its parsed form and the inquiry made
// from it (replying to parent when not 0).
func mailInquiry(t *testing.T, st *store.Store, uid uint32, from, subject, text string, parent int64) *store.Inquiry {
	t.Helper()
	ctx := context.Background()
	m := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: uid, MessageID: fmt.Sprintf("m%d@acme.example", uid),
		ContentHash: fmt.Sprint(uid), Raw: []byte("Subject: " + subject + "\r\n\r\n" + text)}
	if _, _, _, err := st.SaveInboundMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	p := store.ParsedInbound{From: from, FromName: "Ann", To: []string{"sales@desk.example"}, Subject: subject,
		Date: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), Kind: store.KindHuman, Text: text + "\n\n> quoted",
		NewText: text}
	if err := st.SetInboundParsed(ctx, m.ID, p); err != nil {
		t.Fatal(err)
	}
	q := &store.Inquiry{InboundMessageID: m.ID, ContactEmail: from, Subject: subject, Category: "other",
		Confidence: 0.3, Status: store.InquiryTriage, ParentID: parent}
	if _, _, err := st.CreateInquiry(ctx, q); err != nil {
		t.Fatal(err)
	}
	return q
}

func TestGetInquiryWithThread(t *testing.T) {
	t.Parallel()
	f := setup(t)
	first := mailInquiry(t, f.st, 1, "ann@acme.example", "Bolts", "Where is my order SO-1?", 0)
	reply := mailInquiry(t, f.st, 2, "ann@acme.example", "Re: Bolts", "Any news?", first.ID)
	other := mailInquiry(t, f.st, 3, "bob@other.example", "Hello", "Unrelated", 0)

	var got struct {
		inquiryJSON
		Message *messageJSON  `json:"message"`
		Thread  []threadEntry `json:"thread"`
	}
	f.do("GET", fmt.Sprintf("/api/v1/inquiries/%d", reply.ID), nil).mustStatus(t, 200).json(t, &got)
	if got.ID != reply.ID || got.Reference == "" || *got.ThreadID != first.ID || *got.ParentID != first.ID {
		t.Errorf("inquiry = %+v", got.inquiryJSON)
	}
	if got.Message == nil || !got.Message.Parsed || got.Message.NewText != "Any news?" ||
		got.Message.From != "ann@acme.example" || !strings.Contains(got.Message.Text, "> quoted") {
		t.Errorf("message = %+v", got.Message)
	}
	if len(got.Thread) != 2 || got.Thread[0].ID != first.ID || got.Thread[1].ID != reply.ID {
		t.Fatalf("thread = %+v", got.Thread)
	}
	if m := got.Thread[0].Message; m == nil || m.NewText != "Where is my order SO-1?" || m.Text != "" {
		t.Errorf("thread message = %+v (summaries carry the new text only)", m)
	}
	for _, e := range got.Thread {
		if e.ID == other.ID {
			t.Error("another thread's inquiry in the thread")
		}
	}

	// An inquiry made without a mail has no message and a thread of one.
	api := &store.Inquiry{Subject: "by hand", ContactEmail: "c@d.example"}
	if _, _, err := f.st.CreateInquiry(context.Background(), api); err != nil {
		t.Fatal(err)
	}
	m := f.do("GET", fmt.Sprintf("/api/v1/inquiries/%d", api.ID), nil).mustStatus(t, 200).object(t)
	if m["message"] != nil || len(m["thread"].([]any)) != 1 {
		t.Errorf("got message %v, thread %v", m["message"], m["thread"])
	}
	f.do("GET", "/api/v1/inquiries/999999", nil).mustStatus(t, 404)
}

func TestListInquiriesFilters(t *testing.T) {
	t.Parallel()
	f := setup(t, tickingClock()) // 2026-03-01 09:00:01, :02, …
	ctx := context.Background()
	cust := newCustomers(t, f.st, "Acme")[0]
	mk := func(category, status string, customer int64) int64 {
		q := &store.Inquiry{Subject: "s", Category: category, Status: status, CustomerID: customer}
		if _, _, err := f.st.CreateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		return q.ID
	}
	a := mk("support", "routed", cust)
	b := mk("billing", "routed", 0)
	c := mk("support", "closed", 0)
	d := mk("support", "routed", cust)
	var created []time.Time
	for _, id := range []int64{a, b, c, d} {
		q, err := f.st.Inquiry(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, q.CreatedAt)
	}

	tests := []struct {
		query string
		want  []int64
	}{
		{"", []int64{d, c, b, a}},
		{"category=support", []int64{d, c, a}},
		{"category=support&status=routed", []int64{d, a}},
		{fmt.Sprintf("customer_id=%d", cust), []int64{d, a}},
		{"since=" + created[1].Format(time.RFC3339Nano), []int64{d, c, b}},
		{"until=" + created[1].Format(time.RFC3339Nano), []int64{a}},
		{"since=" + created[1].Format(time.RFC3339Nano) + "&until=" + created[3].Format(time.RFC3339Nano), []int64{c, b}},
		{"since=2026-03-02", nil},
		{"until=2026-03-01", nil},
		{"status=triage", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			f.t = t
			var l list[inquiryJSON]
			f.do("GET", "/api/v1/inquiries?"+tt.query, nil).mustStatus(t, 200).json(t, &l)
			var got []int64
			for _, q := range l.Items {
				got = append(got, q.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRelativeSinceUsesTheClock(t *testing.T) {
	t.Parallel()
	f := setup(t, tickingClock()) // rows on 2026-03-01; the API clock says 2026-03-02 12:00
	newInquiries(t, f.st, 3, "support")
	var l list[inquiryJSON]
	f.do("GET", "/api/v1/inquiries?since=24h", nil).mustStatus(t, 200).json(t, &l)
	if len(l.Items) != 0 {
		t.Errorf("since=24h found %d inquiries from two days ago", len(l.Items))
	}
	f.do("GET", "/api/v1/inquiries?since=48h", nil).mustStatus(t, 200).json(t, &l)
	if len(l.Items) != 3 {
		t.Errorf("since=48h found %d inquiries, want 3", len(l.Items))
	}
}

func TestLabelStoresAnExampleAndCallsTheHook(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	q := mailInquiry(t, f.st, 1, "ann@acme.example", "Prices", "Could you quote 500 M8 bolts?", 0)
	// Like intake.ApplyTriageDecision, the hook relabels the inquiry.
	f.hooks.onLabel = func(ctx context.Context, id int64, category string) error {
		return f.st.SetInquiryCategory(ctx, id, category, 1)
	}

	var got struct {
		inquiryJSON
		ExampleID *int64 `json:"example_id"`
	}
	f.do("POST", fmt.Sprintf("/api/v1/inquiries/%d/label", q.ID), `{"category":"Quote-Request"}`).
		mustStatus(t, 200).json(t, &got)
	if got.Category != "quote_request" || got.Confidence != 1 || got.ExampleID == nil {
		t.Errorf("answer = %+v, example %v", got.inquiryJSON, got.ExampleID)
	}
	exs, err := f.st.RoutingExamples(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) != 1 || exs[0].InquiryID != q.ID || exs[0].Category != "quote_request" ||
		exs[0].Text != "Could you quote 500 M8 bolts?" || exs[0].Subject != "Prices" || exs[0].Source != store.ExampleLabel {
		t.Errorf("examples = %+v", exs)
	}
	if len(f.hooks.labels) != 1 || f.hooks.labels[0] != (labelCall{q.ID, "quote_request", "api"}) {
		t.Errorf("hook calls = %+v", f.hooks.labels)
	}

	// Relabelling again replaces the example rather than adding one.
	f.do("POST", fmt.Sprintf("/api/v1/inquiries/%d/label", q.ID), `{"category":"order_status"}`).mustStatus(t, 200)
	if exs, _ := f.st.RoutingExamples(ctx); len(exs) != 1 || exs[0].Category != "order_status" {
		t.Errorf("examples after relabel = %+v", exs)
	}

	f.do("POST", "/api/v1/inquiries/999999/label", `{"category":"support"}`).mustStatus(t, 404)
	if len(f.hooks.labels) != 2 {
		t.Errorf("hook called for an unknown inquiry: %+v", f.hooks.labels)
	}
}

func TestLabelWithoutHookRelabels(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.h = New(Options{Store: f.st})
	q := mailInquiry(t, f.st, 1, "ann@acme.example", "Invoice", "Invoice 7 is wrong", 0)
	var got inquiryJSON
	f.do("POST", fmt.Sprintf("/api/v1/inquiries/%d/label", q.ID), `{"category":"billing"}`).mustStatus(t, 200).json(t, &got)
	if got.Category != "billing" || got.Confidence != 1 {
		t.Errorf("inquiry = %+v", got)
	}
	// No mail text: relabelled, nothing to learn from.
	api := &store.Inquiry{Subject: "by hand"}
	if _, _, err := f.st.CreateInquiry(context.Background(), api); err != nil {
		t.Fatal(err)
	}
	m := f.do("POST", fmt.Sprintf("/api/v1/inquiries/%d/label", api.ID), `{"category":"account"}`).mustStatus(t, 200).object(t)
	if m["category"] != "account" || m["example_id"] != nil {
		t.Errorf("answer = %v", m)
	}
}

func TestLabelHookFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantStatus int
	}{
		{"inquiry vanished", fmt.Errorf("apply: %w", store.ErrNotFound), 404},
		{"queue down", errors.New("redis: connection refused at 10.0.0.7:6379"), 500},
		{"timeout", fmt.Errorf("enqueue: %w", context.DeadlineExceeded), 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			q := mailInquiry(t, f.st, 1, "ann@acme.example", "Prices", "Quote please", 0)
			f.hooks.labelErr = tt.err
			res := f.do("POST", fmt.Sprintf("/api/v1/inquiries/%d/label", q.ID), `{"category":"quote_request"}`).
				mustStatus(t, tt.wantStatus)
			var e errorBody
			res.json(t, &e)
			if strings.Contains(string(res.Body), "10.0.0.7") {
				t.Errorf("answer leaks the internal error: %s", res.Body)
			}
			switch tt.wantStatus {
			case 500:
				rid := res.Header.Get("X-Request-Id")
				if e.Error != "internal error" || e.RequestID == "" || e.RequestID != rid {
					t.Errorf("answer %s, request id header %q", res.Body, rid)
				}
				if logs := f.logs.String(); !strings.Contains(logs, rid) || !strings.Contains(logs, "10.0.0.7") {
					t.Errorf("log lacks the request id or the error:\n%s", logs)
				}
			case 503:
				if res.Header.Get("Retry-After") == "" {
					t.Error("503 without Retry-After")
				}
			}
		})
	}
}

func TestCloseInquiry(t *testing.T) {
	t.Parallel()
	f := setup(t)
	q := mailInquiry(t, f.st, 1, "ann@acme.example", "Thanks", "All good", 0)
	path := fmt.Sprintf("/api/v1/inquiries/%d/close", q.ID)
	var got inquiryJSON
	f.do("POST", path, nil).mustStatus(t, 200).json(t, &got)
	if got.Status != store.InquiryClosed || got.ClosedAt == nil {
		t.Errorf("inquiry = %+v", got)
	}
	first := *got.ClosedAt
	f.do("POST", path, `{}`).mustStatus(t, 200).json(t, &got)
	if !got.ClosedAt.Equal(first) {
		t.Errorf("closing again moved closed_at from %v to %v", first, got.ClosedAt)
	}
	if len(f.hooks.closed) != 2 || f.hooks.closed[0] != q.ID {
		t.Errorf("close hook calls = %v", f.hooks.closed)
	}
	f.do("POST", "/api/v1/inquiries/999999/close", nil).mustStatus(t, http.StatusNotFound)
}
