package demo

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"salesdesk/internal/mailparse"
)

var testNow = time.Date(2025, 3, 4, 10, 30, 0, 0, time.UTC)

func fixedClock() time.Time { return testNow }

// sentFixture is outbound mail to two customers and a rep.
func sentFixture(w *World) []Sent {
	return []Sent{
		{MessageID: "ack-1@" + CompanyDomain, To: []string{w.Accounts[0].Contacts[0].Email}, Subject: "[SD-1] We received your message"},
		{MessageID: "lead-1@" + CompanyDomain, To: []string{w.Reps[0].Email}, Subject: "New lead: Brightworks"},
		{MessageID: "status-1@" + CompanyDomain, To: []string{w.Accounts[1].Contacts[0].Email}, Subject: "[SD-2] Order SO-10050 has shipped"},
	}
}

func newTestSimulator(seed int64, withSent bool) (*World, *Simulator) {
	w := NewWorld(1, testNow)
	o := SimulatorOptions{Seed: seed, Now: fixedClock}
	if withSent {
		sent := sentFixture(w)
		o.Sent = func() []Sent { return sent }
	}
	return w, NewSimulator(w, o)
}

func TestSimulatorWritesEveryKind(t *testing.T) {
	w, sim := newTestSimulator(7, true)
	seen := map[string]int{}
	for range 3000 {
		m := sim.Next()
		seen[m.Kind]++
		parsed, err := mailparse.Parse(m.Raw, mailparse.Options{Now: fixedClock})
		if err != nil {
			t.Fatalf("%s mail does not parse: %v\n%s", m.Kind, err, m.Raw)
		}
		if !IsHostile(m.Kind) && parsed.From.Address != strings.ToLower(m.From) && parsed.From.Address != m.From {
			t.Errorf("%s mail: From parsed as %q, want %q", m.Kind, parsed.From.Address, m.From)
		}
		if parsed.MessageID != m.MessageID {
			t.Errorf("%s mail: Message-ID parsed as %q, want %q", m.Kind, parsed.MessageID, m.MessageID)
		}
		switch m.Kind {
		case KindReply:
			if len(parsed.InReplyTo) != 1 || parsed.InReplyTo[0] != m.InReplyTo || parsed.Kind != mailparse.KindHuman {
				t.Errorf("reply: In-Reply-To %v kind %s, want [%s] human", parsed.InReplyTo, parsed.Kind, m.InReplyTo)
			}
			if w.RecipientKind(m.From) != "customer" {
				t.Errorf("reply from %s, want a customer answering our mail", m.From)
			}
		case KindOutOfOffice:
			if parsed.Kind != mailparse.KindAutoReply {
				t.Errorf("out-of-office parsed as %s, want %s", parsed.Kind, mailparse.KindAutoReply)
			}
		case KindBounce:
			if parsed.Kind != mailparse.KindBounce || parsed.Bounce == nil || parsed.Bounce.OriginalMessageID != m.InReplyTo {
				t.Errorf("bounce parsed as %s %+v, want a bounce of %s", parsed.Kind, parsed.Bounce, m.InReplyTo)
			}
		case KindHugeSubject:
			if len(parsed.Subject) < 1000 {
				t.Errorf("huge subject is %d bytes", len(parsed.Subject))
			}
		default:
			if !IsHostile(m.Kind) && parsed.Kind != mailparse.KindHuman {
				t.Errorf("%s mail parsed as %s, want human", m.Kind, parsed.Kind)
			}
		}
	}
	for _, k := range Kinds() {
		if seen[k] == 0 {
			t.Errorf("no %s mail in 3000", k)
		}
	}
	if got := sim.Counts(); got[KindQuoteRequest] != seen[KindQuoteRequest] {
		t.Errorf("Counts()[quote] = %d, want %d", got[KindQuoteRequest], seen[KindQuoteRequest])
	}
}

func TestSimulatorIsDeterministic(t *testing.T) {
	_, a := newTestSimulator(42, true)
	_, b := newTestSimulator(42, true)
	_, c := newTestSimulator(43, true)
	differ := false
	for i := range 300 {
		ma, mb, mc := a.Next(), b.Next(), c.Next()
		if !bytes.Equal(ma.Raw, mb.Raw) {
			t.Fatalf("mail %d differs between two simulators with seed 42:\n%s\n---\n%s", i, ma.Raw, mb.Raw)
		}
		if !bytes.Equal(ma.Raw, mc.Raw) {
			differ = true
		}
	}
	if !differ {
		t.Error("seeds 42 and 43 wrote the same 300 mails")
	}
}

