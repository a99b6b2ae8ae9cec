package intake_test

import (
	"testing"
)

// TestCommitsPerMail counts what the intake of one mail of each kind costs
// SQLite: statements run and commits (transactions begun plus writes
// outside one). The parsed form, the follow-on outbox rows and the status
// are one commit (store.FinishInbound); the bounds are today's counts, so
// a change that adds commits per mail has to raise them on purpose
// (docs/performance.md, "End to end").
func TestCommitsPerMail(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{followups: allFollowups})
	cases := []struct {
		name       string
		mail       mail
		maxCommits int64 // transactions begun + writes outside one
	}{
		// the inquiry; the rest with the status
		{"order status from a known contact", mail{from: "Ann Buyer <ann@acme.com>", subject: "Where is my order SO-48213?",
			messageID: "count1@acme.com", body: orderStatusBody}, 2},
		// the inquiry, the lead; the rest with the status
		{"quote request from a new sender", mail{from: "Bob <bob@newco.example>", subject: "Quote for 500 units",
			messageID: "count2@newco.example", body: "Hello,\n\nplease send us a quote for 500 units of your widget.\n\nBob\n"}, 3},
		// the parsed form with the status
		{"out-of-office reply", mail{from: "Carl <carl@acme.com>", subject: "Out of office", messageID: "count3@acme.com",
			headers: []string{"Auto-Submitted: auto-replied"}, body: "I am away until Monday.\n"}, 1},
	}
	for _, c := range cases {
		id := e.deliver(c.mail.raw())
		before := e.st.SQLiteCounts()
		if err := e.p.Process(e.ctx, id); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		after := e.st.SQLiteCounts()
		statements := after.Statements - before.Statements
		commits := after.Transactions - before.Transactions + after.Autocommits - before.Autocommits
		t.Logf("%s: %d statements, %d commits (%d transactions, %d writes outside one)", c.name, statements, commits,
			after.Transactions-before.Transactions, after.Autocommits-before.Autocommits)
		if commits > c.maxCommits {
			t.Errorf("%s: %d commits, want at most %d", c.name, commits, c.maxCommits)
		}
	}
}
