// Package mailer writes and sends salesdesk's outbound mail.
//
// Three parts, usable alone:
//
//   - [Renderer] turns a named template and its data struct (AckData,
//     HandoffData, ...) into a subject, a plain-text body and an HTML body.
//     Defaults are embedded; a file of the same name in
//     [RenderOptions].TemplatesDir replaces one. Each template is a pair:
//     NAME.txt (text/template; defines "subject" and is the text body) and
//     NAME.html (html/template; defines "content", which layout.html wraps).
//     HTML output escapes every value, so customer text cannot add markup.
//     Customer mails say their words through a phrase catalog per
//     language (lang/LANG.yaml, {{t "key" ...}}): [Renderer.RenderIn]
//     writes them in the customer's language, English when it has none.
//   - [Compose] and [Outgoing.Msg] build the MIME message with go-mail:
//     the reference token in the subject (once), threading headers, our own
//     Message-ID and Auto-Submitted (RFC 3834). Values from customers cannot
//     add header lines: header text is reduced to one line and addresses
//     must parse with net/mail, or composing fails with [ErrPermanent].
//   - [Sender] delivers a message over SMTP (plain, STARTTLS or implicit
//     TLS, with AUTH) and classifies failures: a 5xx reply to the message
//     (RCPT, DATA) is permanent ([ErrPermanent]); 4xx replies, network
//     errors, timeouts and failures of our own setup (TLS, AUTH, a refused
//     MAIL FROM) are temporary ([IsTemporary]).
//
// Storing the outbound row and queueing mail:send are the job of the
// outbox package: every outbound mail is a row before it is a task.
package mailer
