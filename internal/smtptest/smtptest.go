// Package smtptest runs a real SMTP server in process, on 127.0.0.1, that
// captures every message it accepts. Tests use it to see what salesdesk
// sends; the demo uses it as the outside world's mail server.
//
// The server speaks plain SMTP, STARTTLS or implicit TLS with a self-signed
// certificate it generates itself, optionally requires AUTH PLAIN, and can be
// told to refuse recipients with a 4xx or 5xx reply.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLSMode is how the server offers TLS.
type TLSMode int

// The TLS modes.
const (
	NoTLS    TLSMode = iota // plain SMTP, no STARTTLS offered
	StartTLS                // STARTTLS offered; AUTH only after it
	Implicit                // TLS from the first byte (SMTPS)
)

// Options configures a Server. The zero value is a plain SMTP server with
// no authentication.
type Options struct {
	TLS TLSMode
	// Username and Password, when Username is set, make AUTH PLAIN
	// required before MAIL FROM. Without TLS, AUTH is allowed in the clear.
	Username string
	Password string
	// Domain is the name in the greeting; default "smtptest.local".
	Domain string
	// MaxMessageBytes limits DATA; 0 means 10 MiB.
	MaxMessageBytes int64
}

// Message is one accepted message.
type Message struct {
	From     string   // MAIL FROM
	To       []string // RCPT TO, in order
	Data     []byte   // the message as received, CRLF line endings
	TLS      bool     // whether it arrived over TLS
	Username string   // the authenticated user, if any
}

// Header parses the message's header.
func (m Message) Header() (mail.Header, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return nil, err
	}
	return msg.Header, nil
}

// Server is a running capture server. Its methods are safe for concurrent
// use.
type Server struct {
	opts      Options
	srv       *smtp.Server
	ln        net.Listener
	cert      *x509.Certificate
	serveDone chan struct{}

	mu        sync.Mutex
	msgs      []Message
	changed   chan struct{} // closed and replaced when msgs grows
	failNext  []*smtp.SMTPError
	failRcpt  map[string]*smtp.SMTPError
	closing   bool           // set by Close; no new sessions after it
	sessions  sync.WaitGroup // open sessions; Close waits for them
	closeOnce sync.Once
	closeErr  error
}

// New starts a server for the test and closes it when the test ends. It
// fails the test when the server cannot start.
func New(t testing.TB, opts ...Options) *Server {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	s, err := Start(o)
	if err != nil {
		t.Fatalf("smtptest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("smtptest: close: %v", err)
		}
	})
	return s
}

// Start starts a server on 127.0.0.1 at a free port. Close stops it.
func Start(o Options) (*Server, error) {
	if o.Domain == "" {
		o.Domain = "smtptest.local"
	}
	if o.MaxMessageBytes == 0 {
		o.MaxMessageBytes = 10 << 20
	}
	s := &Server{
		opts:      o,
		changed:   make(chan struct{}),
		failRcpt:  make(map[string]*smtp.SMTPError),
		serveDone: make(chan struct{}),
	}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = o.Domain
	srv.MaxMessageBytes = o.MaxMessageBytes
	srv.MaxRecipients = 100
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.AllowInsecureAuth = o.TLS == NoTLS

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	if o.TLS != NoTLS {
		cert, leaf, err := selfSigned()
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.cert = leaf
		cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if o.TLS == Implicit {
			ln = tls.NewListener(ln, cfg)
		} else {
			srv.TLSConfig = cfg
		}
	}
	s.srv, s.ln = srv, ln
	go func() {
		defer close(s.serveDone)
		srv.Serve(ln) //nolint:errcheck // returns on Close
	}()
	return s, nil
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host is the server's IP address as text ("127.0.0.1").
func (s *Server) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port is the server's TCP port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// ClientTLSConfig returns a TLS configuration that trusts the server's
// self-signed certificate, or nil for a server without TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.cert == nil {
		return nil
	}
	pool := x509.NewCertPool()
	pool.AddCert(s.cert)
	return &tls.Config{RootCAs: pool, ServerName: s.Host(), MinVersion: tls.VersionTLS12}
}

// Messages returns a copy of the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// WaitFor waits until at least n messages were accepted and returns all of
// them, or returns what it has with an error after timeout.
func (s *Server) WaitFor(n int, timeout time.Duration) ([]Message, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		msgs, changed := append([]Message(nil), s.msgs...), s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs, nil
		}
		select {
		case <-changed:
		case <-timer.C:
			return msgs, fmt.Errorf("smtptest: %d of %d messages after %v", len(msgs), n, timeout)
		}
	}
}

// FailNext makes the server answer the next RCPT TO (of any session) with
// code, such as 451 or 550. Calls queue up: each failure is used once.
func (s *Server) FailNext(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, smtpError(code, ""))
}

// FailRcpt makes the server answer every RCPT TO for addr with code and
// message until Reset. An empty message gets a standard text.
func (s *Server) FailRcpt(addr string, code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRcpt[strings.ToLower(addr)] = smtpError(code, message)
}

// Reset forgets the captured messages and all planned failures.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
	s.failNext = nil
	clear(s.failRcpt)
}

// Close stops the server, closes open connections and waits for their
// sessions to end. A second Close is harmless.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		err := s.srv.Close()
		// Close the listener too: go-smtp only knows it once Serve has
		// run, and Close may come first.
		if lerr := s.ln.Close(); err == nil && !errors.Is(lerr, net.ErrClosed) {
			err = lerr
		}
		<-s.serveDone
		s.sessions.Wait()
		if err != nil && !errors.Is(err, net.ErrClosed) {
			s.closeErr = err
		}
	})
	return s.closeErr
}

func smtpError(code int, message string) *smtp.SMTPError {
	if message == "" {
		switch code / 100 {
		case 4:
			message = "Mailbox temporarily unavailable, try again later (smtptest)"
		default:
			message = "Mailbox unavailable (smtptest)"
		}
	}
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: message}
}

func (s *Server) rcptFailure(to string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failNext) > 0 {
		err := s.failNext[0]
		s.failNext = s.failNext[1:]
		return err
	}
	if err, ok := s.failRcpt[strings.ToLower(to)]; ok {
		return err
	}
	return nil
}

func (s *Server) deliver(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil, &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "Shutting down"}
	}
	s.sessions.Add(1)
	return &session{srv: s, conn: c}, nil
}

// session is one SMTP session. go-smtp calls its methods from the
// connection's goroutine only.
type session struct {
	srv      *Server
	conn     *smtp.Conn
	username string
	from     string
	to       []string
	ended    bool
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string {
	if ss.srv.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || ss.srv.opts.Username == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if identity != "" && identity != username {
			return smtp.ErrAuthFailed
		}
		if username != ss.srv.opts.Username || password != ss.srv.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.username = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.srv.opts.Username != "" && ss.username == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.srv.rcptFailure(to); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	ss.srv.deliver(Message{
		From:     ss.from,
		To:       append([]string(nil), ss.to...),
		Data:     data,
		TLS:      isTLS,
		Username: ss.username,
	})
	return nil
}

func (ss *session) Reset() {
	ss.from, ss.to = "", nil
}

func (ss *session) Logout() error {
	if !ss.ended {
		ss.ended = true
		ss.srv.sessions.Done()
	}
	return nil
}

// selfSigned makes a short-lived ECDSA certificate for 127.0.0.1 and
// localhost.
func selfSigned() (tls.Certificate, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("create certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("parse certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, leaf, nil
}
