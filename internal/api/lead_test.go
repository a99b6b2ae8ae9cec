package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"salesdesk/internal/store"
)

func TestCreateLead(t *testing.T) {
	t.Parallel()
	f := setup(t)
	res := f.do("POST", "/api/v1/leads", `{"contact_email":"Ann@Acme.example","contact_name":" Ann ","company":"Acme","country":"DE","message":"Please call me\nabout pumps","external_id":"form-77"}`).
		mustStatus(t, 201)
	var l leadJSON
	res.json(t, &l)
	if l.ContactEmail != "ann@acme.example" || l.ContactName != "Ann" || l.Domain != "acme.example" ||
		l.Source != DefaultLeadSource || l.Summary != "Please call me\nabout pumps" || l.Status != store.LeadUnassigned ||
		l.RepID != nil || l.CustomerID != nil || l.ExternalID != "form-77" {
		t.Errorf("lead = %+v", l)
	}
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/leads/%d", l.ID) {
		t.Errorf("Location %q", loc)
	}
	// A webhook delivered twice: the same external_id is the same lead.
	var again leadJSON
	f.do("POST", "/api/v1/leads", `{"contact_email":"ann@acme.example","external_id":"form-77"}`).mustStatus(t, 200).json(t, &again)
	if again.ID != l.ID {
		t.Errorf("redelivery made lead %d, want %d", again.ID, l.ID)
	}
	if fmt.Sprint(f.hooks.leads) != fmt.Sprint([]int64{l.ID}) {
		t.Errorf("lead hook calls = %v, want one for %d", f.hooks.leads, l.ID)
	}
	// Without an external_id every post is a lead; merging is assignment's job.
	f.do("POST", "/api/v1/leads", `{"contact_email":"ann@acme.example"}`).mustStatus(t, 201)
	if len(f.hooks.leads) != 2 {
		t.Errorf("lead hook calls = %v", f.hooks.leads)
	}
}

func TestCreateLeadHookFailureIsAWarning(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.hooks.leadErr = errors.New("asynq: redis down")
	var l leadJSON
	res := f.do("POST", "/api/v1/leads", `{"contact_email":"a@b.example"}`).mustStatus(t, 201)
	res.json(t, &l)
	if len(l.Warnings) != 1 || strings.Contains(string(res.Body), "redis down") {
		t.Errorf("answer %s", res.Body)
	}
	if _, err := f.st.Lead(context.Background(), l.ID); err != nil {
		t.Errorf("lead not saved: %v", err)
	}
}

