package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// IMAP is go-imap's in-memory IMAP server on 127.0.0.1 with one user, the
// sales inbox. It offers IMAP4rev2 (MOVE, IDLE) and plaintext login, as
// the poller's tests do.
type IMAP struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// Username and Password log in to the sales inbox.
	Username string
	Password string
	// Folder is where mail arrives ("INBOX").
	Folder string

	user *imapmemserver.User
	srv  *imapserver.Server
	done chan struct{}

	mu       sync.Mutex
	appended int

	closeOnce sync.Once
}

// StartIMAP starts the server with a user holding INBOX and a Processed
// folder (for a poller that moves what it has taken).
func StartIMAP(username, password string) (*IMAP, error) {
	if username == "" || password == "" {
		return nil, errors.New("demo: imap user and password required")
	}
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(username, password)
	for _, f := range []string{"INBOX", "Processed"} {
		if err := user.Create(f, nil); err != nil {
			return nil, fmt.Errorf("demo: imap create %s: %w", f, err)
		}
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       quietLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: imap listen: %w", err)
	}
	m := &IMAP{
		Addr:     ln.Addr().String(),
		Username: username,
		Password: password,
		Folder:   "INBOX",
		user:     user,
		srv:      srv,
		done:     make(chan struct{}),
	}
	go func() {
		defer close(m.done)
		srv.Serve(ln) //nolint:errcheck // returns on Close
	}()
	return m, nil
}

// Append delivers one raw message to the inbox, as an MTA would. Sessions
// in IDLE are told at once.
func (m *IMAP) Append(ctx context.Context, raw []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := m.user.Append(m.Folder, literal{bytes.NewReader(raw)}, &imap.AppendOptions{Time: time.Now()}); err != nil {
		return fmt.Errorf("demo: append to %s: %w", m.Folder, err)
	}
	m.mu.Lock()
	m.appended++
	m.mu.Unlock()
	return nil
}

// Appended is how many messages Append delivered.
func (m *IMAP) Appended() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.appended
}

// Close stops the server and waits for it. A second Close is harmless.
func (m *IMAP) Close() error {
	var err error
	m.closeOnce.Do(func() {
		err = m.srv.Close()
		<-m.done
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
	})
	return err
}

type literal struct{ *bytes.Reader }

func (l literal) Size() int64 { return l.Reader.Size() }

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}
