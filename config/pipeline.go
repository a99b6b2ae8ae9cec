package config

import (
	"regexp"
	"strings"
)

var currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)

// pipeline checks the won/lost keys of leads.
func (v *checker) pipeline(l LeadsConfig) {
	if !currencyRe.MatchString(l.Currency) {
		v.add("leads.currency", "must be an ISO 4217 code such as EUR")
	}
	if len(l.LostReasons) == 0 {
		v.add("leads.lost_reasons", "must name at least one reason")
	}
	seen := map[string]bool{}
	for i, r := range l.LostReasons {
		key := strings.ToLower(strings.TrimSpace(r))
		switch {
		case key == "" || len(r) > 80:
			v.add(index("leads.lost_reasons", i), "must be 1-80 characters")
		case seen[key]:
			v.add(index("leads.lost_reasons", i), "repeats %q", r)
		}
		seen[key] = true
	}
}
