package intake_test

import (
	"context"
	"testing"

	"salesdesk/internal/senderauth"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// noDNS answers every lookup with "no such name": only the trusted
// Authentication-Results header can authenticate.
type noDNS struct{}

func (noDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	return nil, senderauth.NotFound(name)
}

func trustSetup(t *testing.T) *env {
	t.Helper()
	return setup(t, setupOpts{followups: allFollowups, senders: senderauth.New(senderauth.Options{
		TrustedAuthServIDs: []string{"mx.ourco.example"}, Resolver: noDNS{},
	})})
}

const (
	passed = "Authentication-Results: mx.ourco.example; dmarc=pass header.from=acme.com"
	forged = "Authentication-Results: evil.example; dmarc=pass header.from=acme.com"
)

var unsubscribeMail = mail{from: "Ann <ann@acme.com>", subject: "Unsubscribe",
	body: "Please remove me from your mailing list. I do not want any more newsletters.\n"}

var rushMail = mail{from: "ann@acme.com", subject: "Please expedite order SO-48213",
	body: "Hi, we need order SO-48213 changed to overnight express shipping, it is urgent, please rush it. Can you change the delivery?\n"}

func with(m mail, headers ...string) mail {
	m.headers = append(append([]string(nil), m.headers...), headers...)
	return m
}

func TestUnauthenticatedSenderChangesNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		mail       mail
		wantChange string // the category handed off as unverified
	}{
		{name: "forged unsubscribe, no header", mail: unsubscribeMail, wantChange: "unsubscribe"},
		{name: "forged unsubscribe, header from an untrusted server", mail: with(unsubscribeMail, forged), wantChange: "unsubscribe"},
		{name: "forged rush order change", mail: rushMail, wantChange: "order_change"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := trustSetup(t)
			id := e.take(tc.mail)
			q := e.inquiryOf(id)
			if got := e.q.of(t, tasks.TypeCustomerUnsubscribe); len(got) != 0 {
				t.Errorf("customer:unsubscribe = %v, want none", got)
			}
			if got := e.q.of(t, tasks.TypeOrderRequest); len(got) != 0 {
				t.Errorf("order:request = %v, want none", got)
			}
			h := e.q.of(t, tasks.TypeInquiryHandoff)
			if len(h) != 1 || h[0]["unverified_change"] != tc.wantChange || num(h[0]["inquiry_id"]) != q.ID {
				t.Fatalf("inquiry:handoff = %v, want one with unverified_change %q", h, tc.wantChange)
			}
			ack := e.q.of(t, tasks.TypeInquiryAck)
			if len(ack) != 1 || ack[0]["unverified_sender"] != true {
				t.Errorf("inquiry:ack = %v, want one marked unverified_sender", ack)
			}
			a, err := e.st.InboundSenderAuth(e.ctx, id)
			if err != nil || a.Verdict == "" || a.Verdict == string(senderauth.Pass) {
				t.Errorf("stored verdict = %+v, %v; want a non-pass verdict", a, err)
			}
			// A re-run builds the same tasks: nothing new is enqueued.
			before := len(e.q.types())
			e.st.SetInboundStatus(e.ctx, id, store.InboundStored, "")
			if err := e.p.Process(e.ctx, id); err != nil {
				t.Fatal(err)
			}
			if after := len(e.q.types()); after != before || len(e.q.of(t, tasks.TypeInquiryHandoff)) != 1 {
				t.Errorf("re-run enqueued %v", e.q.types())
			}
			// A person deciding the category does not make the sender
			// authentic: the change still goes to a person.
			if err := e.p.ApplyTriageDecision(e.ctx, q.ID, "unsubscribe", "ops"); err != nil {
				t.Fatal(err)
			}
			if got := e.q.of(t, tasks.TypeCustomerUnsubscribe); len(got) != 0 {
				t.Errorf("after triage decision customer:unsubscribe = %v, want none", got)
			}
		})
	}
}

func TestAuthenticatedSenderChanges(t *testing.T) {
	t.Parallel()
	e := trustSetup(t)
	id := e.take(with(unsubscribeMail, passed))
	if got := e.q.of(t, tasks.TypeCustomerUnsubscribe); len(got) != 1 || got[0]["email"] != "ann@acme.com" {
		t.Errorf("customer:unsubscribe = %v, want one for ann@acme.com", got)
	}
	if types := e.q.types(); len(types) != 1 {
		t.Errorf("tasks = %v, want only the unsubscribe", types)
	}
	if a, err := e.st.InboundSenderAuth(e.ctx, id); err != nil || a.Verdict != string(senderauth.Pass) {
		t.Errorf("stored verdict = %+v, %v; want pass", a, err)
	}
	e.take(with(rushMail, passed))
	if got := e.q.of(t, tasks.TypeOrderRequest); len(got) != 1 || got[0]["rush"] != true {
		t.Errorf("order:request = %v, want one rush", got)
	}
}

// TestSenderVerdictStoredMeanwhile: intake stores its sender verdict only
// with the mail's outcome; when a hook kept another verdict after the row
// was read, that stored verdict is the one the mail is decided with, and
// the intake's own is not stored.
func TestSenderVerdictStoredMeanwhile(t *testing.T) {
	t.Parallel()
	e := trustSetup(t)
	id := e.deliver(unsubscribeMail.raw()) // not authenticated: a hand-off by itself
	in, err := e.p.Inbound(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	pass := store.SenderAuth{Verdict: string(senderauth.Pass), Detail: "hook: checked elsewhere"}
	if _, err := e.st.KeepInboundSenderAuth(e.ctx, id, pass); err != nil {
		t.Fatal(err)
	}
	if err := e.p.ProcessInbound(e.ctx, in); err != nil {
		t.Fatal(err)
	}
	if got := e.q.of(t, tasks.TypeCustomerUnsubscribe); len(got) != 1 || got[0]["email"] != "ann@acme.com" {
		t.Errorf("customer:unsubscribe = %v, want one for ann@acme.com (the stored pass)", got)
	}
	if got := e.q.of(t, tasks.TypeInquiryHandoff); len(got) != 0 {
		t.Errorf("inquiry:handoff = %v, want none", got)
	}
	if a, err := e.st.InboundSenderAuth(e.ctx, id); err != nil || a != pass {
		t.Errorf("stored verdict = %+v, %v; want the hook's %+v", a, err, pass)
	}
	e.wantStatus(id, store.InboundProcessed)
	if qs, err := e.st.ListInquiries(e.ctx, store.InquiryFilter{ContactEmail: "ann@acme.com"}); err != nil || len(qs) != 1 {
		t.Errorf("inquiries = %d, %v; want one", len(qs), err)
	}
}
