package bench

import (
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Sink is an SMTP server on 127.0.0.1 that accepts every mail and notes,
// for each recipient, when mail arrived for it. It keeps no bodies, so a
// long run stays small.
type Sink struct {
	srv *smtp.Server
	ln  net.Listener

	mu       sync.Mutex
	total    int
	arrivals map[string][]time.Time // lower-case recipient -> arrival times
}

// StartSink starts a sink on a free loopback port.
func StartSink() (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Sink{ln: ln, arrivals: map[string][]time.Time{}}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "sink.bench.local"
	s.srv.AllowInsecureAuth = true
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	go s.srv.Serve(ln)
	return s, nil
}

// Addr is the sink's host:port.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Close stops the sink.
func (s *Sink) Close() error { return s.srv.Close() }

// Total is the number of mails accepted.
func (s *Sink) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// Got reports whether any mail arrived for addr.
func (s *Sink) Got(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.arrivals[strings.ToLower(addr)]) > 0
}

// Arrivals returns the arrival times of the mails to addr.
func (s *Sink) Arrivals(addr string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.arrivals[strings.ToLower(addr)]...)
}

// NewSession implements smtp.Backend.
func (s *Sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

type sinkSession struct {
	sink *Sink
	rcpt []string
}

func (ss *sinkSession) AuthMechanisms() []string             { return nil }
func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.rcpt = append(ss.rcpt, to)
	return nil
}
func (ss *sinkSession) Reset()        { ss.rcpt = nil }
func (ss *sinkSession) Logout() error { return nil }

func (ss *sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	now := time.Now()
	s := ss.sink
	s.mu.Lock()
	s.total++
	for _, to := range ss.rcpt {
		k := strings.ToLower(to)
		s.arrivals[k] = append(s.arrivals[k], now)
	}
	s.mu.Unlock()
	ss.rcpt = nil
	return nil
}
