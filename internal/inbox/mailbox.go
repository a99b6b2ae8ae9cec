package inbox

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"salesdesk/internal/plaintext"
)

// TLSMode says how the connection to the IMAP server is secured.
type TLSMode string

// TLS modes. TLSNone is for loopback test servers only.
const (
	TLSImplicit TLSMode = "implicit" // TLS from the first byte (port 993)
	TLSStartTLS TLSMode = "starttls" // plain connection upgraded with STARTTLS (port 143)
	TLSNone     TLSMode = "none"     // no encryption
)

// AuthMethod is how the poller authenticates.
type AuthMethod string

// Authentication methods.
const (
	AuthLogin AuthMethod = "login" // the LOGIN command
	AuthPlain AuthMethod = "plain" // AUTHENTICATE PLAIN (SASL)
)

// AfterAction is what happens to a message on the server once it is handed off.
type AfterAction string

// After actions.
const (
	AfterSeen AfterAction = "seen" // set \Seen and leave it in the folder
	AfterMove AfterAction = "move" // move it to ProcessedFolder
)

// Mailbox configures one polled IMAP folder. Zero fields take the defaults
// listed on each.
type Mailbox struct {
	// Name identifies the mailbox in the store, the lease, logs and metrics
	// (e.g. "sales"). Required.
	Name string
	// Addr is the server's host:port. Required.
	Addr string
	// TLS defaults to TLSImplicit.
	TLS TLSMode
	// AllowPlaintext permits TLSNone to a server that is not loopback
	// (test rigs); without it such a mailbox is refused.
	AllowPlaintext bool
	// TLSConfig is used for implicit TLS and STARTTLS; nil means system roots
	// and the host of Addr as server name.
	TLSConfig *tls.Config
	// Auth defaults to AuthLogin.
	Auth     AuthMethod
	Username string
	Password string
	// Folder defaults to INBOX.
	Folder string
	// IDLE waits for new mail with IMAP IDLE when the server advertises it;
	// otherwise (or when false) the folder is polled every PollInterval.
	IDLE bool
	// PollInterval (default 1m) is the polling period, and while idling the
	// period of a safety re-sync in case a notification was missed.
	PollInterval time.Duration
	// IdleRefresh (default 25m) re-issues IDLE before the server's 29-minute
	// inactivity timeout.
	IdleRefresh time.Duration
	// CommandTimeout (default 30s) bounds every IMAP command; while fetching,
	// it bounds the wait for each next message.
	CommandTimeout time.Duration
	// BatchSize (default 100) is how many new messages are fetched per round.
	BatchSize int
	// FlagDelay (default 1s) is how long handed-off messages may wait for
	// their after action (\Seen or the move) while mail keeps arriving, so
	// that several rounds are flagged with one command (on a maildir each
	// flag change renames files, which the server's other sessions, its
	// deliveries among them, then sync). At most BatchSize messages wait;
	// a pause in the mail, or a clean stop, flags them at once.
	FlagDelay time.Duration
	// After defaults to AfterSeen.
	After AfterAction
	// ProcessedFolder receives handed-off messages when After is AfterMove;
	// it is created when missing.
	ProcessedFolder string
	// MaxAttempts (default 5) is how often storing one message may fail
	// before it is quarantined and skipped.
	MaxAttempts int
	// MaxMessageBytes (default 25 MiB) caps what is fetched of one message:
	// a larger one is stored truncated (Size keeps the real size) for triage.
	MaxMessageBytes int64
	// LeaseTTL (default 30s) is the Redis lease's time to live: a standby
	// poller takes over about this long after the active one dies.
	LeaseTTL time.Duration
	// BackoffMin and BackoffMax (defaults 1s and 60s) bound the jittered
	// exponential wait before reconnecting after an error.
	BackoffMin time.Duration
	BackoffMax time.Duration
}

// withDefaults returns m with zero fields set to their defaults.
func (m Mailbox) withDefaults() Mailbox {
	if m.TLS == "" {
		m.TLS = TLSImplicit
	}
	if m.Auth == "" {
		m.Auth = AuthLogin
	}
	if m.Folder == "" {
		m.Folder = "INBOX"
	}
	if m.PollInterval == 0 {
		m.PollInterval = time.Minute
	}
	if m.IdleRefresh == 0 {
		m.IdleRefresh = 25 * time.Minute
	}
	if m.CommandTimeout == 0 {
		m.CommandTimeout = 30 * time.Second
	}
	if m.BatchSize == 0 {
		m.BatchSize = 100
	}
	if m.FlagDelay == 0 {
		m.FlagDelay = time.Second
	}
	if m.After == "" {
		m.After = AfterSeen
	}
	if m.MaxAttempts == 0 {
		m.MaxAttempts = 5
	}
	if m.MaxMessageBytes == 0 {
		m.MaxMessageBytes = 25 << 20
	}
	if m.LeaseTTL == 0 {
		m.LeaseTTL = 30 * time.Second
	}
	if m.BackoffMin == 0 {
		m.BackoffMin = time.Second
	}
	if m.BackoffMax == 0 {
		m.BackoffMax = time.Minute
	}
	return m
}

// validate reports the first unusable field, naming it.
func (m Mailbox) validate() error {
	var errs []error
	bad := func(field, msg string) { errs = append(errs, fmt.Errorf("%s: %s", field, msg)) }
	if m.Name == "" {
		bad("name", "required")
	}
	if m.Addr == "" {
		bad("addr", "required")
	}
	switch m.TLS {
	case TLSImplicit, TLSStartTLS:
	case TLSNone:
		if err := plaintext.Check(m.Addr, m.AllowPlaintext); err != nil {
			bad("tls", err.Error())
		}
	default:
		bad("tls", "must be implicit, starttls or none")
	}
	switch m.Auth {
	case AuthLogin, AuthPlain:
	default:
		bad("auth", "must be login or plain")
	}
	if m.Username == "" {
		bad("username", "required")
	}
	switch m.After {
	case AfterSeen:
	case AfterMove:
		if m.ProcessedFolder == "" {
			bad("processed_folder", "required when after is move")
		} else if m.ProcessedFolder == m.Folder {
			bad("processed_folder", "must differ from folder")
		}
	default:
		bad("after", "must be seen or move")
	}
	positive := []struct {
		field string
		v     time.Duration
	}{
		{"poll_interval", m.PollInterval}, {"idle_refresh", m.IdleRefresh}, {"flag_delay", m.FlagDelay},
		{"command_timeout", m.CommandTimeout}, {"lease_ttl", m.LeaseTTL},
		{"backoff_min", m.BackoffMin}, {"backoff_max", m.BackoffMax},
	}
	for _, p := range positive {
		if p.v < 0 {
			bad(p.field, "must be positive")
		}
	}
	if m.BackoffMax < m.BackoffMin {
		bad("backoff_max", "must not be below backoff_min")
	}
	if m.BatchSize < 0 {
		bad("batch_size", "must be positive")
	}
	if m.MaxAttempts < 0 {
		bad("max_attempts", "must be positive")
	}
	if m.MaxMessageBytes < 0 || m.MaxMessageBytes > 1<<31-1 {
		bad("max_message_bytes", "must be between 1 and 2147483647")
	}
	if len(errs) > 0 {
		return fmt.Errorf("mailbox %q: %w", m.Name, errors.Join(errs...))
	}
	return nil
}

// resyncInterval is the longest the poller goes without a sync while healthy.
func (m Mailbox) resyncInterval() time.Duration {
	if m.IDLE {
		return min(m.PollInterval, m.IdleRefresh)
	}
	return m.PollInterval
}
