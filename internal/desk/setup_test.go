package desk

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/lead"
	"salesdesk/internal/link"
	"salesdesk/internal/store"
)

// monday10 is a Monday 10:00 UTC.
var monday10 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// sink accepts tasks the lead service enqueues.
type sink struct{}

func (sink) EnqueueContext(context.Context, *asynq.Task, ...asynq.Option) (*asynq.TaskInfo, error) {
	return &asynq.TaskInfo{}, nil
}

// fixture is a desk on a fresh SQLite store with a small team:
// rita and otto (reps), mia (manager), ada (admin), a customer owned by
// rita, an inquiry from them with a lead for rita, one for otto, an order
// with a rush request and an open alert.
type fixture struct {
	t       testing.TB
	ctx     context.Context
	st      *store.Store
	desk    *Desk
	signer  *link.Signer
	clock   *clock
	srv     *httptest.Server
	mu      sync.Mutex
	mails   []*store.OutboundEmail
	relabel []string

	rita, otto, mia, ada      *store.Rep
	customer                  *store.Customer
	inquiry                   *store.Inquiry
	ritaLead, ottoLead        *store.Lead
	order                     *store.Order
	request                   *store.OrderRequest
	alert                     *store.Alert
	inboundWord, outboundWord string
}

func setup(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: monday10}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "desk.db"), store.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := lead.New(lead.Deps{Store: st, Enqueuer: sink{}, Now: clk.Now, Seed: 1}, lead.Options{RepCacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := link.New([]byte("a test link secret of enough length"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, st: st, signer: signer, clock: clk}
	la, _ := time.LoadLocation("America/Los_Angeles")
	f.desk, err = New(Options{
		Store: st, Leads: svc, Signer: signer, SessionKey: []byte(strings.Repeat("k", 32)),
		Staff: func(r *http.Request) (Staff, bool) {
			switch r.Header.Get("X-Test-Staff") {
			case "admin":
				return Staff{Name: "root", Admin: true}, true
			case "viewer":
				return Staff{Name: "vera"}, true
			}
			return Staff{}, false
		},
		Mail: func(_ context.Context, o *store.OutboundEmail) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.mails = append(f.mails, o)
			return nil
		},
		From: "desk@ourco.example", BaseURL: "https://desk.ourco.example",
		Location: la, ContactSLA: 4 * time.Hour, Now: clk.Now, LostReasons: []string{"price", "timing", "other"},
		Relabel: func(ctx context.Context, id int64, category, by string) error {
			f.relabel = append(f.relabel, category+" by "+by)
			return st.SetInquiryCategory(ctx, id, category, 1)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.seed()
	f.srv = httptest.NewServer(f.desk)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) rep(name, email, role, tz string) *store.Rep {
	f.t.Helper()
	r := &store.Rep{Name: name, Email: email, Active: true, Weight: 1, Timezone: tz}
	id, err := f.st.CreateRep(f.ctx, r)
	f.must(err)
	f.must(f.st.SetRepRole(f.ctx, email, role))
	r.ID = id
	return r
}

func (f *fixture) seed() {
	ctx, st := f.ctx, f.st
	f.rita = f.rep("Rita Rep", "rita@ourco.example", store.RoleRep, "America/Los_Angeles")
	f.otto = f.rep("Otto Other", "otto@ourco.example", store.RoleRep, "Europe/Berlin")
	f.mia = f.rep("Mia Manager", "mia@ourco.example", store.RoleManager, "")
	f.ada = f.rep("Ada Ops", "ada@ourco.example", store.RoleAdmin, "")

	f.customer = &store.Customer{Name: "Acme Tools", Domain: "acme.com", OwnerRepID: f.rita.ID}
	_, err := st.CreateCustomer(ctx, f.customer)
	f.must(err)
	_, err = st.CreateContact(ctx, &store.Contact{CustomerID: f.customer.ID, Email: "ann@acme.com", Name: "Ann Buyer"})
	f.must(err)

	f.inboundWord, f.outboundWord = "flanges", "quotation"
	inID, _, _, err := st.SaveInboundMessage(ctx, &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: 1,
		MessageID: "q1@acme.com", Raw: []byte("Subject: Quote\r\n\r\nWe need 400 stainless flanges by March.\r\n"), ReceivedAt: monday10})
	f.must(err)
	f.must(st.SetInboundParsed(ctx, inID, store.ParsedInbound{From: "ann@acme.com", FromName: "Ann Buyer",
		To: []string{"sales@ourco.example"}, Subject: "Quote for flanges", Date: monday10, Kind: store.KindHuman,
		Text: "We need 400 stainless flanges by March.", NewText: "We need 400 stainless flanges by March."}))
	f.inquiry = &store.Inquiry{InboundMessageID: inID, CustomerID: f.customer.ID, ContactEmail: "ann@acme.com",
		Subject: "Quote for flanges", Category: "quote_request", Confidence: 0.9}
	_, _, err = st.CreateInquiry(ctx, f.inquiry)
	f.must(err)
	f.inquiry, err = st.Inquiry(ctx, f.inquiry.ID)
	f.must(err)
	_, _, err = st.CreateOutbound(ctx, &store.OutboundEmail{IdempotencyKey: "ack:1", MessageID: "ack1@ourco.example", Kind: "ack",
		InquiryID: f.inquiry.ID, From: "sales@ourco.example", To: []string{"ann@acme.com"}, Subject: "Re: Quote for flanges",
		BodyText: "Thank you; a rep sends your quotation today."})
	f.must(err)

	f.ritaLead = f.lead(f.inquiry.ID, "400 flanges", f.rita.ID)
	f.ottoLead = f.lead(0, "Pumps for Globex", f.otto.ID)

	f.order = &store.Order{CustomerID: f.customer.ID, Number: "SO-48213", Status: "processing", Currency: "EUR", AmountCents: 124000}
	f.order.ID, err = st.CreateOrder(ctx, f.order)
	f.must(err)
	f.request = &store.OrderRequest{OrderID: f.order.ID, InquiryID: f.inquiry.ID, Kind: store.OrderRequestRush, Words: "Please ship by Friday"}
	_, _, err = st.CreateOrderRequest(ctx, f.request)
	f.must(err)
	f.alert = &store.Alert{DedupeKey: "a1", Kind: "complaint_burst", Severity: "warning", Subject: "3 complaints from Acme", Detail: "SD-1, SD-2, SD-3"}
	_, _, err = st.CreateAlert(ctx, f.alert)
	f.must(err)
}

func (f *fixture) lead(inquiryID int64, summary string, repID int64) *store.Lead {
	f.t.Helper()
	l := &store.Lead{InquiryID: inquiryID, CustomerID: f.customer.ID, ContactEmail: "ann@acme.com", Company: "Acme Tools",
		Summary: summary, Source: "email", Status: store.LeadUnassigned}
	id, _, err := f.st.CreateLead(f.ctx, l)
	f.must(err)
	l.ID = id
	_, err = f.st.AssignLead(f.ctx, l.ID, 0, repID, "test")
	f.must(err)
	l, err = f.st.Lead(f.ctx, l.ID)
	f.must(err)
	return l
}

// client is a browser without JavaScript: it keeps cookies and does not
// follow redirects, so tests see each answer.
type client struct {
	f     *fixture
	http  *http.Client
	staff string
}

func (f *fixture) client(staff string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{f: f, staff: staff, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// as returns a client signed in as rep through a person link.
func (f *fixture) as(rep *store.Rep) *client {
	f.t.Helper()
	c := f.client("")
	u := f.signer.PersonURL(f.srv.URL, Prefix+"/", rep.ID, f.clock.Now().Add(time.Hour))
	code, _, loc := c.get(u)
	if code != http.StatusSeeOther || loc != Prefix+"/" {
		f.t.Fatalf("person link for %s: %d to %q", rep.Email, code, loc)
	}
	return c
}

// persona returns the client of an access-table persona.
func (f *fixture) persona(name string) *client {
	switch name {
	case "anonymous":
		return f.client("")
	case "rep":
		return f.as(f.rita)
	case "other rep":
		return f.as(f.otto)
	case "manager":
		return f.as(f.mia)
	case "operations":
		return f.as(f.ada)
	case "viewer", "admin":
		return f.client(name)
	}
	f.t.Fatalf("unknown persona %q", name)
	return nil
}

func (c *client) do(method, u string, form url.Values) (int, string, string) {
	c.f.t.Helper()
	if !strings.HasPrefix(u, "http") {
		u = c.f.srv.URL + u
	}
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, u, body)
	c.f.must(err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.staff != "" {
		req.Header.Set("X-Test-Staff", c.staff)
	}
	resp, err := c.http.Do(req)
	c.f.must(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	c.f.must(err)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

func (c *client) get(u string) (int, string, string) { return c.do("GET", u, nil) }
func (c *client) post(u string, form url.Values) (int, string, string) {
	if form == nil {
		form = url.Values{}
	}
	return c.do("POST", u, form)
}

var magicURL = regexp.MustCompile(`https://desk\.ourco\.example(/desk/magic/[A-Za-z0-9_-]+)`)

// lastMagicPath returns the path of the magic link in the last mail sent.
func (f *fixture) lastMagicPath() (string, *store.OutboundEmail) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.mails) == 0 {
		f.t.Fatal("no mail sent")
	}
	m := f.mails[len(f.mails)-1]
	g := magicURL.FindStringSubmatch(m.BodyText)
	if g == nil {
		f.t.Fatalf("no magic link in %q", m.BodyText)
	}
	return g[1], m
}

func (f *fixture) mailCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.mails)
}
