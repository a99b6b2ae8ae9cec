package routing

import "salesdesk/internal/mailparse"

// MessageInput is the router's input for a parsed mail. It is the one
// place that decides which of mailparse's fields the router reads, so the
// service (intake) and `salesdesk classify` route the same mail alike.
func MessageInput(m *mailparse.Message) Input {
	return Input{
		From:      m.From.Address,
		Subject:   m.Subject,
		NewText:   m.NewText,
		Signature: m.Signature,
		Text:      m.Text,
		Date:      m.Date,
	}
}

// TextInput is the router's input for a plain-text message without
// headers (a line given to `salesdesk classify --text`, a labelled
// example, a stored body): [mailparse.SplitReply] splits it exactly as it
// splits the body of a mail.
func TextInput(subject, text string) Input {
	newText, _, sig := mailparse.SplitReply(text)
	return Input{Subject: subject, NewText: newText, Signature: sig, Text: text}
}
