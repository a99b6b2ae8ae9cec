package main

import (
	"context"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/hibiken/asynq"

	"salesdesk/internal/mailparse"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

// TestRunCorpus feeds every .eml message of the shared real-world corpus
// (bounces, auto-replies, odd charsets, broken MIME) through the whole
// running process: each one is stored and processed or quarantined, no
// task fails for good, and no automated message is answered.
func TestRunCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "testdata", "mail")
	if _, err := os.Stat(dir); err != nil {
		testenv.Unavailable(t, "shared mail corpus", err)
	}
	d := setupDesk(t)

	var raws [][]byte
	automated := map[string]bool{} // sender addresses of automated mail
	filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".eml") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, raw)
		if m, err := mailparse.Parse(raw, mailparse.Options{}); err == nil && m.Kind.Automated() && m.From.Address != "" {
			automated[strings.ToLower(m.From.Address)] = true
		}
		return nil
	})
	if len(raws) < 100 {
		t.Fatalf("only %d corpus messages found", len(raws))
	}

	c, err := imapclient.DialInsecure(d.imap.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(d.user, d.imap.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	appended := 0
	for _, raw := range raws {
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		cmd.Write(raw)
		cmd.Close()
		if _, err := cmd.Wait(); err == nil {
			appended++
		}
	}
	t.Logf("appended %d of %d corpus messages", appended, len(raws))

	// Every stored message ends processed or quarantined.
	ctx := context.Background()
	db := testenv.SQL(t, d.dsn)
	count := func(where string) int {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM inbound_messages"+where).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor(t, 120*time.Second, func() bool {
		return count("") >= appended && count(" WHERE status IN ('"+store.InboundProcessed+"', '"+store.InboundQuarantined+"')") == count("")
	})

	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBCmd})
	defer insp.Close()
	for _, q := range []string{"critical", "default", "low"} {
		archived, err := insp.ListArchivedTasks(q)
		if err != nil && !strings.Contains(err.Error(), "not found") {
			t.Fatal(err)
		}
		for _, a := range archived {
			t.Errorf("task failed for good: %s %s: %s", a.Type, a.ID, a.LastErr)
		}
	}
	for _, m := range d.smtp.Messages() {
		for _, to := range m.To {
			if automated[strings.ToLower(to)] {
				msg, _ := mail.ReadMessage(strings.NewReader(string(m.Data)))
				subject := ""
				if msg != nil {
					subject = msg.Header.Get("Subject")
				}
				t.Errorf("answered automated sender %s: %q", to, subject)
			}
		}
	}
	t.Logf("%d messages stored, %d quarantined, %d mails sent", count(""),
		count(" WHERE status = '"+store.InboundQuarantined+"'"), len(d.smtp.Messages()))
}
