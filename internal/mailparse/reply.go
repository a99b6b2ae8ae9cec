package mailparse

import (
	"regexp"
	"strings"
)

var (
	attributionStart = regexp.MustCompile(`(?i)^(on|am|le|el|op|il|em|den|w dniu|dne|på|el día)\s`)
	attributionEnd   = regexp.MustCompile(`(?i)(wrote|writes|schrieb|a écrit|a ecrit|escribió|escribio|schreef|ha scritto|escreveu|skrev|napisał|napsal|kirjoitti)\s*:?\s*$`)
	attributionVerb  = regexp.MustCompile(`(?i)(wrote|writes|schrieb|a écrit|a ecrit|escribió|escribio|schreef|ha scritto|escreveu|skrev|napisał|napsal|kirjoitti).*:\s*$`)
	separatorLine    = regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|ursprüngliche nachricht|ursprungliche nachricht|message d'origine|mensaje original|oorspronkelijk bericht|messaggio originale|mensagem original|forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|reply message|original)\s*-{2,}\s*$`)
	outlookFrom      = regexp.MustCompile(`(?i)^\*?(from|von|de|van|da|od|från|fra)\s*:\*?\s`)
	outlookSent      = regexp.MustCompile(`(?i)^\*?(sent|date|gesendet|datum|envoyé|envoye|enviado|enviada|fecha|verzonden|inviato|skickat|sendt|data|wysłano)\s*:`)
	underscoreLine   = regexp.MustCompile(`^\s*_{10,}\s*$`)
	mobileSignature  = regexp.MustCompile(`(?i)^(sent from my |sent from mail for|sent from outlook|get outlook for|sent from yahoo|sent via |sent with |von meinem .* gesendet|gesendet von meinem|envoyé de mon|envoyé depuis|enviado desde mi|enviado do meu|verzonden vanaf mijn|verstuurd vanaf mijn|inviato da)`)
	signOff          = regexp.MustCompile(`(?i)^(best|best regards|best wishes|kind regards|kind wishes|kindest regards|warm regards|warm wishes|warmest regards|warmest wishes|with best regards|with best wishes|with kind regards|with kind wishes|many regards|many wishes|wishes|regards|br|many thanks|thanks|thanks again|thanks a lot|thanks in advance|thanks so much|many thanks again|many thanks in advance|many thanks a lot|many thanks so much|thank you|thank you very much|thank you again|thank you in advance|thx|ty|cheers|sincerely|yours|yours truly|yours sincerely|yours faithfully|respectfully|all the best|un saluto|tack|mit freundlichen grüßen|mit freundlichen grüssen|freundliche grüße|viele grüße|beste grüße|liebe grüße|schöne grüße|lg|mfg|gruß|grüße|cordialement|bien cordialement|salutations|bien à vous|merci|saludos|saludos cordiales|un saludo|atentamente|met vriendelijke groet|met vriendelijke groeten|vriendelijke groet|groeten|groet|distinti saluti|cordiali saluti|saluti|atenciosamente|abraços|with thanks|with thanks and best regards|many thanks and best regards|warm greetings|herzliche grüße|herzliche grüsse|vielen dank und freundliche grüße|danke und beste grüße|danke und viele grüße|mit bestem dank und freundlichen grüßen|danke|vielen dank|salutations distinguées|sincères salutations|bien amicalement|meilleures salutations|merci beaucoup|merci et bonne journée|un cordial saludo|reciban un cordial saludo|un saludo cordial|un abrazo|un afectuoso saludo|gracias|muchas gracias|cordialmente|un caro saluto|grazie|molte grazie|a presto|hoogachtend|groetjes|hartelijke groet|met vriendelijke groeten|dank u|dank u wel|bedankt|hartelijk dank|cumprimentos|com os melhores cumprimentos|melhores cumprimentos|um abraço|abraço|obrigado|obrigada|muito obrigado|muito obrigada)[\s,.!]*$`)
	// footerHint marks a company footer line: registration, tax number,
	// confidentiality or virus-scan notice, in the languages SplitReply knows.
	footerHint  = regexp.MustCompile(`(?i)(registered|registration|register|registro|registergericht|handelsregister|amtsgericht|\bhrb\b|\bkvk\b|\brcs\b|siret|\bvat\b|ust-idnr|\btva\b|\biva\b|\bbtw\b|\bnipc\b|\bnif\b|\bcif\b|p\.\s?iva|\brea\b|capital|geschäftsführ|vorstand|sitz der|siège|sede|statutair|confidential|vertraulich|confidentiel|confidencial|riservat|vertrouwelijk|virus|intended|adressat|destinatari|geadresseerde|e-mail|email|courriel|correo|messaggio|mensagem|bericht|nachricht|message)`)
	contactHint = regexp.MustCompile(`(?i)(\+?\d[\d ().-]{6,}\d|\b(tel|phone|mobile|mob|fax|cell|telefon|tél)\b\.?\s*:?|www\.|https?://|@[a-z0-9-]+\.[a-z]{2,})`)
)

// maxSplitLines bounds the lines SplitReply examines; the rest of a huge
// text is taken as quoted history.
const maxSplitLines = 20000

