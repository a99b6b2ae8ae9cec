package routing

import (
	"errors"
	"testing"

	"salesdesk/internal/entity"
)

func TestRuleSetMatch(t *testing.T) {
	rs, err := CompileRules([]Rule{
		{Name: "vip", Sender: "*@bigco.com", Category: QuoteRequest, Priority: entity.PriorityHigh, Assignee: "rep-7"},
		{Name: "subsidiary", SenderDomain: "acme.example", Subject: []string{"invoice"}, Category: Billing},
		{Name: "optout", Body: []string{"unsubscribe", "stop emailing"}, Category: Unsubscribe},
		{Name: "po-regex", Subject: []string{`re:(?i)^PO\s*\d{5}$`}, Category: OrderChange},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		from     string
		subject  string
		body     string
		wantRule string
	}{
		{name: "sender glob with display name", from: "Jo <Jo@BigCo.com>", body: "hello", wantRule: "vip"},
		{name: "domain and subdomain with subject keyword", from: "ap@eu.acme.example", subject: "Invoice 44", wantRule: "subsidiary"},
		{name: "domain without keyword", from: "ap@acme.example", subject: "hello"},
		{name: "other domain ending alike", from: "x@notacme.example", subject: "invoice"},
		{name: "body keyword any-of", from: "a@b.c", body: "Please STOP emailing me.", wantRule: "optout"},
		{name: "keyword needs word boundary", from: "a@b.c", body: "we unsubscribed-ish nonstop emailing"},
		{name: "regex", from: "a@b.c", subject: "PO 12345", wantRule: "po-regex"},
		{name: "first match wins", from: "x@bigco.com", body: "unsubscribe", wantRule: "vip"},
		{name: "nothing", from: "a@b.c", subject: "hi", body: "where is my order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := rs.Match(tt.from, tt.subject, tt.body)
			if got := r.Name; ok != (tt.wantRule != "") || got != tt.wantRule {
				t.Errorf("Match = %q, %v; want %q", got, ok, tt.wantRule)
			}
		})
	}
}

func TestCompileRulesErrors(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
	}{
		{name: "unknown category", rule: Rule{Name: "x", Sender: "a@b", Category: "sales"}},
		{name: "no condition", rule: Rule{Name: "x", Category: Billing}},
		{name: "bad regex", rule: Rule{Name: "x", Body: []string{"re:("}, Category: Billing}},
		{name: "bad glob", rule: Rule{Name: "x", Sender: "[", Category: Billing}},
		{name: "bad priority", rule: Rule{Name: "x", Sender: "a@b", Category: Billing, Priority: "urgent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := CompileRules([]Rule{tt.rule}); !errors.Is(err, ErrRule) {
				t.Errorf("CompileRules = %v, want ErrRule", err)
			}
		})
	}
}
