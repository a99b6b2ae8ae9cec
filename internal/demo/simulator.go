package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// Kinds of simulated mail. The first ten are inquiry categories as a
// customer means them; the rest are the mail around them.
const (
	KindOrderStatus   = "order_status"
	KindOrderChange   = "order_change"
	KindRushOrder     = "rush_order"
	KindQuoteRequest  = "quote_request"
	KindMeeting       = "meeting_request"
	KindSupport       = "support"
	KindBilling       = "billing"
	KindAccount       = "account"
	KindComplaint     = "complaint"
	KindUnsubscribe   = "unsubscribe"
	KindStrangerOrder = "stranger_order_lookup" // order status asked by someone not on the account
	KindReply         = "reply"                 // a customer answers one of our mails
	KindOutOfOffice   = "out_of_office"         // an auto-reply to one of our mails
	KindBounce        = "bounce"                // a DSN returning one of our mails

	KindHeaderInjection = "hostile_header_injection"
	KindHugeSubject     = "hostile_huge_subject"
	KindBrokenMIME      = "hostile_broken_mime"
	KindOddCharset      = "hostile_odd_charset"
	KindScriptHTML      = "hostile_script_html"
)

// defaultWeights is how often each kind comes, relative to the others.
var defaultWeights = map[string]int{
	KindOrderStatus: 16, KindOrderChange: 6, KindRushOrder: 4, KindQuoteRequest: 14, KindMeeting: 7,
	KindSupport: 8, KindBilling: 5, KindAccount: 4, KindComplaint: 4, KindUnsubscribe: 2,
	KindStrangerOrder: 2, KindReply: 9, KindOutOfOffice: 4, KindBounce: 3,
	KindHeaderInjection: 1, KindHugeSubject: 1, KindBrokenMIME: 1, KindOddCharset: 2, KindScriptHTML: 1,
}

// Kinds returns every kind the simulator writes, sorted.
func Kinds() []string {
	ks := make([]string, 0, len(defaultWeights))
	for k := range defaultWeights {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// IsHostile reports whether a kind is one of the malicious or malformed
// mails.
func IsHostile(kind string) bool { return strings.HasPrefix(kind, "hostile_") }

// Mail is one simulated inbound mail.
type Mail struct {
	Kind      string
	From      string // the sender's address
	Subject   string // as meant, before header encoding
	MessageID string // without angle brackets
	// InReplyTo is the Message-ID of our mail it answers, for replies,
	// auto-replies and bounces.
	InReplyTo string
	Raw       []byte
}

// Sent is one of our outbound mails, which simulated customers answer,
// auto-reply to or bounce.
type Sent struct {
	MessageID string // without angle brackets
	To        []string
	Subject   string
}

// SimulatorOptions configure a Simulator.
type SimulatorOptions struct {
	// Seed makes the stream: the same seed, clock and sent mail give the
	// same mails.
	Seed int64
	// Now is the clock for Date headers; default time.Now.
	Now func() time.Time
	// Sent returns our outbound mail so far; nil means none, and replies,
	// auto-replies and bounces then become first mails.
	Sent func() []Sent
	// Weights overrides how often each kind comes; nil keeps the defaults.
	Weights map[string]int
}

// Simulator writes a realistic stream of customer mail to the sales
// inbox. Its methods are safe for concurrent use.
type Simulator struct {
	world *World
	now   func() time.Time
	sent  func() []Sent
	kinds []string
	total int
	cum   []int

	mu     sync.Mutex
	rng    *rand.Rand
	seq    int
	counts map[string]int
}

// NewSimulator returns a Simulator writing as the people of w.
func NewSimulator(w *World, o SimulatorOptions) *Simulator {
	s := &Simulator{
		world:  w,
		now:    o.Now,
		sent:   o.Sent,
		rng:    rand.New(rand.NewPCG(uint64(o.Seed), 0xdeadbeef)),
		counts: make(map[string]int),
	}
	if s.now == nil {
		s.now = time.Now
	}
	weights := o.Weights
	if weights == nil {
		weights = defaultWeights
	}
	for _, k := range Kinds() {
		if weights[k] > 0 {
			s.kinds = append(s.kinds, k)
			s.total += weights[k]
			s.cum = append(s.cum, s.total)
		}
	}
	return s
}

// Next writes the next mail of the stream.
func (s *Simulator) Next() Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	kind := KindOrderStatus
	if s.total > 0 {
		n := s.rng.IntN(s.total)
		i, _ := slices.BinarySearch(s.cum, n+1)
		kind = s.kinds[i]
	}
	return s.makeLocked(kind)
}

// Make writes one mail of the given kind. A reply, auto-reply or bounce
// with no outbound mail to answer becomes an order-status question.
func (s *Simulator) Make(kind string) Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.makeLocked(kind)
}

