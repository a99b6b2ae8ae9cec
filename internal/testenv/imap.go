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

// Deliver logs in to the test Dovecot as user and APPENDs the raw messages
// to its INBOX, in order, over one connection.
func (i IMAP) Deliver(user string, raws ...[]byte) error {
	c, err := imapclient.DialInsecure(i.Addr, nil)
	if err != nil {
		return fmt.Errorf("dial %s: %w", i.Addr, err)
	}
	defer c.Close()
	if err := c.Login(user, i.Password).Wait(); err != nil {
		return fmt.Errorf("login %s: %w", user, err)
	}
	for _, raw := range raws {
		if err := AppendMail(c, raw); err != nil {
			return err
		}
	}
	return nil
}
