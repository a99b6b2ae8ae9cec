package proc

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/bcrypt"
)

// Services is what a test desk's configuration connects to.
type Services struct {
	RedisAddr    string
	RedisDB      int
	DSN          string
	SMTPAddr     string
	IMAPAddr     string // the sales mailbox
	IMAPUser     string
	IMAPPassword string
	// Domain is our own mail domain (default "ourco.example"): the desk
	// sends from sales@Domain, triage and the team get triage@ and team@.
	Domain string
	// AdminPassword is the web admin's password (default "admin-password").
	AdminPassword string
}

// Config is a salesdesk configuration file for a test desk: the services,
// the web admin, one sales mailbox, reps always at work; Set changes or
// adds any key.
type Config struct {
	tree map[string]any
}

// NewConfig is the configuration of a desk that uses s.
func NewConfig(s Services) (*Config, error) {
	if s.Domain == "" {
		s.Domain = "ourco.example"
	}
	if s.AdminPassword == "" {
		s.AdminPassword = "admin-password"
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(s.AdminPassword), bcrypt.MinCost)
	if err != nil {
		return nil, err
	}
	c := &Config{tree: map[string]any{}}
	for _, kv := range []struct {
		path  string
		value any
	}{
		{"log.level", "warn"},
		{"log.format", "json"},
		{"redis.addr", s.RedisAddr},
		{"redis.db", s.RedisDB},
		{"database.dsn", s.DSN},
		{"web.listen", "127.0.0.1:0"},
		{"web.base_url", "http://desk." + s.Domain},
		{"web.admin.username", "admin"},
		{"web.admin.password_hash", string(hash)},
		{"web.link_secret", strings.Repeat("s", 40)},
		{"smtp.addr", s.SMTPAddr},
		{"smtp.tls", "none"},
		{"smtp.from", "Ourco Sales <sales@" + s.Domain + ">"},
		{"smtp.timeout", "10s"},
		{"mailboxes", []any{map[string]any{"name": "sales", "addr": s.IMAPAddr, "tls": "none",
			"username": s.IMAPUser, "password": s.IMAPPassword}}},
		{"routing.triage_address", "triage@" + s.Domain},
		{"routing.team_address", "team@" + s.Domain},
		{"leads.respect_working_hours", false},
		{"leads.manager_address", "manager@" + s.Domain},
	} {
		c.Set(kv.path, kv.value)
	}
	return c, nil
}

// Set sets the key at a dotted path ("worker.recovery_every",
// "mailboxes.0.lease_ttl"), making the maps on the way; a number indexes
// an existing list. It panics on a path through a value that is not a
// map or list: a mistake in the test itself.
func (c *Config) Set(path string, value any) *Config {
	keys := strings.Split(path, ".")
	var node any = c.tree
	for i, k := range keys {
		last := i == len(keys)-1
		switch n := node.(type) {
		case map[string]any:
			if last {
				n[k] = value
				return c
			}
			if _, ok := n[k]; !ok {
				n[k] = map[string]any{}
			}
			node = n[k]
		case []any:
			j, err := strconv.Atoi(k)
			if err != nil || j < 0 || j >= len(n) {
				panic(fmt.Sprintf("proc: config path %s: %q is no index of a list of %d", path, k, len(n)))
			}
			if last {
				n[j] = value
				return c
			}
			node = n[j]
		default:
			panic(fmt.Sprintf("proc: config path %s: %q is not a map or list", path, strings.Join(keys[:i], ".")))
		}
	}
	return c
}

// YAML is the configuration file's text.
func (c *Config) YAML() ([]byte, error) { return yaml.Marshal(c.tree) }

// Write writes the configuration to path and has the salesdesk binary
// bin check it (`salesdesk config check`), so a bad key fails here with
// its name rather than as a role that will not start.
func (c *Config) Write(bin, path string) error {
	b, err := c.YAML()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return err
	}
	if out, err := Command(bin, "config", "check", "-c", path).CombinedOutput(); err != nil {
		return fmt.Errorf("config check: %w\n%s", err, out)
	}
	return nil
}