// Counts returns how many mails of each kind were written.
func (s *Simulator) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// Appender delivers a raw mail into the inbox.
type Appender interface {
	Append(ctx context.Context, raw []byte) error
}

// Run appends rate mails per second to dst until ctx ends. A failed append
// is logged and the stream goes on.
func (s *Simulator) Run(ctx context.Context, dst Appender, rate float64, logger *slog.Logger) error {
	if rate <= 0 {
		return fmt.Errorf("demo: rate must be above zero, got %v", rate)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	interval := time.Duration(float64(time.Second) / rate)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		m := s.Next()
		if err := dst.Append(ctx, m.Raw); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			logger.WarnContext(ctx, "simulated mail not delivered", "kind", m.Kind, "error", err)
		}
	}
}

func (s *Simulator) makeLocked(kind string) Mail {
	s.seq++
	var m Mail
	switch kind {
	case KindReply, KindOutOfOffice, KindBounce:
		sent, ok := s.pickSent()
		if !ok {
			m = s.orderStatus(false)
			break
		}
		switch kind {
		case KindReply:
			m = s.reply(sent)
		case KindOutOfOffice:
			m = s.outOfOffice(sent)
		default:
			m = s.bounce(sent)
		}
	case KindOrderStatus:
		m = s.orderStatus(false)
	case KindStrangerOrder:
		m = s.orderStatus(true)
	case KindHeaderInjection:
		m = s.headerInjection()
	case KindHugeSubject:
		m = s.hugeSubject()
	case KindBrokenMIME:
		m = s.brokenMIME()
	case KindOddCharset:
		m = s.oddCharset()
	case KindScriptHTML:
		m = s.scriptHTML()
	default:
		m = s.inquiry(kind)
	}
	s.counts[m.Kind]++
	return m
}

// pickSent picks one of our mails to a customer.
func (s *Simulator) pickSent() (Sent, bool) {
	if s.sent == nil {
		return Sent{}, false
	}
	var cands []Sent
	for _, m := range s.sent() {
		if m.MessageID == "" || len(m.To) == 0 || s.world.RecipientKind(m.To[0]) != "customer" {
			continue
		}
		cands = append(cands, m)
	}
	if len(cands) == 0 {
		return Sent{}, false
	}
	// Recent mail is answered more often than old mail.
	if len(cands) > 40 {
		cands = cands[len(cands)-40:]
	}
	return cands[s.rng.IntN(len(cands))], true
}

func (s *Simulator) pick(list []string) string { return list[s.rng.IntN(len(list))] }

func (s *Simulator) messageID(domain string) string {
	return fmt.Sprintf("%d.%012x@%s", s.seq, s.rng.Uint64()&0xffffffffffff, domain)
}

// contact picks an account and one of its contacts.
func (s *Simulator) contact() (*Account, Person) {
	a := &s.world.Accounts[s.rng.IntN(len(s.world.Accounts))]
	c := a.Contacts[s.rng.IntN(len(a.Contacts))]
	return a, Person{Name: c.Name, Email: c.Email, Company: a.Customer.Name}
}

// sender picks who writes an inquiry: mostly known contacts; quote
// requests come as often from prospects.
func (s *Simulator) sender(kind string) (*Account, Person) {
	if kind == KindQuoteRequest && s.rng.IntN(2) == 0 || kind == KindMeeting && s.rng.IntN(3) == 0 {
		return nil, s.world.Prospects[s.rng.IntN(len(s.world.Prospects))]
	}
	return s.contact()
}

func domainOf(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	return d
}

func firstName(name string) string {
	f, _, _ := strings.Cut(name, " ")
	return f
}

