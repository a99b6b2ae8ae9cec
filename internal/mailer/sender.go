package mailer

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base32"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"salesdesk/internal/plaintext"
)

// TLS modes for Options.TLS.
const (
	TLSNone     = "none"     // plain SMTP (a local relay)
	TLSStartTLS = "starttls" // STARTTLS is required, never skipped
	TLSImplicit = "implicit" // TLS from the first byte (SMTPS, port 465)
)

// Options configures a Sender.
type Options struct {
	Addr string // host:port of the SMTP server; required
	TLS  string // TLSNone, TLSStartTLS (default) or TLSImplicit
	// AllowPlaintext permits TLSNone to a server that is not loopback
	// (test rigs); without it NewSender refuses such an address.
	AllowPlaintext bool
	Auth           string // "auto" (default), "plain" or "login"; used only with Username
	Username       string
	Password       string
	HELO           string        // EHLO name; default the host name
	Timeout        time.Duration // per connection; default 30s
	// TLSConfig overrides the TLS settings (tests trust a self-signed
	// certificate with it). ServerName defaults to Addr's host.
	TLSConfig *tls.Config
	// From and ReplyTo fill an Outgoing that has none.
	From    string
	ReplyTo string
	// MaxIdle is how many sessions stay open between sends for reuse;
	// default 4, negative for a new session per mail.
	MaxIdle int
}

// Sender delivers mail over SMTP. It keeps up to Options.MaxIdle
// sessions open between sends and reuses them, checked with NOOP first,
// instead of greeting, negotiating TLS and authenticating for every mail.
// It is safe for concurrent use; Close ends the idle sessions.
type Sender struct {
	opts Options
	host string
	port int

	mu     sync.Mutex
	idle   []*session   // least recently used first
	opened atomic.Int64 // sessions opened so far
}

// session is one open SMTP connection.
type session struct {
	c    *gomail.Client
	sc   *smtp.Client
	conn net.Conn
	used time.Time // when it last delivered
}

// quit ends the session politely; errors do not matter any more.
func (ss *session) quit() { _ = ss.c.CloseWithSMTPClient(ss.sc) }

// drop closes the connection without a word, for a session in an
// unknown state.
func (ss *session) drop() { ss.conn.Close() }

// Defaults for reusing sessions. A server drops an idle client after a
// few minutes (RFC 5321 suggests 5); a session idle for longer than
// maxIdleTime is closed rather than tried.
const (
	defaultMaxIdle = 4
	maxIdleTime    = 30 * time.Second
)

// NewSender checks o and returns a Sender. It does not connect.
func NewSender(o Options) (*Sender, error) {
	host, portText, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return nil, fmt.Errorf("mailer: smtp addr %q: %w", o.Addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return nil, fmt.Errorf("mailer: smtp addr %q: port must be 1..65535", o.Addr)
	}
	if o.TLS == "" {
		o.TLS = TLSStartTLS
	}
	switch o.TLS {
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		if err := plaintext.Check(o.Addr, o.AllowPlaintext); err != nil {
			return nil, fmt.Errorf("mailer: smtp %w", err)
		}
	default:
		return nil, fmt.Errorf("mailer: smtp tls %q: want none, starttls or implicit", o.TLS)
	}
	if o.Auth == "" {
		o.Auth = "auto"
	}
	switch o.Auth {
	case "auto", "plain", "login":
	default:
		return nil, fmt.Errorf("mailer: smtp auth %q: want auto, plain or login", o.Auth)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxIdle == 0 {
		o.MaxIdle = defaultMaxIdle
	}
	for field, v := range map[string]string{"from": o.From, "reply_to": o.ReplyTo} {
		if v != "" {
			if _, err := parseAddress(field, v); err != nil {
				return nil, err
			}
		}
	}
	return &Sender{opts: o, host: host, port: port}, nil
}

// Send delivers o. A nil error means the server accepted the message. A
// failure wraps ErrPermanent when sending again cannot help (see
// IsTemporary); its text carries the server's reply.
func (s *Sender) Send(ctx context.Context, o Outgoing) error {
	if o.From == "" {
		o.From = s.opts.From
	}
	if o.ReplyTo == "" {
		o.ReplyTo = s.opts.ReplyTo
	}
	msg, err := o.Msg()
	if err != nil {
		return err
	}
	if ss := s.takeIdle(); ss != nil {
		err := s.deliver(ctx, ss, msg)
		var se *gomail.SendError
		if err == nil || !errors.As(err, &se) || se.Reason != gomail.ErrConnCheck || ctx.Err() != nil {
			return s.sendError(ctx, err)
		}
		// The server closed the idle session (NOOP failed before anything
		// was sent): a new one.
	}
	ss, err := s.open(ctx)
	if err != nil {
		return s.sendError(ctx, err)
	}
	return s.sendError(ctx, s.deliver(ctx, ss, msg))
}

// sendError classifies a failed Send.
func (s *Sender) sendError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("mailer: send: %w: %w", ctx.Err(), err)
	}
	if !IsTemporary(err) && !errors.Is(err, ErrPermanent) {
		return fmt.Errorf("mailer: send: %w (%w)", err, ErrPermanent)
	}
	return fmt.Errorf("mailer: send: %w", err)
}

