package lead

import (
	"testing"
	"time"

	"salesdesk/internal/mailparse"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// TestRepReplyEndsSLAChase: a rep's own reply to the lead's contact (the
// inbox in Bcc, so only the thread headers tie it to us) records the first
// contact, and the SLA checks after it neither remind nor reassign.
func TestRepReplyEndsSLAChase(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		b := setup(t, d, Options{})
		ann := b.rep(t, "ann@desk.test")
		in := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: 1, MessageID: "q1@buyer.example",
			Raw: []byte("Subject: quote\r\n\r\nx\r\n"), ReceivedAt: b.clock.Now()}
		inID, _, _, err := b.st.SaveInboundMessage(b.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		q := &store.Inquiry{InboundMessageID: inID, ContactEmail: "buyer@buyer.example", Subject: "Quote", Category: "quote_request"}
		if _, _, err := b.st.CreateInquiry(b.ctx, q); err != nil {
			t.Fatal(err)
		}
		l := b.lead(t, "buyer@buyer.example", func(l *store.Lead) { l.InquiryID = q.ID })
		o, err := b.svc.Assign(b.ctx, l.ID, 1, "")
		if err != nil || o.Lead.RepID != ann.ID {
			t.Fatalf("assign: %+v, %v", o, err)
		}
		remindAt, reassignAt := b.svc.Deadlines(ann, o.Lead.AssignedAt)
		b.rep(t, "bob@desk.test") // someone the SLA could hand the lead to

		c := NewContactRecognizer(b.st, nil)
		replyAt := b.clock.Now().Add(40 * time.Minute)
		reply := func(from, to, subject string, refs ...string) *mailparse.Message {
			return &mailparse.Message{From: mailparse.Address{Address: from}, To: []mailparse.Address{{Address: to}},
				Subject: subject, Date: replyAt, InReplyTo: refs, Kind: mailparse.KindHuman}
		}
		tests := []struct {
			name        string
			m           *mailparse.Message
			wantHandled bool
		}{
			{"customer mail is not a rep reply", reply("buyer@buyer.example", "sales@desk.test", "Re: Quote", "q1@buyer.example"), false},
			{"rep mail outside our threads", reply("ann@desk.test", "someone@else.example", "Lunch?"), false},
			{"rep reply to the contact", reply("ann@desk.test", "Buyer@Buyer.example", "Re: Quote", "q1@buyer.example"), true},
			{"rep reply again", reply("ann@desk.test", "buyer@buyer.example", "Re: Quote ["+q.Reference+"]"), true},
		}
		for _, tt := range tests {
			got, err := c.RepReply(b.ctx, tt.m, replyAt.Add(time.Minute))
			if err != nil || got != tt.wantHandled {
				t.Errorf("%s: handled = %v, %v; want %v", tt.name, got, err, tt.wantHandled)
			}
		}
		got := b.reload(t, l.ID)
		if got.Status != store.LeadContacted || !got.FirstContactAt.Equal(replyAt) || got.FirstContactVia != store.ContactViaReply {
			t.Fatalf("after the rep's reply: status %s, first contact %s via %q", got.Status, got.FirstContactAt, got.FirstContactVia)
		}
		if n := countKind(b.kinds(t, l.ID), store.LeadEventContacted); n != 1 {
			t.Errorf("%d contacted events, want 1", n)
		}

		for _, at := range []struct {
			when  time.Time
			stage int
		}{{remindAt, tasks.SLAStageRemind}, {reassignAt, tasks.SLAStageReassign}} {
			b.clock.Set(at.when)
			r, err := b.svc.CheckSLA(b.ctx, l.ID, 1, at.stage)
			if err != nil || r.Action != SLANone {
				t.Errorf("SLA stage %d after contact: action %v, %v; want none", at.stage, r.Action, err)
			}
		}
		if got := b.reload(t, l.ID); got.RepID != ann.ID {
			t.Errorf("lead moved to rep %d after contact", got.RepID)
		}
	})
}

func countKind(kinds []string, kind string) int {
	n := 0
	for _, k := range kinds {
		if k == kind {
			n++
		}
	}
	return n
}
