package workers

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/lead"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// TestLeadAssignStatements counts what one lead:assign task (the
// assignment, the score, the rep's mail row) asks of SQLite, the first
// time and when it runs again, and holds the figures
// (docs/performance.md, "Session 9: lead:assign and order:status_reply").
func TestLeadAssignStatements(t *testing.T) {
	tests := []struct {
		name, from, subject, body string
		want, wantAgain           store.SQLCounts
	}{
		{"new sender", "Carl Newman <carl@newco.example>", "Request for quote: 300 pallets",
			"Hello,\nplease quote 300 pallets.\nCarl",
			store.SQLCounts{Statements: 15, Transactions: 1, Autocommits: 1}, store.SQLCounts{Statements: 11, Autocommits: 2}},
		{"contact of an account", "Ann Buyer <ann@acme.com>", "Request for quote: 500 conveyor belts",
			"Hello,\nplease send us a quote for 500 conveyor belts, delivery in May.\nThanks, Ann",
			store.SQLCounts{Statements: 19, Transactions: 1, Autocommits: 1}, store.SQLCounts{Statements: 15, Autocommits: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLeadFixture(t)
			// Wired as cmd/salesdesk does: one scorer for the service and
			// the handlers.
			f.opts.Scorer = lead.NewScorer(f.st)
			svc, err := lead.New(lead.Deps{Store: f.st, Enqueuer: f.sink, Scorer: f.opts.Scorer, Seed: 1,
				Now: func() time.Time { return f.now }}, f.svc.Options())
			if err != nil {
				t.Fatal(err)
			}
			f.deps.Leads = svc
			h, err := NewLeadAssignHandler(f.deps, f.opts)
			if err != nil {
				t.Fatal(err)
			}
			q := f.take(t, tt.from, tt.subject, "count@"+tt.name, tt.body)
			var task *asynq.Task
			for _, tk := range f.sink.tasks {
				if tk.Type() == tasks.TypeLeadAssign {
					task = tk
				}
			}
			if task == nil {
				t.Fatalf("no lead:assign task for inquiry %d (%s)", q.ID, q.Category)
			}
			for i, want := range []store.SQLCounts{tt.want, tt.wantAgain} {
				before := f.st.SQLiteCounts()
				if err := h.ProcessTask(context.Background(), task); err != nil {
					t.Fatal(err)
				}
				after := f.st.SQLiteCounts()
				got := store.SQLCounts{Statements: after.Statements - before.Statements,
					Transactions: after.Transactions - before.Transactions, Autocommits: after.Autocommits - before.Autocommits}
				if got != want {
					t.Errorf("run %d: %+v, want %+v", i+1, got, want)
				}
			}
			leads, err := f.st.ListLeads(f.ctx, store.LeadFilter{})
			if err != nil || len(leads) != 1 || leads[0].RepID == 0 || !leads[0].Scored {
				t.Fatalf("leads %+v, %v; want one, assigned and scored", leads, err)
			}
			m := f.outbound(t, LeadAssignedKey(leads[0].ID, 1))
			if m.InquiryID != q.ID {
				t.Errorf("lead mail of inquiry %d, want %d", m.InquiryID, q.ID)
			}
			if want := fmt.Sprintf("Score:     %d/100", leads[0].Score); !strings.Contains(m.BodyText, want) {
				t.Errorf("lead mail lacks %q, the stored score:\n%s", want, m.BodyText)
			}
		})
	}
}
