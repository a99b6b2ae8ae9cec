package mailparse

import (
	"bytes"
	"regexp"
	"strings"
)

// report collects what a multipart/report says.
type report struct {
	reportType string
	recipients []string
	action     string
	status     string
	diagnostic string
	original   string
}

// deliveryStatus reads a message/delivery-status body: a per-message
// group of fields, then one group per recipient.
func (p *parser) deliveryStatus(b []byte) {
	p.hasReport = true
	if p.report.reportType == "" {
		p.report.reportType = "delivery-status"
	}
	b = bytes.TrimLeft(b, "\n")
	for groups := 0; len(b) > 0 && groups < 200; groups++ {
		h, rest, ok := readHeader(b, p.o.MaxHeaderBytes, func(string) {})
		if !ok || len(h) == 0 {
			if len(rest) >= len(b) {
				break
			}
		}
		p.recipientGroup(h)
		if len(rest) >= len(b) {
			break
		}
		b = bytes.TrimLeft(rest, "\n")
	}
}

func (p *parser) recipientGroup(h header) {
	rcpt := h.get("final-recipient")
	if rcpt == "" {
		rcpt = h.get("original-recipient")
	}
	if rcpt == "" {
		return
	}
	if _, addr, ok := strings.Cut(rcpt, ";"); ok {
		rcpt = addr
	}
	rcpt = strings.Trim(strings.TrimSpace(rcpt), "<>")
	r := &p.report
	if len(r.recipients) < 100 {
		r.recipients = append(r.recipients, p.validText(rcpt, "report"))
	}
	action := strings.ToLower(strings.TrimSpace(h.get("action")))
	if i := strings.IndexAny(action, " (;"); i > 0 {
		action = action[:i]
	}
	// the first failure wins; otherwise the first recipient
	if r.action == "" || (r.action != "failed" && action == "failed") {
		r.action = action
		r.status = strings.TrimSpace(firstField(h.get("status")))
		d := h.get("diagnostic-code")
		if _, text, ok := strings.Cut(d, ";"); ok {
			d = text
		}
		r.diagnostic = p.validText(collapseSpace(strings.TrimSpace(d)), "report")
	}
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// noteOriginal records the Message-ID of the mail a report returns.
func (p *parser) noteOriginal(h header) {
	if p.report.original != "" {
		return
	}
	if ids := messageIDs(h.get("message-id"), 1); len(ids) > 0 {
		p.report.original = ids[0]
	}
}

var (
	// Subjects of out-of-office and other automatic replies, in several
	// languages, at the start of the subject.
	autoReplySubject = regexp.MustCompile(`(?i)^\s*(\[[^\]]*\]\s*)?(auto(matic|matische|matisch|matique|matica|mática)?[ _-]?(reply|response|respons|antwort|answer|réponse|reponse|respuesta|risposta|resposta|antwoord)|autoreply|autoresponder|out[ -]of[ -](the[ -])?office|ooo\b|abwesenheit|abwesend|réponse automatique|reponse automatique|absence|absent|fuera de la oficina|respuesta automática|ausente|afwezig|automatisch antwoord|afwezigheidsbericht|risposta automatica|fuori sede|assente|fora do escritório|resposta automática|away from (the )?office|away until|on vacation|vacation (reply|notice)|urlaub|abwesenheitsnotiz|frånvaro|fravær|poza biurem|nieobecność|自動応答|自动回复)`)
	// Subjects of bounces, at the start of the subject.
	bounceSubject  = regexp.MustCompile(`(?i)^\s*(\[[^\]]*\]\s*)?(\*+\s*)?(undeliverable|undelivered|delivery status notification|delivery (status )?notification|delivery notification|delivery failure|delivery report|delivery has failed|mail delivery|message delivery|delivery status|returned mail|return(ed)? to sender|failure notice|failure delivery|mail system error|non[- ]?delivery|nondeliverable|unzustellbar|nicht zustellbar|non remis|non distribuable|no se pudo entregar|onbestelbaar|warning: could not send|could not send message|message not delivered|delivery failed|mail failed|message you sent blocked|sorry, your message could not be delivered|there was an error sending your mail|email bounce)`)
	daemonLocal    = regexp.MustCompile(`(?i)^(mailer[-_.]?daemon|mail[-_.]?daemon|postmaster|poostmaster|post_master|mail[-_.]delivery[-_.]system|mail[-_.]delivery[-_.]subsystem|bounces?|mdaemon|mailerdaemon|mail\.delivery\.system)$`)
	listAdminLocal = regexp.MustCompile(`(?i)(^owner-|-owner$|-admin$|-request$|-bounces?$|^bounces?[-+])`)
	noReplyLocal   = regexp.MustCompile(`(?i)^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|noreply[-_.].*|.*[-_.]noreply|auto[-_.]?reply|autoresponder|mailer)$`)
)

// classify decides Kind and fills Bounce. Bounce signals win over
// auto-reply signals, which win over list signals: a list that bounces is a
// bounce, a vacation reply from a list member is an auto-reply.
func (p *parser) classify(h header) {
	m := p.m
	m.Kind = KindHuman
	subject := m.Subject
	local, _, _ := strings.Cut(m.From.Address, "@")
	if local == "" && m.From.Address == "" {
		local = m.From.Name
	}
	fromDaemon := daemonLocal.MatchString(local) || strings.EqualFold(m.From.Name, "Mail Delivery System") || strings.EqualFold(m.From.Name, "Mail Delivery Subsystem")
	nullSender := strings.TrimSpace(h.get("return-path")) == "<>"
	autoSubmitted := strings.ToLower(strings.TrimSpace(h.get("auto-submitted")))
	if i := strings.IndexAny(autoSubmitted, " (;"); i > 0 {
		autoSubmitted = autoSubmitted[:i]
	}
	rt := p.report.reportType
	isDSN := p.hasReport && (rt == "delivery-status" || rt == "global-delivery-status" || rt == "feedback-report" || len(p.report.recipients) > 0)
	bounceSubj := bounceSubject.MatchString(subject)

	switch {
	case isDSN,
		fromDaemon,
		h.has("x-failed-recipients"),
		bounceSubj && (nullSender || autoSubmitted != "" && autoSubmitted != "no"),
		bounceSubj && !isReplyPrefix(subject):
		m.Kind = KindBounce
	case p.hasReport, // read receipts and other reports
		autoSubmitted != "" && autoSubmitted != "no",
		h.has("x-autoreply"), h.has("x-autorespond"), h.has("x-autoresponder"),
		autoResponseSuppress(h.get("x-auto-response-suppress")),
		strings.EqualFold(strings.TrimSpace(h.get("x-ms-exchange-generated-message-source")), "mailbox rules agent"),
		precedenceIs(h, "junk", "auto_reply", "auto-reply"),
		autoReplySubject.MatchString(subject),
		noReplyLocal.MatchString(local),
		nullSender:
		m.Kind = KindAutoReply
	case precedenceIs(h, "bulk", "list"),
		h.has("list-id"), h.has("list-unsubscribe"), h.has("list-post"),
		h.has("list-subscribe"), h.has("list-help"), h.has("list-owner"),
		h.has("mailing-list"), h.has("x-mlserver"), h.has("x-ml-name"),
		h.has("feedback-id"),
		listAdminLocal.MatchString(local):
		m.Kind = KindList
	}
	if m.Kind == KindBounce {
		p.fillBounce(h)
	}
}

func isReplyPrefix(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	for _, pre := range []string{"re:", "re :", "aw:", "fw:", "fwd:", "wg:", "tr:", "sv:", "antw:"} {
		if strings.HasPrefix(l, pre) {
			return true
		}
	}
	return false
}

func precedenceIs(h header, want ...string) bool {
	v := strings.ToLower(strings.TrimSpace(h.get("precedence")))
	for _, w := range want {
		if v == w {
			return true
		}
	}
	return false
}

// autoResponseSuppress reports an Exchange X-Auto-Response-Suppress value
// that marks the mail itself as automatic.
func autoResponseSuppress(v string) bool {
	v = strings.ToLower(v)
	return strings.Contains(v, "oof") || strings.Contains(v, "all") || strings.Contains(v, "autoreply")
}

var messageIDLine = regexp.MustCompile(`(?im)^[ \t>]*message-id:[ \t]*<([^>\s]+)>`)

// fillBounce builds BounceInfo from the report, or from the text of a
// bounce that has none.
func (p *parser) fillBounce(h header) {
	m, r := p.m, p.report
	b := &BounceInfo{
		ReportType:        r.reportType,
		OriginalMessageID: r.original,
		Recipients:        r.recipients,
		Action:            r.action,
		Status:            r.status,
		Diagnostic:        r.diagnostic,
	}
	if b.OriginalMessageID == "" {
		b.OriginalMessageID = p.fromOriginal
	}
	if b.OriginalMessageID == "" {
		for _, match := range messageIDLine.FindAllStringSubmatch(m.Text, 5) {
			if match[1] != m.MessageID {
				b.OriginalMessageID = match[1]
				break
			}
		}
	}
	if b.OriginalMessageID == "" {
		// the returned message may sit in a part not read as text
		body := p.body[:min(len(p.body), 1<<20)]
		for _, match := range messageIDLine.FindAllSubmatch(body, 5) {
			if id := string(match[1]); id != m.MessageID {
				b.OriginalMessageID = p.validText(id, "report")
				break
			}
		}
	}
	if len(b.Recipients) == 0 {
		for _, v := range h.values("x-failed-recipients") {
			for _, a := range strings.Split(v, ",") {
				if a = strings.TrimSpace(a); a != "" {
					b.Recipients = append(b.Recipients, a)
				}
			}
		}
	}
	m.Bounce = b
}
