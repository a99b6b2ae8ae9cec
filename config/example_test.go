package config

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const examplePath = "../salesdesk.example.yaml"

// exampleEnv returns the variables the example's header says to export,
// with working values.
func exampleEnv(t *testing.T) []string {
	t.Helper()
	text, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{
		"SALESDESK_WEB_ADMIN_PASSWORD_HASH":     testHash(t).Reveal(),
		"SALESDESK_WEB_VIEWERS_0_PASSWORD_HASH": testHash(t).Reveal(),
		"SALESDESK_WEB_API_TOKENS_0_TOKEN":      strings.Repeat("a1", 24),
		"SALESDESK_WEB_LINK_SECRET":             strings.Repeat("b2", 32),
		"SALESDESK_MAILBOXES_0_PASSWORD":        "imap password",
	}
	var env []string
	for _, m := range regexp.MustCompile(`(?m)^#\s+export (SALESDESK_\w+)=`).FindAllStringSubmatch(string(text), -1) {
		v, ok := values[m[1]]
		if !ok {
			t.Fatalf("the example's header exports %s, which this test has no value for", m[1])
		}
		env = append(env, m[1]+"="+v)
	}
	return env
}

// The example validates with exactly the variables its header lists.
func TestExampleFileValidates(t *testing.T) {
	env := exampleEnv(t)
	cfg, err := LoadEnv(examplePath, env)
	if err != nil {
		t.Fatal(err)
	}
	if ps := cfg.Validate(); ps != nil {
		t.Fatalf("salesdesk.example.yaml with its header's env: %v", ps)
	}
	if got := checkEnv(examplePath, env); len(got) != 0 {
		t.Fatalf("Check: %q", got)
	}
	// The values the README and docker-compose rely on.
	tests := []struct {
		name      string
		got, want any
	}{
		{"database", cfg.Database.DSN.Reveal(), "sqlite:salesdesk.db"},
		{"redis", cfg.Redis.Addr, "127.0.0.1:6379"},
		{"smtp", cfg.SMTP.Addr, "127.0.0.1:1025"},
		{"imap", cfg.Mailboxes[0].Addr, "127.0.0.1:143"},
		{"imap plain", cfg.Mailboxes[0].TLS, TLSNone},
		{"web", cfg.Web.Listen, "127.0.0.1:8080"},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	// Each listed variable is needed: without it the file does not validate.
	for i := range env {
		less := slices.Delete(slices.Clone(env), i, i+1)
		cfg, err := LoadEnv(examplePath, less)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Validate() == nil {
			t.Errorf("the header lists %s, but the file validates without it", env[i])
		}
	}
}

// Every key of Config appears in salesdesk.example.yaml, so the documented
// keys never drift from the code. A Secret and its <key>_file appear in
// comments instead: the secret's variable and the _file key's name.
func TestExampleDocumentsEveryKey(t *testing.T) {
	text, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	collectKeys(doc.Content[0], "", present)

	root := reflect.TypeFor[Config]()
	for _, key := range keyPaths(root, "") {
		if present[key] {
			continue
		}
		secretKey := key
		if typeAt(t, key) != secretType {
			secretKey = strings.TrimSuffix(key, "_file")
			if secretKey == key || typeAt(t, secretKey) != secretType {
				t.Errorf("%s is not in salesdesk.example.yaml", key)
				continue
			}
		}
		leaf := secretKey[strings.LastIndexAny(secretKey, ".]")+1:]
		documented := strings.Contains(string(text), EnvName(secretKey)) &&
			strings.Contains(string(text), leaf+"_file: ") &&
			(present[secretKey] || strings.Contains(string(text), "# "+leaf+": "))
		if !documented {
			t.Errorf("secret %s: salesdesk.example.yaml must document it as a comment naming %s and %s_file",
				secretKey, EnvName(secretKey), leaf)
		}
	}
	// And nothing in the example is unknown (LoadEnv would say so too).
	for key := range present {
		if !slices.Contains(keyPaths(root, ""), key) && !isSectionKey(root, key) {
			t.Errorf("salesdesk.example.yaml has %s, which Config does not know", key)
		}
	}
}

// collectKeys records every key path in n, list elements as [0].
func collectKeys(n *yaml.Node, prefix string, out map[string]bool) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := join(prefix, n.Content[i].Value)
			out[key] = true
			collectKeys(n.Content[i+1], key, out)
		}
	case yaml.SequenceNode:
		for _, el := range n.Content {
			collectKeys(el, index(prefix, 0), out)
		}
	}
}

// isSectionKey reports whether key names a section (a struct or a list of
// structs) rather than a value.
func isSectionKey(root reflect.Type, key string) bool {
	for _, k := range keyPaths(root, "") {
		if strings.HasPrefix(k, key+".") || strings.HasPrefix(k, key+"[") {
			return true
		}
	}
	return false
}

func ExampleEnvName() {
	fmt.Println(EnvName("mailboxes[0].password"))
	fmt.Println(EnvName("web.admin.password_hash"))
	// Output:
	// SALESDESK_MAILBOXES_0_PASSWORD
	// SALESDESK_WEB_ADMIN_PASSWORD_HASH
}

func ExampleLoadEnv() {
	env := []string{
		"SALESDESK_REDIS_ADDR=10.0.0.5:6379",
		"SALESDESK_MAILBOXES_0_NAME=sales",
		"SALESDESK_MAILBOXES_0_PASSWORD=s3cret",
		"SALESDESK_REDIS_ADRESS=typo",
	}
	_, err := LoadEnv("", env)
	fmt.Println(err)

	cfg, _ := LoadEnv("", env[:3])
	fmt.Println(cfg.Redis.Addr, cfg.Mailboxes[0].Name, cfg.Mailboxes[0].Folder, cfg.Mailboxes[0].Password)
	// Output:
	// SALESDESK_REDIS_ADRESS: unknown environment variable: it names no config key
	// 10.0.0.5:6379 sales INBOX [redacted]
}

func ExampleConfig_Validate() {
	cfg := Default()
	cfg.SMTP.Addr = "mail.acme.example"
	for _, p := range cfg.Validate() {
		if strings.HasPrefix(p.Key, "smtp.") {
			fmt.Println(p)
		}
	}
	// Output:
	// smtp.addr: invalid host:port
	// smtp.from: required
}

// Every key of the example carries a comment (on the line above or at the
// end of its line). Repeated list elements (the second rep, rule, team)
// are documented by the first.
func TestExampleCommentsEveryKey(t *testing.T) {
	text, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(n *yaml.Node, prefix string, first bool)
	walk = func(n *yaml.Node, prefix string, first bool) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				key := join(prefix, k.Value)
				commented := k.HeadComment != "" || k.LineComment != "" || v.LineComment != "" ||
					(i == 0 && n.HeadComment != "")
				if first && !commented {
					t.Errorf("%s (line %d) has no comment", key, k.Line)
				}
				walk(v, key, first)
			}
		case yaml.SequenceNode:
			for i, el := range n.Content {
				walk(el, index(prefix, i), first && i == 0)
			}
		}
	}
	walk(doc.Content[0], "", true)
}

func BenchmarkLoadExample(b *testing.B) {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		b.Fatal(err)
	}
	env := []string{"SALESDESK_MAILBOXES_0_PASSWORD=pw", "SALESDESK_REDIS_DB=2"}
	b.ReportAllocs()
	for b.Loop() {
		if _, ps, err := build(examplePath, data, env); err != nil || ps != nil {
			b.Fatal(err, ps)
		}
	}
}