// compose fills a subject and body template and adds greeting and sign-off.
func (s *Simulator) compose(p Person, vars map[string]string, subjects, bodies []string) (string, string) {
	pairs := make([]string, 0, 2*len(vars))
	for k, v := range vars {
		pairs = append(pairs, "{"+k+"}", v)
	}
	r := strings.NewReplacer(pairs...)
	subject := r.Replace(s.pick(subjects))
	var b strings.Builder
	b.WriteString(s.pick(greetings) + "\n\n")
	b.WriteString(r.Replace(s.pick(bodies)) + "\n\n")
	b.WriteString(s.pick(closings) + "\n" + p.Name + "\n")
	if p.Company != "" {
		b.WriteString(p.Company + "\n")
	}
	if s.rng.IntN(3) == 0 {
		b.WriteString(fmt.Sprintf("Tel. +%d %d %04d %04d\n", 1+s.rng.IntN(80), 10+s.rng.IntN(89), s.rng.IntN(10000), s.rng.IntN(10000)))
	}
	return subject, b.String()
}

func (s *Simulator) finish(kind string, p Person, subject, text string, d draft) Mail {
	d.fromName, d.fromAddr = p.Name, p.Email
	if d.to == "" {
		d.to = formatAddress(CompanyName+" Sales", SalesAddress)
	}
	d.subject = subject
	d.date = s.now()
	if d.messageID == "" {
		d.messageID = s.messageID(domainOf(p.Email))
	}
	if d.text == "" && d.body == "" {
		d.text = text
	}
	// A third of the mail comes from clients that also send HTML.
	if d.html == "" && d.contentType == "" && s.rng.IntN(3) == 0 {
		d.html = textToHTML(d.text)
	}
	if d.contentType == "" && s.rng.IntN(4) == 0 {
		d.qp = true
	}
	return Mail{Kind: kind, From: p.Email, Subject: subject, MessageID: d.messageID, InReplyTo: d.inReplyTo, Raw: d.bytes(s.rng.Uint64())}
}

