package inbox_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"salesdesk/internal/inbox"
)

// selfSigned returns a server certificate for 127.0.0.1 and a client
// config that trusts only it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "imap.test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

// tlsServer runs the in-memory server with implicit TLS or STARTTLS and
// without plaintext authentication.
func tlsServer(t *testing.T, mode inbox.TLSMode, serverTLS *tls.Config) string {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("sales", "secret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return idleFlushingSession{mem.NewSession().(imapserver.SessionIMAP4rev2)}, nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger: quietLogger{},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if mode == inbox.TLSStartTLS {
		opts.TLSConfig = serverTLS
	} else {
		ln = tls.NewListener(ln, serverTLS)
	}
	srv := imapserver.New(opts)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String()
}

func TestTLSModesAndAuth(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	tests := []struct {
		name string
		tls  inbox.TLSMode
		auth inbox.AuthMethod
	}{
		{"implicit tls, login", inbox.TLSImplicit, inbox.AuthLogin},
		{"implicit tls, plain", inbox.TLSImplicit, inbox.AuthPlain},
		{"starttls, login", inbox.TLSStartTLS, inbox.AuthLogin},
		{"starttls, plain", inbox.TLSStartTLS, inbox.AuthPlain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tlsServer(t, tt.tls, serverTLS)
			e := setup(t, sqliteStore(t))
			m := mailbox(imapServer{addr: addr, username: "sales", password: "secret"})
			m.TLS, m.Auth, m.TLSConfig = tt.tls, tt.auth, clientTLS
			p, err := inbox.New(m, e.deps())
			if err != nil {
				t.Fatal(err)
			}
			start(t, p)
			synced(t, p, 0)
		})
	}
}

// TestCommandTimeout: a server that accepts connections and never answers
// must not hang the poller; it backs off with a timeout error.
func TestCommandTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { // swallow everything, answer nothing
				io.Copy(io.Discard, c)
				c.Close()
			})
		}
	})

	e := setup(t, sqliteStore(t))
	m := mailbox(imapServer{addr: ln.Addr().String(), username: "u", password: "p"})
	m.CommandTimeout = 100 * time.Millisecond
	p, err := inbox.New(m, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	start(t, p)
	waitFor(t, 30*time.Second, "a timeout", func() bool {
		s := p.Status()
		return s.State == inbox.StateBackoff && strings.Contains(s.LastError, inbox.ErrCommandTimeout.Error())
	})
}

// proxy forwards TCP to target until cut is called, which drops every
// connection (as a network failure would) but keeps accepting new ones.
type proxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			p.wg.Go(func() { io.Copy(up, c); up.Close() })
			p.wg.Go(func() { io.Copy(c, up); c.Close() })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func TestReconnectsAfterNetworkFailure(t *testing.T) {
	eachServer(t, func(t *testing.T, srv imapServer) {
		e := setup(t, sqliteStore(t))
		px := newProxy(t, srv.addr)
		viaProxy := srv
		viaProxy.addr = px.ln.Addr().String()
		m := mailbox(viaProxy)
		p, err := inbox.New(m, e.deps())
		if err != nil {
			t.Fatal(err)
		}
		start(t, p)
		synced(t, p, 0)
		first := p.Status().LastSync

		px.cut()
		waitFor(t, 30*time.Second, "error noticed", func() bool { return p.Status().LastError != "" })
		srv.appendAll(t, "INBOX", messages(2)) // while reconnecting, or just after
		synced(t, p, 2)
		if !p.Status().LastSync.After(first) {
			t.Fatal("no new sync after reconnecting")
		}
		e.assertHandedOff(t, m.Name, 2)
	})
}

// TestIdleRefresh: IDLE is re-issued (with a safety sync) every IdleRefresh.
func TestIdleRefresh(t *testing.T) {
	srv := memoryServer(t)
	e := setup(t, sqliteStore(t))
	m := mailbox(srv)
	m.IdleRefresh = 50 * time.Millisecond
	p, err := inbox.New(m, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	start(t, p)
	synced(t, p, 0)
	first := p.Status().LastSync
	waitFor(t, 30*time.Second, "a refresh sync", func() bool { return p.Status().LastSync.After(first) })
	if err := p.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}