func TestSimulatorVariesText(t *testing.T) {
	_, sim := newTestSimulator(3, false)
	subjects := map[string]bool{}
	for range 200 {
		subjects[sim.Make(KindQuoteRequest).Subject] = true
	}
	if len(subjects) < 20 {
		t.Errorf("200 quote requests have %d distinct subjects, want at least 20", len(subjects))
	}
}

func TestSimulatorWithoutSentMailAsksInstead(t *testing.T) {
	_, sim := newTestSimulator(5, false)
	for _, k := range []string{KindReply, KindOutOfOffice, KindBounce} {
		if m := sim.Make(k); m.Kind != KindOrderStatus {
			t.Errorf("Make(%s) without sent mail = %s, want %s", k, m.Kind, KindOrderStatus)
		}
	}
}

func TestSimulatorOrderStatusUsesTheSendersOrders(t *testing.T) {
	w, sim := newTestSimulator(9, false)
	for range 50 {
		m := sim.Make(KindOrderStatus)
		var acct *Account
		for i := range w.Accounts {
			for _, c := range w.Accounts[i].Contacts {
				if c.Email == m.From {
					acct = &w.Accounts[i]
				}
			}
		}
		if acct == nil {
			t.Fatalf("order status from %s, who is no contact", m.From)
		}
		found := false
		for _, o := range acct.Orders {
			if strings.Contains(string(m.Raw), o.Number) {
				found = true
			}
		}
		if !found {
			t.Errorf("order status from %s names none of %s's orders:\n%s", m.From, acct.Customer.Name, m.Raw)
		}
	}
	m := sim.Make(KindStrangerOrder)
	if w.RecipientKind(m.From) != "customer" || strings.HasSuffix(m.From, ".example") && isContact(w, m.From) {
		t.Errorf("stranger order lookup from %s, a known contact", m.From)
	}
}

func isContact(w *World, addr string) bool {
	for _, a := range w.Accounts {
		for _, c := range a.Contacts {
			if c.Email == addr {
				return true
			}
		}
	}
	return false
}

func TestSimulatorHostileMail(t *testing.T) {
	_, sim := newTestSimulator(11, false)

	inj := sim.Make(KindHeaderInjection)
	head, _, _ := strings.Cut(string(inj.Raw), "\r\n\r\n")
	for _, l := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(l, "Bcc:") || strings.HasPrefix(l, "X-Injected:") {
			t.Errorf("the injection is a real header line %q; it must hide in encoded words", l)
		}
	}
	p, err := mailparse.Parse(inj.Raw, mailparse.Options{Now: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Subject, "Bcc") {
		t.Errorf("decoded subject %q does not carry the injection attempt", p.Subject)
	}

	html := sim.Make(KindScriptHTML)
	for _, want := range []string{"<script>", "onerror=", "javascript:", "<iframe"} {
		if !strings.Contains(string(html.Raw), want) {
			t.Errorf("script mail lacks %q", want)
		}
	}

	broken := sim.Make(KindBrokenMIME)
	bp, err := mailparse.Parse(broken.Raw, mailparse.Options{Now: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	if len(bp.Warnings) == 0 {
		t.Error("broken MIME parsed without warnings")
	}

	charsets := map[string]bool{}
	for range 40 {
		m := sim.Make(KindOddCharset)
		_, after, _ := strings.Cut(string(m.Raw), "charset=")
		cs, _, _ := strings.Cut(after, "\r\n")
		charsets[cs] = true
	}
	if len(charsets) < 3 {
		t.Errorf("odd-charset mails use %v, want at least 3 charsets", charsets)
	}
}

// countingAppender counts appends and cancels after n.
type countingAppender struct {
	n      int32
	stop   int32
	cancel context.CancelFunc
	raws   [][]byte
}

func (c *countingAppender) Append(ctx context.Context, raw []byte) error {
	c.raws = append(c.raws, raw)
	if atomic.AddInt32(&c.n, 1) >= c.stop {
		c.cancel()
	}
	return nil
}

func TestSimulatorRunAppendsUntilCancelled(t *testing.T) {
	_, sim := newTestSimulator(1, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dst := &countingAppender{stop: 5, cancel: cancel}
	if err := sim.Run(ctx, dst, 200, nil); err != nil {
		t.Fatal(err)
	}
	if got := atomic.LoadInt32(&dst.n); got != 5 {
		t.Errorf("appended %d mails, want 5", got)
	}
	if err := sim.Run(ctx, dst, 0, nil); err == nil {
		t.Error("Run with rate 0 succeeded")
	}
}
