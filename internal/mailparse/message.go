package mailparse

import (
	"errors"
	"io"
	"net/textproto"
	"time"
)

// Kind says who wrote a message: a person, or a machine that must never be
// answered.
type Kind string

// The kinds of mail. Everything but KindHuman is automated.
const (
	KindHuman     Kind = "human"
	KindAutoReply Kind = "auto_reply"
	KindBounce    Kind = "bounce"
	KindList      Kind = "list"
)

// Automated reports whether mail of this kind must never get a reply.
func (k Kind) Automated() bool { return k != KindHuman }

// Valid reports whether k is one of the defined kinds.
func (k Kind) Valid() bool {
	switch k {
	case KindHuman, KindAutoReply, KindBounce, KindList:
		return true
	}
	return false
}

// Errors returned by Parse. Anything else Parse returns wraps one of them.
var (
	// ErrNotMail is returned for input that is empty or has no header.
	ErrNotMail = errors.New("mailparse: not a mail message")
	// ErrTooComplex is returned for a message whose header does not fit the
	// budget in Options.
	ErrTooComplex = errors.New("mailparse: message too complex")
)

// Default budgets used when an Options field is zero.
const (
	DefaultMaxBytes       = 25 << 20
	DefaultMaxParts       = 1000
	DefaultMaxDepth       = 32
	DefaultMaxHeaderBytes = 256 << 10
	// maxReferences bounds References and ThreadKeys so that reference
	// loops and huge lists stay cheap.
	maxReferences = 50
	maxWarnings   = 50
)

// Options are the budgets and hooks of one Parse call. The zero value is
// ready to use.
type Options struct {
	// MaxBytes is the largest message read in full. A larger one is not
	// rejected: its header and the first MaxBytes of its body are parsed
	// and Message.Oversize is set.
	MaxBytes int64
	// MaxParts bounds the MIME parts of one message; parts beyond it are
	// skipped with a warning.
	MaxParts int
	// MaxDepth bounds the nesting of multiparts and attached messages;
	// deeper parts are listed as opaque attachments with a warning.
	MaxDepth int
	// MaxHeaderBytes bounds the top-level header; a larger one is rejected
	// with ErrTooComplex.
	MaxHeaderBytes int
	// AttachmentSink, when set, receives each attachment's decoded content
	// as a stream, so it can be stored without holding it in memory. An
	// error from it is recorded as a warning and parsing goes on.
	AttachmentSink func(Attachment, io.Reader) error
	// Now is the clock for time-dependent decisions. Parse itself reads no
	// clock today (a missing Date stays zero); the field is kept so callers
	// and tests can inject one. Defaults to time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxParts <= 0 {
		o.MaxParts = DefaultMaxParts
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Address is one decoded mailbox.
type Address struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// String formats the address for display (not for a header).
func (a Address) String() string {
	if a.Name == "" {
		return a.Address
	}
	return a.Name + " <" + a.Address + ">"
}

// Attachment describes one attached or inline file.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"type"`
	// Size is the decoded size in bytes.
	Size int64 `json:"size"`
	// Inline is set for parts meant to be shown in the body (images in
	// HTML mail) rather than offered as files.
	Inline bool `json:"inline,omitempty"`
	// ContentID is the part's Content-ID without angle brackets.
	ContentID string `json:"content_id,omitempty"`
}

// BounceInfo is what a delivery status notification says about the mail it
// returns.
type BounceInfo struct {
	// ReportType is the multipart/report report-type ("delivery-status",
	// "feedback-report", ...); empty for bounces without a report.
	ReportType string
	// OriginalMessageID is the Message-ID of the returned mail (one of ours
	// when we sent it), without angle brackets.
	OriginalMessageID string
	// Recipients are the final recipients the report is about.
	Recipients []string
	// Action is the first failed recipient's action (failed, delayed, ...).
	Action string
	// Status is the enhanced status code, e.g. 5.1.1.
	Status string
	// Diagnostic is the remote server's diagnostic text.
	Diagnostic string
}

// Permanent reports whether the bounce says delivery failed for good, as
// opposed to delayed or relayed.
func (b *BounceInfo) Permanent() bool {
	if b == nil {
		return false
	}
	if b.Action != "" {
		return b.Action == "failed"
	}
	return len(b.Status) == 0 || b.Status[0] == '5'
}

// Message is a parsed mail.
type Message struct {
	From      Address
	To        []Address
	Cc        []Address
	ReplyTo   []Address
	Subject   string
	Date      time.Time
	MessageID string   // without angle brackets
	InReplyTo []string // without angle brackets
	// References are the message IDs of the thread, oldest first, without
	// angle brackets, at most 50 (the first and the most recent ones).
	References []string

	// Text is the best readable text: the text/plain body, or the HTML
	// body converted to text.
	Text string
	// HTML is the raw HTML body (UTF-8), if any, for sanitised display.
	HTML string
	// NewText is what the sender wrote in this mail, Quoted the history it
	// quotes, Signature the sign-off block; see SplitReply.
	NewText   string
	Quoted    string
	Signature string

	Attachments []Attachment
	Kind        Kind
	// Bounce is set for delivery status notifications and other bounces.
	Bounce *BounceInfo
	// Oversize is set when the message was larger than Options.MaxBytes and
	// only its start was read.
	Oversize bool
	// Warnings name everything that was wrong with the message and how it
	// was read anyway.
	Warnings []string
	// Headers holds the header fields used to classify the message
	// (Auto-Submitted, Precedence, List-*, X-Auto*, Return-Path, ...).
	Headers textproto.MIMEHeader
}