// open dials and greets the server (TLS and AUTH as configured).
func (s *Sender) open(ctx context.Context) (*session, error) {
	// go-mail honours ctx only while dialling; closing the connection when
	// ctx ends also cuts short a silent greeting, TLS or AUTH exchange.
	var guard connGuard
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		c, err := s.dial(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		if err := guard.set(c); err != nil {
			return nil, err
		}
		return c, nil
	}
	c, err := gomail.NewClient(s.host, s.clientOptions(dial)...)
	if err != nil {
		return nil, fmt.Errorf("mailer: smtp client: %w (%w)", err, ErrPermanent)
	}
	stop := context.AfterFunc(ctx, guard.close)
	sc, err := c.DialToSMTPClientWithContext(ctx)
	stopped := stop()
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", s.opts.Addr, err)
	}
	if !stopped { // ctx ended and closed the connection just as the greeting succeeded
		sc.Close()
		return nil, fmt.Errorf("connect %s: %w", s.opts.Addr, ctx.Err())
	}
	s.opened.Add(1)
	return &session{c: c, sc: sc, conn: guard.conn}, nil
}

// deliver sends msg on ss and keeps ss for the next Send, or closes it
// when the send failed or ctx ended during it.
func (s *Sender) deliver(ctx context.Context, ss *session, msg *gomail.Msg) error {
	stop := context.AfterFunc(ctx, ss.drop)
	err := ss.c.SendWithSMTPClient(ss.sc, msg)
	if !stop() || err != nil {
		ss.drop()
		return err
	}
	ss.used = time.Now()
	s.putIdle(ss)
	return nil
}

// takeIdle returns the most recently used idle session, closing those
// idle for too long, or nil.
func (s *Sender) takeIdle() *session {
	var stale []*session
	defer func() {
		for _, ss := range stale {
			ss.drop() // likely closed by the server already: no QUIT to wait for
		}
	}()
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.idle) > 0 {
		ss := s.idle[len(s.idle)-1]
		s.idle = s.idle[:len(s.idle)-1]
		if time.Since(ss.used) < maxIdleTime {
			return ss
		}
		stale = append(stale, ss)
	}
	return nil
}

// putIdle keeps ss for reuse; past MaxIdle the oldest session ends.
func (s *Sender) putIdle(ss *session) {
	s.mu.Lock()
	s.idle = append(s.idle, ss)
	var old *session
	if len(s.idle) > max(s.opts.MaxIdle, 0) {
		old, s.idle = s.idle[0], s.idle[1:]
	}
	s.mu.Unlock()
	if old != nil {
		old.quit()
	}
}

// Close ends the idle sessions. The Sender stays usable; a second Close
// is harmless.
func (s *Sender) Close() error {
	s.mu.Lock()
	idle := s.idle
	s.idle = nil
	s.mu.Unlock()
	for _, ss := range idle {
		ss.quit()
	}
	return nil
}

// connGuard closes the connection of one Send when its context ends,
// whether that happens before or after the connection exists.
type connGuard struct {
	mu     sync.Mutex
	conn   net.Conn
	closed bool
}

// set records c, or closes it and fails when the context already ended.
func (g *connGuard) set(c net.Conn) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		c.Close()
		return net.ErrClosed
	}
	g.conn = c
	return nil
}

func (g *connGuard) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	if g.conn != nil {
		g.conn.Close()
	}
}

// dial connects to the server and, for implicit TLS, completes the TLS
// handshake.
func (s *Sender) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil || s.opts.TLS != TLSImplicit {
		return conn, err
	}
	tc := tls.Client(conn, s.tlsConfig())
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("tls: %w", err)
	}
	return tc, nil
}

func (s *Sender) tlsConfig() *tls.Config {
	if s.opts.TLSConfig == nil {
		return &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	}
	cfg := s.opts.TLSConfig.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = s.host
	}
	return cfg
}

func (s *Sender) clientOptions(dial gomail.DialContextFunc) []gomail.Option {
	o := s.opts
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(o.Timeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(s.tlsConfig()),
	}
	if o.HELO != "" {
		opts = append(opts, gomail.WithHELO(o.HELO))
	}
	switch o.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		// dial has already wrapped the connection in TLS. go-mail's own
		// WithSSL would skip our dialler; with the opportunistic policy
		// it sees the TLS connection and counts it as encrypted (which
		// AUTH PLAIN and LOGIN need), and a server on an implicit-TLS
		// port does not offer STARTTLS again.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if o.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		switch o.Auth {
		case "plain":
			auth = gomail.SMTPAuthPlain
		case "login":
			auth = gomail.SMTPAuthLogin
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(o.Username), gomail.WithPassword(o.Password))
	}
	return opts
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewMessageID returns a fresh Message-ID, without angle brackets, in the
// domain of the from address: "<26 random base32 characters>@<domain>".
// Store it with the outbound row before sending, so that a retry reuses it.
func NewMessageID(from string) (string, error) {
	a, err := parseAddress("From", from)
	if err != nil {
		return "", err
	}
	domain := strings.ToLower(a.Address[strings.LastIndexByte(a.Address, '@')+1:])
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("mailer: message id: %w", err)
	}
	id := strings.ToLower(idEncoding.EncodeToString(b)) + "@" + domain
	if _, ok := cleanMessageID(id); !ok {
		return "", invalid("domain %q for a Message-ID", domain)
	}
	return id, nil
}
