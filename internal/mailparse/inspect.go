package mailparse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"time"
)

// inspectTextLimit is how many characters of Text an inspect record shows.
const inspectTextLimit = 2000

// InspectRecord is one line of `salesdesk inspect-mail` output.
type InspectRecord struct {
	File        string              `json:"file,omitempty"`
	Error       string              `json:"error,omitempty"`
	From        *Address            `json:"from,omitempty"`
	To          []Address           `json:"to,omitempty"`
	Subject     string              `json:"subject,omitempty"`
	Date        string              `json:"date,omitempty"`
	MessageID   string              `json:"message_id,omitempty"`
	InReplyTo   []string            `json:"in_reply_to,omitempty"`
	References  []string            `json:"references,omitempty"`
	Kind        Kind                `json:"kind,omitempty"`
	Bounce      *InspectBounce      `json:"bounce,omitempty"`
	Oversize    bool                `json:"oversize,omitempty"`
	Text        string              `json:"text,omitempty"`
	NewText     string              `json:"new_text,omitempty"`
	Attachments []InspectAttachment `json:"attachments,omitempty"`
	Warnings    []string            `json:"warnings,omitempty"`
}

// InspectAttachment is an attachment in an inspect record.
type InspectAttachment struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// InspectBounce is the bounce summary in an inspect record.
type InspectBounce struct {
	OriginalMessageID string   `json:"original_message_id,omitempty"`
	Recipients        []string `json:"recipients,omitempty"`
	Status            string   `json:"status,omitempty"`
}

// NewInspectRecord summarises a parse result for inspect output; err, if
// not nil, gives an error record.
func NewInspectRecord(file string, m *Message, err error) InspectRecord {
	r := InspectRecord{File: file}
	if err != nil {
		r.Error = err.Error()
		return r
	}
	if m.From.Address != "" || m.From.Name != "" {
		from := m.From
		r.From = &from
	}
	r.To = m.To
	r.Subject = m.Subject
	if !m.Date.IsZero() {
		r.Date = m.Date.Format(time.RFC3339)
	}
	r.MessageID = m.MessageID
	r.InReplyTo = m.InReplyTo
	r.References = m.References
	r.Kind = m.Kind
	if b := m.Bounce; b != nil {
		r.Bounce = &InspectBounce{OriginalMessageID: b.OriginalMessageID, Recipients: b.Recipients, Status: b.Status}
	}
	r.Oversize = m.Oversize
	r.Text = truncateRunes(m.Text, inspectTextLimit)
	r.NewText = truncateRunes(m.NewText, inspectTextLimit)
	for _, a := range m.Attachments {
		r.Attachments = append(r.Attachments, InspectAttachment{Name: a.Name, Type: a.ContentType, Size: a.Size})
	}
	r.Warnings = m.Warnings
	return r
}

func truncateRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// maxInspectInput bounds what Inspect reads from one input; Parse reads at
// most Options.MaxBytes of a body anyway.
const maxInspectInput = 2 * DefaultMaxBytes

// Inspect reads one input (a message, or an mbox of several) and writes
// one JSON line per message to w. A message that cannot be parsed gives a
// line with an "error" field; only failures to read r or write w are
// returned. It never panics.
func Inspect(w io.Writer, file string, r io.Reader, o Options) error {
	raw, err := io.ReadAll(io.LimitReader(r, maxInspectInput))
	if err != nil {
		_ = WriteInspectRecord(w, InspectRecord{File: file, Error: "read: " + err.Error()})
		return fmt.Errorf("read %s: %w", file, err)
	}
	for _, msg := range splitMbox(raw) {
		if err := WriteInspectRecord(w, inspectOne(file, msg, o)); err != nil {
			return err
		}
	}
	return nil
}

func inspectOne(file string, raw []byte, o Options) (rec InspectRecord) {
	defer func() {
		if p := recover(); p != nil {
			rec = InspectRecord{File: file, Error: fmt.Sprintf("internal error: %v", p)}
		}
	}()
	m, err := Parse(raw, o)
	return NewInspectRecord(file, m, err)
}

// WriteInspectRecord writes r to w as one JSON line.
func WriteInspectRecord(w io.Writer, r InspectRecord) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // the output is read by people, not browsers
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encode inspect record: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write inspect record: %w", err)
	}
	return nil
}

// mboxFrom matches an mbox "From " separator line ("From -", "From
// addr@host", "From addr date") followed by a header field, so "From Russia
// with love" in a body does not split a message.
var mboxFrom = regexp.MustCompile(`(?m)^From (-|\S*@|\S+ .*[0-9]).*\r?\n[A-Za-z0-9-]+:`)

// splitMbox splits an mbox into its messages; anything else is returned
// whole.
func splitMbox(raw []byte) [][]byte {
	start := bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if !bytes.HasPrefix(start, []byte("From ")) {
		return [][]byte{raw}
	}
	starts := []int{0}
	for _, loc := range mboxFrom.FindAllIndex(raw, -1) {
		if at := loc[0]; at > 3 {
			starts = append(starts, at)
		}
	}
	out := make([][]byte, 0, len(starts))
	for i, s := range starts {
		end := len(raw)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		out = append(out, raw[s:end])
	}
	return out
}
