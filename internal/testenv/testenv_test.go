package testenv_test

import (
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"salesdesk/internal/testenv"
)

func login(t *testing.T, srv testenv.IMAP, user string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(srv.Addr, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", srv.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, srv.Password).Wait(); err != nil {
		t.Fatalf("login as %s: %v", user, err)
	}
	return c
}

// TestDovecotUsersHaveOwnMailboxes proves the contract scripts/test gives:
// any user name logs in with the shared password, and each name has its own
// empty INBOX.
func TestDovecotUsersHaveOwnMailboxes(t *testing.T) {
	t.Parallel()
	srv := testenv.Dovecot(t)
	alice := login(t, srv, "alice-"+testenv.RandomName(6))
	bob := login(t, srv, "bob-"+testenv.RandomName(6))

	msg := strings.Join([]string{
		"From: Customer <customer@example.com>",
		"To: sales@example.com",
		"Subject: Order 1001",
		"Message-ID: <testenv-1@example.com>",
		"",
		"Where is my order?",
		"",
	}, "\r\n")
	app := alice.Append("INBOX", int64(len(msg)), nil)
	if _, err := app.Write([]byte(msg)); err != nil {
		t.Fatalf("append write: %v", err)
	}
	if err := app.Close(); err != nil {
		t.Fatalf("append close: %v", err)
	}
	appended, err := app.Wait()
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	if appended.UID != 1 {
		t.Errorf("appended UID = %d, want 1 (fresh mailbox)", appended.UID)
	}

	tests := []struct {
		name     string
		client   *imapclient.Client
		wantMsgs uint32
		wantNext imap.UID
	}{
		{name: "appender sees its message", client: alice, wantMsgs: 1, wantNext: 2},
		{name: "other user sees an empty inbox", client: bob, wantMsgs: 0, wantNext: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := tt.client.Select("INBOX", nil).Wait()
			if err != nil {
				t.Fatalf("select INBOX: %v", err)
			}
			if sel.NumMessages != tt.wantMsgs {
				t.Errorf("messages = %d, want %d", sel.NumMessages, tt.wantMsgs)
			}
			if sel.UIDNext != tt.wantNext {
				t.Errorf("UIDNEXT = %d, want %d", sel.UIDNext, tt.wantNext)
			}
			if sel.UIDValidity == 0 {
				t.Error("UIDVALIDITY = 0")
			}
		})
	}
}

func TestDovecotRejectsWrongPassword(t *testing.T) {
	t.Parallel()
	srv := testenv.Dovecot(t)
	c, err := imapclient.DialInsecure(srv.Addr, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", srv.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login("mallory-"+testenv.RandomName(6), srv.Password+"x").Wait(); err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
}
