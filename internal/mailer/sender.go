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
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes for Options.TLS.
const (
	TLSNone     = "none"     // plain SMTP (a local relay)
	TLSStartTLS = "starttls" // STARTTLS is required, never skipped
	TLSImplicit = "implicit" // TLS from the first byte (SMTPS, port 465)
)

// Options configures a Sender.
type Options struct {
	Addr     string // host:port of the SMTP server; required
	TLS      string // TLSNone, TLSStartTLS (default) or TLSImplicit
	Auth     string // "auto" (default), "plain" or "login"; used only with Username
	Username string
	Password string
	HELO     string        // EHLO name; default the host name
	Timeout  time.Duration // per connection; default 30s
	// TLSConfig overrides the TLS settings (tests trust a self-signed
	// certificate with it). ServerName defaults to Addr's host.
	TLSConfig *tls.Config
	// From and ReplyTo fill an Outgoing that has none.
	From    string
	ReplyTo string
}

// Sender delivers mail over SMTP, one connection per Send. It is safe for
// concurrent use.
type Sender struct {
	opts Options
	host string
	port int
}

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
	case TLSNone, TLSStartTLS, TLSImplicit:
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
		return fmt.Errorf("mailer: smtp client: %w (%w)", err, ErrPermanent)
	}
	stop := context.AfterFunc(ctx, guard.close)
	err = s.deliver(ctx, c, msg)
	stop()
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

// deliver dials, sends msg and closes the session. A failing QUIT after
// the server accepted the message is ignored: the message is delivered,
// and reporting an error would send it again.
func (s *Sender) deliver(ctx context.Context, c *gomail.Client, msg *gomail.Msg) error {
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("connect %s: %w", s.opts.Addr, err)
	}
	if err := c.SendWithSMTPClient(sc, msg); err != nil {
		sc.Close()
		return err
	}
	_ = c.CloseWithSMTPClient(sc)
	return nil
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
