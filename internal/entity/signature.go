package entity

import (
	"regexp"
	"strings"
	"unicode"

	"salesdesk/internal/mailparse"
)

var (
	phoneRe = regexp.MustCompile(`(?i)(?:^|[\s:])(\+?\(?\d[\d\s()./-]{5,}\d)`)
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	// Legal forms that mark a company name.
	companyRe = regexp.MustCompile(`(?i)(?:\b(?:gmbh|ag|kg|ltd|limited|llc|inc|corp|corporation|plc|bv|b\.v\.|nv|n\.v\.|sa|s\.a\.|sas|sarl|srl|s\.r\.l\.|s\.r\.o\.|spa|s\.p\.a\.|ab|oy|as|a/s|aps|pte|pty|co\.|company|group|gruppe|sp\. z o\.o\.|holding|industries|trading|logistics|foods|supply|systems|solutions)\b\.?|\bsp\. z o\.o\.)`)
	titleRe   = regexp.MustCompile(`(?i)\b(?:manager|director|head of|head|buyer|purchasing|procurement|purchase|einkauf|coordinator|specialist|engineer|assistant|officer|ceo|cfo|coo|cto|owner|founder|co-founder|lead|planner|president|vp|vice president|chef|executive|administrator|accountant|analyst|consultant|representative|supervisor|dept\.?|department|team|nurse|professor|prof\.|dr\.)\b`)
	labelRe   = regexp.MustCompile(`(?i)^(?:tel|phone|mobile|mob|cell|fon|fax|t|m|p|f|e|email|e-mail|mail|web|www|w)\b\.?\s*[:.]?\s*`)
)

// readSignature reads who wrote the mail from its signature block, or,
// when the mail has none, from a name on the last line of its text.
func readSignature(msg, sig string) Signature {
	var s Signature
	lines := sigLines(sig)
	if len(lines) > 0 && mailparse.IsSignOff(lines[0]) {
		lines = lines[1:]
	}
	if len(lines) == 0 {
		// "...\nThanks, Tom" or a last line with just a name.
		ls := sigLines(msg)
		if len(ls) > 1 {
			last := ls[len(ls)-1]
			if _, after, ok := strings.Cut(last, ","); ok && mailparse.IsSignOff(last[:len(last)-len(after)-1]) {
				last = strings.TrimSpace(after)
			}
			if looksLikeName(last) {
				s.Name = last
			}
		}
		return s
	}
	for _, l := range lines {
		if s.Email == "" {
			if m := emailRe.FindString(l); m != "" {
				s.Email = m
			}
		}
		if s.Phone == "" && !emailRe.MatchString(l) {
			if m := phoneRe.FindStringSubmatch(l); m != nil && digits(m[1]) >= 7 {
				s.Phone = strings.TrimSpace(m[1])
				continue
			}
		}
		if labelRe.MatchString(l) && (strings.ContainsAny(l, "@") || digits(l) >= 5) {
			continue
		}
		for _, part := range splitSigLine(l) {
			switch {
			case s.Name == "" && looksLikeName(part):
				s.Name = part
			case s.Company == "" && companyRe.MatchString(part) && !titleRe.MatchString(part):
				s.Company = part
			case s.Title == "" && titleRe.MatchString(part) && s.Name != "":
				// "Procurement, Baltic Drives" split already; "Buyer at X".
				if t, c, ok := strings.Cut(part, " at "); ok && s.Company == "" {
					s.Title, s.Company = strings.TrimSpace(t), strings.TrimSpace(c)
				} else {
					s.Title = part
				}
			case s.Company == "" && s.Name != "" && s.Title != "" && digits(part) == 0 && len(part) < 60:
				// The line after name and title is most often the company.
				s.Company = part
			}
		}
	}
	return s
}

func sigLines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		l = strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "-–_*|"))
		if l != "" {
			out = append(out, l)
		}
	}
	if len(out) > 10 {
		out = out[:10]
	}
	return out
}

// splitSigLine splits "Name | Title | Company" and "Title, Company"
// lines, but not "Sp. z o.o." or "Smith, Jr.".
func splitSigLine(l string) []string {
	var parts []string
	for _, p := range strings.FieldsFunc(l, func(r rune) bool { return r == '|' || r == '•' || r == '·' }) {
		if i := strings.Index(p, ", "); i > 0 && !companyRe.MatchString(p[:i]) && (titleRe.MatchString(p[:i]) || companyRe.MatchString(p[i:])) {
			parts = append(parts, strings.TrimSpace(p[:i]), strings.TrimSpace(p[i+2:]))
			continue
		}
		if i := strings.Index(p, " - "); i > 0 {
			parts = append(parts, strings.TrimSpace(p[:i]), strings.TrimSpace(p[i+3:]))
			continue
		}
		parts = append(parts, strings.TrimSpace(p))
	}
	return parts
}

// looksLikeName accepts one to four capitalised words, optionally with an
// academic title: "Anna Kowalski", "Dr. Helen Moss", "R. Thompson", "Tom".
func looksLikeName(s string) bool {
	if s == "" || len(s) > 40 || strings.ContainsAny(s, "@:/0123456789") {
		return false
	}
	words := strings.Fields(s)
	if len(words) > 4 {
		return false
	}
	if companyRe.MatchString(s) || mailparse.IsSignOff(s) {
		return false
	}
	if titleRe.MatchString(s) && !strings.HasPrefix(strings.ToLower(s), "dr.") && !strings.HasPrefix(strings.ToLower(s), "prof.") {
		return false
	}
	for _, w := range words {
		r := []rune(w)
		if !unicode.IsUpper(r[0]) {
			return false
		}
	}
	return true
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}
