package config

import (
	"os"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary YAML and one arbitrary environment variable
// through loading and validation: either may report problems, neither may
// panic or hang.
func FuzzLoad(f *testing.F) {
	example, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(example), "SALESDESK_MAILBOXES_0_PASSWORD", "pw")
	f.Add("redis: {adress: x}\n", "SALESDESK_REDIS_ADDRS", "[a:1, b:2]")
	f.Add("mailboxes:\n  - &m {name: a}\n  - <<: *m\n", "SALESDESK_LEADS_REPS_3_WORKING_HOURS_DAYS", "mon,tue")
	f.Add("a: &a [x, x]\nb: &b [*a, *a]\nleads: {reps: [*b, *b]}\n", "SALESDESK_WEB_VIEWERS", "[{username: v}]")
	f.Add("worker: {concurrency: 1e9}\n", "SALESDESK_WEB_ADMIN", "{password_hash: $2a$04$x}")
	f.Fuzz(func(t *testing.T, yamlText, name, value string) {
		if strings.ContainsAny(name, "=\x00") || strings.HasSuffix(name, "_FILE") {
			return // not a variable name; _FILE would read arbitrary paths
		}
		cfg, _, err := build("fuzz.yaml", []byte(yamlText), []string{name + "=" + value})
		if err != nil {
			return
		}
		_ = cfg.Validate()
	})
}

// Nested aliases expand in the decoder's own walk: it must stop them.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x0: &a0 [mon, tue, wed, thu, fri, sat, sun, mon, tue, wed]\n")
	b.WriteString("leads:\n  reps:\n")
	for range 200 {
		b.WriteString("    - {name: r, email: r@x.example, working_hours: {days: *a0}}\n")
	}
	_, problems, err := build("bomb.yaml", []byte(b.String()+strings.Repeat("\n", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	// 200 aliases are fine; x0 itself is unknown.
	if len(problems) != 1 || problems[0].Error() != "x0: unknown key" {
		t.Fatalf("problems = %v", problems)
	}
	b.Reset()
	b.WriteString("leads:\n  reps:\n    - &r {name: r}\n")
	for range maxAliases + 10 {
		b.WriteString("    - *r\n")
	}
	_, problems, err = build("bomb.yaml", []byte(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "too many alias expansions") {
		t.Fatalf("problems = %v", problems)
	}
}