func (s *Simulator) productVars(vars map[string]string) {
	p := products[s.rng.IntN(len(products))]
	vars["product"] = p.name
	vars["sku"] = p.sku
	vars["qty"] = fmt.Sprint([]int{5, 10, 12, 20, 25, 40, 50, 100, 250, 500}[s.rng.IntN(10)])
	vars["qty2"] = fmt.Sprint([]int{15, 30, 60, 75, 150, 300}[s.rng.IntN(6)])
	vars["weekday"] = s.pick([]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"})
	vars["time"] = s.pick([]string{"9:30", "10:00", "11:00", "14:00", "15:30", "16:00"})
	vars["date"] = s.now().AddDate(0, 0, 2+s.rng.IntN(12)).Format("2 January")
	vars["invoice"] = fmt.Sprintf("INV-%d-%05d", s.now().Year(), s.rng.IntN(100000))
	vars["ticket"] = fmt.Sprintf("%d", 1000+s.rng.IntN(9000))
}

func (s *Simulator) orderStatus(stranger bool) Mail {
	a, p := s.contact()
	kind := KindOrderStatus
	if stranger {
		kind = KindStrangerOrder
		p = s.world.Prospects[s.rng.IntN(len(s.world.Prospects))]
	}
	o := a.Orders[s.rng.IntN(len(a.Orders))]
	vars := map[string]string{"order": o.Number, "name": firstName(p.Name)}
	s.productVars(vars)
	subject, text := s.compose(p, vars, orderStatusSubjects, orderStatusBodies)
	return s.finish(kind, p, subject, text, draft{})
}

func (s *Simulator) inquiry(kind string) Mail {
	a, p := s.sender(kind)
	vars := map[string]string{"name": firstName(p.Name), "company": p.Company}
	if p.Company == "" {
		vars["company"] = "our workshop"
	}
	s.productVars(vars)
	if a != nil {
		vars["order"] = a.Orders[s.rng.IntN(len(a.Orders))].Number
	} else {
		vars["order"] = "our last order"
	}
	bank := inquiryBanks[kind]
	subject, text := s.compose(p, vars, bank.subjects, bank.bodies)
	d := draft{}
	switch kind {
	case KindQuoteRequest:
		if s.rng.IntN(3) == 0 {
			d.attach = append(d.attach, attachment{
				name:        fmt.Sprintf("RFQ-%s.pdf", vars["ticket"]),
				contentType: "application/pdf",
				data:        fakePDF("Request for quotation " + vars["ticket"] + ": " + vars["qty"] + " x " + vars["product"]),
			})
		}
	case KindRushOrder:
		d.extra = append(d.extra, [2]string{"Importance", "high"}, [2]string{"X-Priority", "1 (Highest)"})
	case KindSupport:
		if s.rng.IntN(4) == 0 {
			d.attach = append(d.attach, attachment{name: "photo.jpg", contentType: "image/jpeg", data: fakeJPEG()})
		}
	}
	return s.finish(kind, p, subject, text, d)
}

func (s *Simulator) reply(m Sent) Mail {
	p := s.personFor(m.To[0])
	vars := map[string]string{"name": firstName(p.Name)}
	s.productVars(vars)
	subject, text := s.compose(p, vars, []string{"x"}, replyBodies)
	subject = "Re: " + m.Subject
	text += "\n> " + strings.ReplaceAll(m.Subject, "\n", " ") + "\n> (original message)\n"
	d := draft{inReplyTo: m.MessageID, references: []string{m.MessageID}}
	return s.finish(KindReply, p, subject, text, d)
}

func (s *Simulator) outOfOffice(m Sent) Mail {
	p := s.personFor(m.To[0])
	back := s.now().AddDate(0, 0, 3+s.rng.IntN(10)).Format("Monday 2 January")
	subject := s.pick([]string{"Out of Office: ", "Automatic reply: ", "Abwesenheitsnotiz: ", "Auto: "}) + m.Subject
	text := fmt.Sprintf("Thank you for your message. I am out of the office until %s with limited access to email.\n\n"+
		"For urgent matters please contact our office on the main number.\n\n%s\n", back, p.Name)
	d := draft{
		inReplyTo:  m.MessageID,
		references: []string{m.MessageID},
		extra:      [][2]string{{"Auto-Submitted", "auto-replied"}, {"X-Autoreply", "yes"}, {"Precedence", "auto_reply"}},
		text:       text,
	}
	return s.finish(KindOutOfOffice, p, subject, text, d)
}

func (s *Simulator) bounce(m Sent) Mail {
	rcpt := m.To[0]
	mta := "mx1." + domainOf(rcpt)
	p := Person{Name: "Mail Delivery System", Email: "MAILER-DAEMON@" + mta}
	boundary := fmt.Sprintf("=_report_%012x", s.rng.Uint64()&0xffffffffffff)
	status, diag := "5.1.1", "550 5.1.1 <"+rcpt+">: Recipient address rejected: User unknown in virtual mailbox table"
	if s.rng.IntN(3) == 0 {
		status, diag = "5.2.2", "552 5.2.2 <"+rcpt+">: Mailbox full"
	}
	body := fmt.Sprintf(`This is a MIME-encapsulated message.

--%[1]s
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host %[2]s.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<%[3]s>: host %[2]s said: %[4]s

--%[1]s
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; %[2]s
Arrival-Date: %[6]s

Final-Recipient: rfc822; %[3]s
Original-Recipient: rfc822;%[3]s
Action: failed
Status: %[5]s
Diagnostic-Code: smtp; %[4]s

--%[1]s
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: %[7]s
To: %[3]s
Subject: %[8]s
Message-ID: <%[9]s>

--%[1]s--
`, boundary, mta, rcpt, diag, status, s.now().Format(time.RFC1123Z), SalesAddress, m.Subject, m.MessageID)
	d := draft{
		to:          SalesAddress,
		extra:       [][2]string{{"Auto-Submitted", "auto-replied"}},
		contentType: `multipart/report; report-type=delivery-status; boundary="` + boundary + `"`,
		body:        body,
	}
	out := s.finish(KindBounce, p, "Undelivered Mail Returned to Sender", "", d)
	out.InReplyTo = m.MessageID
	return out
}

// personFor finds the contact or prospect behind an address.
func (s *Simulator) personFor(addr string) Person {
	for _, a := range s.world.Accounts {
		for _, c := range a.Contacts {
			if strings.EqualFold(c.Email, addr) {
				return Person{Name: c.Name, Email: c.Email, Company: a.Customer.Name}
			}
		}
	}
	for _, p := range s.world.Prospects {
		if strings.EqualFold(p.Email, addr) {
			return p
		}
	}
	return Person{Name: strings.ToUpper(addr[:1]) + strings.SplitN(addr, "@", 2)[0][1:], Email: addr}
}

func fakePDF(text string) []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text + "\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

func fakeJPEG() []byte {
	b := []byte{0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}
	return append(b, 0xff, 0xd9)
}