// SplitReply separates what the sender wrote in a reply from the history it
// quotes and from the sender's signature. It recognises "> " quoting,
// attribution lines ("On <date>, <name> wrote:" and its German, French,
// Spanish, Dutch, Italian and Portuguese forms), Outlook's "-----Original
// Message-----" and "From:/Sent:" header blocks, the "-- " signature
// delimiter, mobile signatures ("Sent from my iPhone"), sign-offs and short
// trailing contact blocks. Nothing is dropped: the three parts together
// hold every line of text.
func SplitReply(text string) (newText, quoted, signature string) {
	if text == "" {
		return "", "", ""
	}
	lines := strings.Split(text, "\n")
	limit := min(len(lines), maxSplitLines)
	cut := limit
	for i := 0; i < limit; i++ {
		if quoteStart(lines, i) {
			cut = i
			break
		}
	}
	var fresh, old []string
	for _, l := range lines[:cut] {
		if isQuoted(l) {
			old = append(old, l)
		} else {
			fresh = append(fresh, l)
		}
	}
	old = append(old, lines[cut:]...)
	fresh, sig := splitSignature(fresh)
	return trimLines(fresh), trimLines(old), trimLines(sig)
}

func isQuoted(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " \t"), ">")
}

// quoteStart reports whether line i begins the quoted history.
func quoteStart(lines []string, i int) bool {
	l := strings.TrimSpace(lines[i])
	if l == "" || l[0] == '>' || len(l) > 400 {
		return false
	}
	// cheap checks first: this runs on every line of every mail
	switch l[0] {
	case '-':
		return separatorLine.MatchString(l)
	case '_':
		if underscoreLine.MatchString(l) {
			for k := i + 1; k < min(i+3, len(lines)); k++ {
				if outlookFrom.MatchString(strings.TrimSpace(lines[k])) {
					return true
				}
			}
		}
		return false
	}
	if c := strings.IndexByte(l, ':'); c > 0 && c < 12 && outlookFrom.MatchString(l) {
		for k := i + 1; k < min(i+6, len(lines)); k++ {
			if outlookSent.MatchString(strings.TrimSpace(lines[k])) {
				return true
			}
		}
		return false
	}
	if maybeAttribution(l) && attributionStart.MatchString(l) {
		// the attribution may wrap over up to three lines
		joined := l
		for k := i; k < min(i+3, len(lines)); k++ {
			if k > i {
				nl := strings.TrimSpace(lines[k])
				if nl == "" || isQuoted(nl) {
					break
				}
				joined += " " + nl
			}
			if len(joined) < 400 && strings.HasSuffix(joined, ":") && attributionVerb.MatchString(joined) {
				return true
			}
		}
		return false
	}
	if strings.HasSuffix(l, ":") && len(l) < 200 && attributionEnd.MatchString(l) {
		// "Jane Doe <jane@example.com> wrote:" right above a quote
		for k := i + 1; k < min(i+3, len(lines)); k++ {
			if nl := strings.TrimSpace(lines[k]); nl != "" {
				return isQuoted(nl)
			}
		}
	}
	return false
}

// maybeAttribution is a cheap filter for attributionStart: the first two
// letters of the languages it knows.
func maybeAttribution(l string) bool {
	if len(l) < 3 {
		return false
	}
	switch strings.ToLower(l[:2]) {
	case "on", "am", "le", "el", "op", "il", "em", "de", "w ", "dn", "p\xc3":
		return true
	}
	return false
}

// splitSignature takes the signature off the end of the new text.
func splitSignature(lines []string) (body, sig []string) {
	last := len(lines) - 1
	for last >= 0 && strings.TrimSpace(lines[last]) == "" {
		last--
	}
	if last < 0 {
		return lines, nil
	}
	// "-- " delimiter: the last one wins
	for i := last; i >= 0; i-- {
		if l := strings.TrimRight(lines[i], " \t"); l == "--" {
			return lines[:i], lines[i+1:]
		}
	}
	firstText := 0
	for firstText <= last && strings.TrimSpace(lines[firstText]) == "" {
		firstText++
	}
	// mobile signatures near the end
	for i := last; i >= max(firstText, last-3); i-- {
		if l := strings.TrimSpace(lines[i]); len(l) < 100 && mobileSignature.MatchString(l) {
			if i == firstText {
				return lines, nil
			}
			return lines[:i], lines[i:]
		}
	}
	// a sign-off followed by a few short lines (name, title, phone)
	for i := last; i >= max(firstText+1, last-12); i-- {
		if IsSignOff(lines[i]) && signatureBlock(lines[i+1:last+1]) {
			return lines[:i], lines[i:]
		}
	}
	// a trailing contact block: the last paragraph, two to six short
	// lines, with a phone number, web or mail address
	start := last
	for start > firstText && strings.TrimSpace(lines[start-1]) != "" {
		start--
	}
	if start > firstText && last-start >= 1 && last-start < 6 && shortBlock(lines[start:last+1], 6) {
		for _, l := range lines[start : last+1] {
			if contactHint.MatchString(l) {
				return lines[:start], lines[start:]
			}
		}
	}
	return lines, nil
}

// IsSignOff reports whether line is only a closing formula ("Kind
// regards,", "Thanks!", "Mit freundlichen Grüßen"): the line a signature
// block starts with.
func IsSignOff(line string) bool {
	l := strings.TrimSpace(line)
	return len(l) < 40 && signOff.MatchString(l)
}

// signatureBlock reports whether lines can be what follows a sign-off:
// at most 12 lines of a name, title, company and contacts, each at most 80
// characters, except a company footer line (registration, tax number,
// confidentiality notice), which may run to 250.
func signatureBlock(lines []string) bool {
	n := 0
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n++
		if n > 12 || len(l) > 250 || len(l) > 80 && !footerHint.MatchString(l) {
			return false
		}
	}
	return true
}

func shortBlock(lines []string, maxLines int) bool {
	n := 0
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n++
		if n > maxLines || len(l) > 80 {
			return false
		}
	}
	return true
}

func trimLines(lines []string) string {
	return strings.Trim(strings.Join(lines, "\n"), "\n \t")
}
