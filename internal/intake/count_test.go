package intake_test

import (
	"testing"

	"salesdesk/internal/intake"
	"salesdesk/tasks"
)

// TestCommitsPerMail counts what the intake of one mail of each kind costs
// SQLite: statements run and commits (transactions begun plus writes
// outside one). The parsed form, the follow-on outbox rows, the sender
// verdict and the status are one commit (store.FinishInbound); the inquiry
// is inserted without a read first (a re-run's insert returns the stored
// one); stored attachments are read only when the mail has one. The
// bounds are today's counts, so a change that adds statements or
// commits per mail has to raise them on purpose (docs/performance.md,
// "Fewer commits per mail", "Session 10: intake statements").
func TestCommitsPerMail(t *testing.T) {
	t.Parallel()
	plain := setup(t, setupOpts{followups: allFollowups})
	checked := trustSetup(t)
	acking := setup(t, setupOpts{followups: allFollowups, ack: &stubAck{}})
	answering := setup(t, setupOpts{followups: allFollowups, ack: &stubAck{},
		answers: map[string]intake.Answerer{tasks.TypeOrderStatusReply: &stubAnswer{}}})
	cases := []struct {
		name          string
		e             *env
		mail          mail
		maxStatements int64
		maxCommits    int64 // transactions begun + writes outside one
	}{
		// the row, the contact, the customer's latest languages; the
		// inquiry (one insert); the rest with the status
		{"order status from a known contact", plain, mail{from: "Ann Buyer <ann@acme.com>", subject: "Where is my order SO-48213?",
			messageID: "count1@acme.com", body: orderStatusBody}, 6, 2},
		// the same with the answer's row, an alert and the inquiry
		// answered (rendered without a read here,
		// workers.TestOrderStatusInIntakeCostsLess counts the real one)
		// in the status's transaction, where the order:status_reply
		// outbox row was
		{"order status, answered in intake", answering, mail{from: "Ann Buyer <ann@acme.com>", subject: "Where is my order SO-48213?",
			messageID: "count6@acme.com", body: orderStatusBody}, 8, 2},
		// the inquiry, the lead (found or inserted with its columns
		// returned, no read after); the rest with the status
		{"quote request from a new sender", plain, mail{from: "Bob <bob@newco.example>", subject: "Quote for 500 units",
			messageID: "count2@newco.example", body: "Hello,\n\nplease send us a quote for 500 units of your widget.\n\nBob\n"}, 11, 3},
		// the same with the acknowledgement's row (rendered without a read
		// here, workers.TestAckInIntakeCostsLess counts the real one) in
		// the status's transaction, where the inquiry:ack outbox row was
		{"quote request, acknowledged in intake", acking, mail{from: "Bob <bob@newco.example>", subject: "Quote for 500 units",
			messageID: "count5@newco.example", body: "Hello,\n\nplease send us a quote for 500 units of your widget.\n\nBob\n"}, 11, 3},
		// the contact (none; no account for a free-mail domain), the
		// sender's latest languages; the inquiry; the hand-off's row and
		// the acknowledgement's with the status
		{"support from a free-mail sender, acknowledged in intake", acking, mail{from: "Joe <joe@gmail.com>", subject: "Sensor calibration",
			messageID: "count7@gmail.com", body: "How do I calibrate the temperature sensor on the X200? The manual does not say.\n"}, 7, 2},
		// the same with the sender checked: its verdict goes with the
		// status, no commit of its own
		{"support, sender checked", checked, mail{from: "Joe <joe@gmail.com>", subject: "Sensor calibration",
			messageID: "count8@gmail.com", body: "How do I calibrate the temperature sensor on the X200? The manual does not say.\n"}, 7, 2},
		// the row; the parsed form with the status, one statement (no
		// attachments read: there are none)
		{"out-of-office reply", plain, mail{from: "Carl <carl@acme.com>", subject: "Out of office", messageID: "count3@acme.com",
			headers: []string{"Auto-Submitted: auto-replied"}, body: "I am away until Monday.\n"}, 2, 1},
		// the sender verdict (checked here, stored with the status); the
		// inquiry; the rest with the status
		{"unsubscribe, sender checked", checked, with(unsubscribeMail, passed), 6, 2},
	}
	for _, c := range cases {
		id := c.e.deliver(c.mail.raw())
		before := c.e.st.SQLiteCounts()
		if err := c.e.p.Process(c.e.ctx, id); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		after := c.e.st.SQLiteCounts()
		statements := after.Statements - before.Statements
		commits := after.Transactions - before.Transactions + after.Autocommits - before.Autocommits
		t.Logf("%s: %d statements, %d commits (%d transactions, %d writes outside one)", c.name, statements, commits,
			after.Transactions-before.Transactions, after.Autocommits-before.Autocommits)
		if statements > c.maxStatements {
			t.Errorf("%s: %d statements, want at most %d", c.name, statements, c.maxStatements)
		}
		if commits > c.maxCommits {
			t.Errorf("%s: %d commits, want at most %d", c.name, commits, c.maxCommits)
		}
	}
}
