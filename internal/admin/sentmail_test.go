package admin

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func kindOf(addr string) string {
	switch {
	case strings.HasSuffix(addr, "@rep.example"):
		return KindRep
	case addr == "boss@northwind.example":
		return KindManager
	}
	return KindCustomer
}

func captured(subject string, to ...string) CapturedMail {
	data := fmt.Sprintf("From: Sales <sales@northwind.example>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@northwind.example>\r\nDate: Tue, 04 Mar 2025 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody of %s\r\n",
		strings.Join(to, ", "), subject, strings.ReplaceAll(subject, " ", "-"), subject)
	return CapturedMail{From: "sales@northwind.example", To: to, Data: []byte(data)}
}

func TestFilterSentMail(t *testing.T) {
	mails := []CapturedMail{
		captured("ack one", "ada@acme.example"),
		captured("lead one", "kim@rep.example"),
		captured("report", "boss@northwind.example"),
		captured("ack two", "bob@globex.example"),
		captured("handoff", "kim@rep.example", "boss@northwind.example"),
	}
	tests := []struct {
		name        string
		f           SentMailFilter
		wantSubject []string
		wantPerKind map[string]int
	}{
		{"all, newest first", SentMailFilter{}, []string{"handoff", "ack two", "report", "lead one", "ack one"},
			map[string]int{"": 5, KindCustomer: 2, KindRep: 2, KindManager: 2}},
		{"customers", SentMailFilter{Kind: KindCustomer}, []string{"ack two", "ack one"}, nil},
		{"reps", SentMailFilter{Kind: KindRep}, []string{"handoff", "lead one"}, nil},
		{"managers", SentMailFilter{Kind: KindManager}, []string{"handoff", "report"}, nil},
		{"address piece, any case", SentMailFilter{Address: "ACME"}, []string{"ack one"},
			map[string]int{"": 1, KindCustomer: 1}},
		{"address and kind", SentMailFilter{Kind: KindRep, Address: "kim@"}, []string{"handoff", "lead one"},
			map[string]int{"": 2, KindRep: 2, KindManager: 1}},
		{"nothing matches", SentMailFilter{Address: "nobody"}, nil, map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, perKind := FilterSentMail(mails, tt.f, kindOf)
			var subjects []string
			for _, m := range got {
				for _, s := range []string{"ack one", "lead one", "report", "ack two", "handoff"} {
					if strings.Contains(string(m.Data), "Subject: "+s+"\r\n") {
						subjects = append(subjects, s)
					}
				}
			}
			if fmt.Sprint(subjects) != fmt.Sprint(tt.wantSubject) {
				t.Errorf("mails = %v, want %v", subjects, tt.wantSubject)
			}
			if tt.wantPerKind != nil && fmt.Sprint(perKind) != fmt.Sprint(tt.wantPerKind) {
				t.Errorf("per kind = %v, want %v", perKind, tt.wantPerKind)
			}
		})
	}
}

const hostileHTMLMail = "From: Sales <sales@northwind.example>\r\nTo: ada@acme.example\r\nSubject: <script>alert('subject')</script> Your order\r\n" +
	"Message-ID: <html-1@northwind.example>\r\nIn-Reply-To: <cust-1@acme.example>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
	"--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n" +
	"--b2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour order SO-10042 has shipped.\r\n" +
	"--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p onclick=\"x()\">Your order <b>SO-10042</b> has shipped.</p><script>alert(1)</script><a href=\"javascript:alert(2)\">track</a>\r\n" +
	"--b2--\r\n" +
	"--b1\r\nContent-Type: text/calendar; method=REQUEST; name=\"invite.ics\"\r\nContent-Disposition: attachment; filename=\"invite.ics\"\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" +
	"--b1\r\nContent-Type: text/csv; name=\"leads.csv\"\r\nContent-Disposition: attachment; filename=\"leads.csv\"\r\n\r\na,b\r\n1,2\r\n" +
	"--b1--\r\n"

func TestSentMailPage(t *testing.T) {
	f := setup(t)
	mails := []CapturedMail{
		captured("lead one", "kim@rep.example"),
		{From: "sales@northwind.example", To: []string{"ada@acme.example"}, Data: []byte(hostileHTMLMail)},
	}
	p, err := New(Options{Store: f.st, SentMail: func() []CapturedMail { return mails }, RecipientKind: kindOf})
	if err != nil {
		t.Fatal(err)
	}
	code, body, _ := get(t, p, "/demo/mail")
	if code != http.StatusOK {
		t.Fatalf("GET /demo/mail = %d\n%s", code, body)
	}
	for _, want := range []string{
		`<p>Your order <b>SO-10042</b> has shipped.</p>`, // sanitised HTML, shown as HTML
		`<a>track</a>`,
		`&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt; Your order`, // subject escaped
		`invite.ics`, `leads.csv`, `text/calendar`,
		`In-Reply-To</b> &lt;cust-1@acme.example&gt;`,
		`Auto-Submitted</b> auto-replied`,
		`Your order SO-10042 has shipped.`, // the text part
		`<span class="tag rep">rep</span> kim@rep.example`,
		`data-kind="rep">To reps <span class="count">1</span>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("sent mail lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>", "onclick", "javascript:"} {
		if strings.Contains(body, bad) {
			t.Errorf("sent mail contains %q", bad)
		}
	}
	if strings.Index(body, "SO-10042") > strings.Index(body, "lead one") {
		t.Error("sent mail is not newest first")
	}

	_, body, _ = get(t, p, "/demo/mail?kind=rep")
	if strings.Contains(body, "SO-10042") || !strings.Contains(body, "lead one") {
		t.Error("?kind=rep shows customer mail or hides rep mail")
	}
	_, body, _ = get(t, p, "/demo/mail?to=nobody")
	if !strings.Contains(body, "No mail matches this filter") {
		t.Error("an empty filter result is not explained")
	}
	if code, _, _ := get(t, p, "/demo/mail?kind=%3Cscript%3E&offset=-4"); code != http.StatusOK {
		t.Errorf("odd query answered %d", code)
	}
}

func TestSentMailPages(t *testing.T) {
	f := setup(t)
	var mails []CapturedMail
	for i := range sentMailPageSize + 7 {
		mails = append(mails, captured(fmt.Sprintf("mail %03d", i), "ada@acme.example"))
	}
	p, err := New(Options{Store: f.st, SentMail: func() []CapturedMail { return mails }})
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := get(t, p, "/demo/mail")
	if !strings.Contains(body, fmt.Sprintf("mail %03d", sentMailPageSize+6)) || strings.Contains(body, "mail 006<") {
		t.Error("first page does not hold the newest mails only")
	}
	if !strings.Contains(body, `href="/demo/mail?offset=50"`) || !strings.Contains(body, "7 more") {
		t.Error("first page does not link to the older mail")
	}
	_, body, _ = get(t, p, "/demo/mail?offset=50")
	if !strings.Contains(body, "mail 000") || strings.Contains(body, "mail 010") {
		t.Error("second page does not hold the oldest mails")
	}
}
