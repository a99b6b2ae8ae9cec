package testenv

import (
	"fmt"

	"github.com/emersion/go-imap/v2/imapclient"
)

// AppendMail APPENDs one raw message to the INBOX of the logged-in client
// c: how tests deliver customer mail to the test Dovecot.
func AppendMail(c *imapclient.Client, raw []byte) error {
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		cmd.Close()
		return fmt.Errorf("append: %w", err)
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("append: %w", err)
	}
	if _, err := cmd.Wait(); err != nil {
		return fmt.Errorf("append: %w", err)
	}
	return nil
}
