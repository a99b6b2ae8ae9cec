package routing

import (
	"errors"
	"fmt"
	"net/mail"
	"path"
	"regexp"
	"strings"

	"salesdesk/internal/entity"
)

// Rule routes the mails it matches without asking the model. All the
// conditions a rule sets must hold; within Subject or Body, any one entry
// is enough. Rules are tried in order and the first match wins.
type Rule struct {
	Name string `json:"name" yaml:"name"`
	// Sender is an address or a glob over it ("ceo@bigco.com",
	// "*@bigco.com", "orders-*@*"), compared without case.
	Sender string `json:"sender,omitempty" yaml:"sender,omitempty"`
	// SenderDomain matches the sender's domain and its subdomains.
	SenderDomain string `json:"sender_domain,omitempty" yaml:"sender_domain,omitempty"`
	// Subject and Body entries are keywords or phrases, matched without
	// case on word boundaries, or regular expressions written "re:<expr>".
	Subject []string `json:"subject,omitempty" yaml:"subject,omitempty"`
	Body    []string `json:"body,omitempty" yaml:"body,omitempty"`

	Category Category `json:"category" yaml:"category"`
	// Priority overrides the priority from urgency cues when set.
	Priority entity.Priority `json:"priority,omitempty" yaml:"priority,omitempty"`
	// Assignee names who takes the mail (a rep's address or id) when set.
	Assignee string `json:"assignee,omitempty" yaml:"assignee,omitempty"`
}

// RuleSet is a compiled, ordered list of rules.
type RuleSet struct {
	rules []compiledRule
}

type compiledRule struct {
	Rule
	subject, body []matcher
}

// matcher is a keyword (lowercase) or a regular expression.
type matcher struct {
	keyword string
	re      *regexp.Regexp
}

// ErrRule means a rule cannot be used; the message names the rule and field.
var ErrRule = errors.New("routing: invalid rule")

// CompileRules checks and compiles rules. An error names the rule (by
// Name, or by position) and the field at fault.
func CompileRules(rules []Rule) (*RuleSet, error) {
	rs := &RuleSet{}
	for i, r := range rules {
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		if !r.Category.Valid() {
			return nil, fmt.Errorf("%w: rule %s: category: unknown %q", ErrRule, name, r.Category)
		}
		if r.Priority != "" && !r.Priority.Valid() {
			return nil, fmt.Errorf("%w: rule %s: priority: must be low, normal or high", ErrRule, name)
		}
		if r.Sender == "" && r.SenderDomain == "" && len(r.Subject) == 0 && len(r.Body) == 0 {
			return nil, fmt.Errorf("%w: rule %s: needs a sender, sender_domain, subject or body condition", ErrRule, name)
		}
		cr := compiledRule{Rule: r}
		cr.Sender = strings.ToLower(strings.TrimSpace(r.Sender))
		if _, err := path.Match(cr.Sender, ""); err != nil {
			return nil, fmt.Errorf("%w: rule %s: sender: %w", ErrRule, name, err)
		}
		cr.SenderDomain = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(r.SenderDomain)), "@")
		var err error
		if cr.subject, err = compileMatchers(r.Subject); err != nil {
			return nil, fmt.Errorf("%w: rule %s: subject: %w", ErrRule, name, err)
		}
		if cr.body, err = compileMatchers(r.Body); err != nil {
			return nil, fmt.Errorf("%w: rule %s: body: %w", ErrRule, name, err)
		}
		rs.rules = append(rs.rules, cr)
	}
	return rs, nil
}

func compileMatchers(entries []string) ([]matcher, error) {
	var out []matcher
	for _, e := range entries {
		if expr, ok := strings.CutPrefix(e, "re:"); ok {
			re, err := regexp.Compile(expr)
			if err != nil {
				return nil, err
			}
			out = append(out, matcher{re: re})
			continue
		}
		k := strings.ToLower(strings.TrimSpace(e))
		if k == "" {
			return nil, errors.New("empty keyword")
		}
		out = append(out, matcher{keyword: k})
	}
	return out, nil
}

// Match returns the first rule that matches a mail from the given sender
// (an address, with or without a display name) with the given subject and
// new text, or false.
func (rs *RuleSet) Match(from, subject, text string) (Rule, bool) {
	if rs == nil || len(rs.rules) == 0 {
		return Rule{}, false
	}
	addr := senderAddress(from)
	domain := ""
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		domain = addr[i+1:]
	}
	var lowSubject, lowText string
	lowered := false
	for _, r := range rs.rules {
		if r.Sender != "" {
			if ok, _ := path.Match(r.Sender, addr); !ok {
				continue
			}
		}
		if r.SenderDomain != "" && domain != r.SenderDomain && !strings.HasSuffix(domain, "."+r.SenderDomain) {
			continue
		}
		if !lowered {
			lowSubject, lowText = strings.ToLower(subject), strings.ToLower(text)
			lowered = true
		}
		if len(r.subject) > 0 && !anyMatch(r.subject, subject, lowSubject) {
			continue
		}
		if len(r.body) > 0 && !anyMatch(r.body, text, lowText) {
			continue
		}
		return r.Rule, true
	}
	return Rule{}, false
}

func senderAddress(from string) string {
	from = strings.TrimSpace(from)
	if a, err := mail.ParseAddress(from); err == nil {
		return strings.ToLower(a.Address)
	}
	return strings.ToLower(strings.Trim(from, "<>"))
}

func anyMatch(ms []matcher, s, lower string) bool {
	for _, m := range ms {
		if m.re != nil {
			if m.re.MatchString(s) {
				return true
			}
			continue
		}
		if containsWord(lower, m.keyword) {
			return true
		}
	}
	return false
}

// containsWord reports whether kw occurs in s with no letter or digit
// glued to either end ("stop" is in "please stop!" but not in "nonstop").
func containsWord(s, kw string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], kw)
		if i < 0 {
			return false
		}
		i += off
		j := i + len(kw)
		before := i == 0 || !isWordByte(s[i-1]) || !isWordByte(kw[0])
		after := j == len(s) || !isWordByte(s[j]) || !isWordByte(kw[len(kw)-1])
		if before && after {
			return true
		}
		off = i + 1
	}
}