func TestLeadLifecycle(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	kim := &store.Rep{Email: "kim@s.example", Name: "Kim", Active: true}
	lea := &store.Rep{Email: "lea@s.example", Name: "Lea", Active: true}
	for _, r := range []*store.Rep{kim, lea} {
		if _, err := f.st.CreateRep(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	lead := func() int64 {
		return f.do("POST", "/api/v1/leads", `{"contact_email":"a@b.example"}`).mustStatus(t, 201).idOf(t)
	}
	l1, l2 := lead(), lead()
	p := func(id int64, action string) string { return fmt.Sprintf("/api/v1/leads/%d/%s", id, action) }

	tests := []struct {
		name       string
		path       string
		body       string
		wantStatus int
		wantLead   func(t *testing.T, l leadJSON)
	}{
		{"assign", p(l1, "reassign"), fmt.Sprintf(`{"rep_id":%d}`, kim.ID), 200, func(t *testing.T, l leadJSON) {
			if l.RepID == nil || *l.RepID != kim.ID || l.Status != "assigned" || l.AssignedAt == nil {
				t.Errorf("lead = %+v", l)
			}
		}},
		{"same rep again changes nothing", p(l1, "reassign"), fmt.Sprintf(`{"rep_id":%d}`, kim.ID), 200, func(t *testing.T, l leadJSON) {
			if len(*l.Events) != 2 {
				t.Errorf("events = %+v", *l.Events)
			}
		}},
		{"reassign with a note", p(l1, "reassign"), fmt.Sprintf(`{"rep_id":%d,"note":"speaks Dutch"}`, lea.ID), 200, func(t *testing.T, l leadJSON) {
			ev := (*l.Events)[len(*l.Events)-1]
			if *l.RepID != lea.ID || ev.Kind != "reassigned" || *ev.FromRepID != kim.ID || *ev.RepID != lea.ID ||
				!strings.Contains(ev.Note, "speaks Dutch") {
				t.Errorf("lead = %+v, last event %+v", l, ev)
			}
		}},
		{"missing rep", p(l1, "reassign"), `{"rep_id":999999}`, 422, nil},
		{"no rep", p(l1, "reassign"), `{}`, 422, nil},
		{"missing lead", p(999999, "reassign"), fmt.Sprintf(`{"rep_id":%d}`, kim.ID), 404, nil},
		{"contacted", p(l1, "contacted"), "", 200, func(t *testing.T, l leadJSON) {
			if l.Status != "contacted" || l.ContactedAt == nil || l.FirstContactAt == nil || l.FirstContactVia != "api" {
				t.Errorf("lead = %+v", l)
			}
		}},
		{"contacted twice", p(l1, "contacted"), "", 200, nil},
		{"won without value", p(l1, "won"), `{"currency":"EUR"}`, 422, nil},
		{"won without currency", p(l1, "won"), `{"value_cents":100}`, 422, nil},
		{"won", p(l1, "won"), `{"value_cents":990000,"currency":"EUR"}`, 200, func(t *testing.T, l leadJSON) {
			last := (*l.Events)[len(*l.Events)-1]
			if l.Status != "won" || l.ValueCents != 990000 || l.Currency != "EUR" || l.ClosedAt == nil || !strings.Contains(last.Note, "EUR") {
				t.Errorf("lead = %+v, last event %+v", l, last)
			}
		}},
		{"won twice", p(l1, "won"), `{"value_cents":1,"currency":"EUR"}`, 409, nil},
		{"reassign a won lead", p(l1, "reassign"), fmt.Sprintf(`{"rep_id":%d}`, kim.ID), 409, nil},
		{"lost without reason", p(l2, "lost"), `{"reason":" "}`, 422, nil},
		{"lost for a reason not configured", p(l2, "lost"), `{"reason":"the moon"}`, 422, nil},
		{"lost", p(l2, "lost"), `{"reason":"No Budget"}`, 200, func(t *testing.T, l leadJSON) {
			if l.Status != "lost" || l.LostReason != "no budget" || l.ClosedAt == nil || l.Currency != "" {
				t.Errorf("lead = %+v", l)
			}
		}},
		{"contacted after lost", p(l2, "contacted"), "", 409, nil},
		{"reopen", p(l2, "reopen"), "", 200, func(t *testing.T, l leadJSON) {
			if l.Status == "lost" || l.ClosedAt != nil || l.LostReason != "" {
				t.Errorf("reopened lead = %+v", l)
			}
		}},
		{"reopen an open lead", p(l2, "reopen"), "", 200, nil},
		{"lost again after reopening", p(l2, "lost"), `{"reason":"price"}`, 200, nil},
		{"reopen a missing lead", p(999999, "reopen"), "", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.t = t
			var body any
			if tt.body != "" {
				body = tt.body
			}
			res := f.do("POST", tt.path, body).mustStatus(t, tt.wantStatus)
			if tt.wantLead != nil {
				var l leadJSON
				res.json(t, &l)
				if l.Events == nil {
					t.Fatal("no events")
				}
				tt.wantLead(t, l)
			}
		})
	}

	// Each committed reassignment and closing ran its hook once; refused
	// and repeated ones did not.
	f.hooks.mu.Lock()
	moved, closed := f.hooks.movedLeads, f.hooks.closedLeads
	f.hooks.mu.Unlock()
	if want := []int64{l1, l1}; fmt.Sprint(moved) != fmt.Sprint(want) {
		t.Errorf("OnLeadReassigned calls = %v, want %v (assign, reassign with a note)", moved, want)
	}
	if want := []int64{l1, l2, l2}; fmt.Sprint(closed) != fmt.Sprint(want) {
		t.Errorf("OnLeadClosed calls = %v, want %v (won, lost, lost after reopening)", closed, want)
	}

	// Inactive reps get no leads by hand either.
	lea.Active = false
	if err := f.st.UpdateRep(ctx, lea); err != nil {
		t.Fatal(err)
	}
	f.t = t
	l3 := lead()
	if fields := f.do("POST", p(l3, "reassign"), fmt.Sprintf(`{"rep_id":%d}`, lea.ID)).mustStatus(t, 422).errorFields(t); !strings.Contains(fields["rep_id"], "inactive") {
		t.Errorf("fields = %v", fields)
	}
}

func TestListLeadsFilters(t *testing.T) {
	t.Parallel()
	f := setup(t, tickingClock())
	ctx := context.Background()
	rep := &store.Rep{Email: "kim@s.example", Name: "Kim", Active: true}
	if _, err := f.st.CreateRep(ctx, rep); err != nil {
		t.Fatal(err)
	}
	web := newLeads(t, f.st, 2, "web")
	mail := newLeads(t, f.st, 2, "email")
	if _, err := f.st.AssignLead(ctx, mail[1], 0, rep.ID, "test"); err != nil {
		t.Fatal(err)
	}
	third, err := f.st.Lead(ctx, mail[0])
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		want  []int64
	}{
		{"", []int64{web[0], web[1], mail[0], mail[1]}},
		{"source=web", web},
		{"status=assigned", []int64{mail[1]}},
		{fmt.Sprintf("rep_id=%d", rep.ID), []int64{mail[1]}},
		{"status=unassigned&source=email", []int64{mail[0]}},
		{"since=" + third.CreatedAt.Format("2006-01-02T15:04:05.999999999Z07:00"), mail},
		{"until=" + third.CreatedAt.Format("2006-01-02T15:04:05.999999999Z07:00"), web},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			f.t = t
			var l list[leadJSON]
			f.do("GET", "/api/v1/leads?"+tt.query, nil).mustStatus(t, 200).json(t, &l)
			var got []int64
			for _, x := range l.Items {
				got = append(got, x.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
