package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const leak = "hunter2-very-secret"

// secretConfig returns a config with every Secret set to leak.
func secretConfig() Config {
	c := Default()
	c.Redis.Password = leak
	c.Redis.SentinelPassword = leak
	c.Database.DSN = "postgres://app:" + leak + "@db:5432/salesdesk"
	c.Web.Admin = WebUser{Username: "admin", PasswordHash: leak}
	c.Web.Viewers = []WebUser{{Username: "viewer", PasswordHash: leak}}
	c.Web.APITokens = []APIToken{{Name: "form", Token: leak}}
	c.Web.LinkSecret = leak
	c.SMTP.Password = leak
	mb := DefaultMailbox()
	mb.Password = leak
	c.Mailboxes = []MailboxConfig{mb}
	return c
}

func TestSecretRedaction(t *testing.T) {
	cfg := secretConfig()
	var jsonLog, textLog bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonLog, nil)).Info("config", "config", cfg, "secret", cfg.SMTP.Password)
	slog.New(slog.NewTextHandler(&textLog, nil)).Info("config", "config", cfg, "secret", cfg.SMTP.Password)
	jsonOut, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	yamlOut, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		out  string
	}{
		{"pointer %+v", fmt.Sprintf("%+v", &cfg)},
		{"secret %v", fmt.Sprintf("%v", cfg.SMTP.Password)},
		{"secret %s", fmt.Sprint(cfg.SMTP.Password)},
		{"secret %q", fmt.Sprintf("%q", cfg.SMTP.Password)},
		{"secret %x", fmt.Sprintf("%x", cfg.SMTP.Password)},
		{"slog json", jsonLog.String()},
		{"slog text", textLog.String()},
		{"json.Marshal", string(jsonOut)},
		{"yaml.Marshal", string(yamlOut)},
	}
	// Every verb, including ones that make no sense for a struct: fmt
	// falls back to printing fields raw for those unless Secret formats
	// itself. (A variable format keeps vet's printf check quiet.)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t"} {
		tests = append(tests, struct {
			name string
			out  string
		}{verb, fmt.Sprintf(verb, cfg)})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.out, leak) || strings.Contains(tt.out, fmt.Sprintf("%x", leak)) {
				t.Fatalf("secret leaked: %s", tt.out)
			}
			if !strings.Contains(tt.out, Redacted) {
				t.Fatalf("no %s marker in: %s", Redacted, tt.out)
			}
		})
	}
	if got := cfg.SMTP.Password.Reveal(); got != leak {
		t.Fatalf("Reveal() = %q, want the value", got)
	}
}

// Problems never quote a secret, even a malformed one.
func TestValidateDoesNotQuoteSecrets(t *testing.T) {
	cfg := secretConfig()
	cfg.Database.DSN = "mysql://root:" + leak + "@db/x"
	for _, p := range cfg.Validate() {
		if strings.Contains(p.Error(), leak) {
			t.Errorf("problem quotes a secret: %s", p)
		}
	}
}
