package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeFile writes content to a file in a fresh temp dir and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// problemStrings returns the "key: message" lines of err's Problems.
func problemStrings(t *testing.T, err error) []string {
	t.Helper()
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v is not Problems", err)
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Error()
	}
	return out
}

func TestLoadEmptyPathIsDefaults(t *testing.T) {
	got, err := LoadEnv("", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.ApplyFallbacks()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Load(\"\") = %+v\nwant %+v", got, want)
	}
}

func TestLoadYAML(t *testing.T) {
	path := writeFile(t, "c.yaml", `
log: {level: debug}
redis:
  mode: sentinel
  addrs: [10.0.0.1:26379, 10.0.0.2:26379]
  master_name: mymaster
worker:
  concurrency: 4
  shutdown_timeout: 1m
mailboxes:
  - name: sales
    addr: imap.acme.example:993
    idle: false
  - name: support
    addr: imap.acme.example:993
    max_message_bytes: 10MB
routing:
  min_confidence: 0.75
  team_address: team@acme.example
`)
	cfg, err := LoadEnv(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"set value", cfg.Log.Level, "debug"},
		{"sibling keeps default", cfg.Log.Format, "json"},
		{"list", cfg.Redis.Addrs, []string{"10.0.0.1:26379", "10.0.0.2:26379"}},
		{"int", cfg.Worker.Concurrency, 4},
		{"duration", cfg.Worker.ShutdownTimeout, time.Minute},
		{"untouched section", cfg.Worker.Queues, QueueWeights{6, 3, 1}},
		{"list element set", cfg.Mailboxes[0].IDLE, false},
		{"list element default", cfg.Mailboxes[1].IDLE, true},
		{"list element default folder", cfg.Mailboxes[0].Folder, "INBOX"},
		{"byte size", cfg.Mailboxes[1].MaxMessageBytes, ByteSize(10_000_000)},
		{"default byte size", cfg.Mailboxes[0].MaxMessageBytes, 25 * MiB},
		{"float", cfg.Routing.MinConfidence, 0.75},
		{"fallback", cfg.Leads.ManagerAddress, "team@acme.example"},
		{"fallback list", cfg.Reports.Recipients, []string{"team@acme.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Fatalf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestLoadProblemsNameTheKey(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown key", "redis:\n  adress: x\n", []string{"redis.adress: unknown key"}},
		{"unknown section", "reddis: {}\n", []string{"reddis: unknown key"}},
		{"unknown key in list element", "mailboxes:\n  - name: a\n    pasword: x\n",
			[]string{"mailboxes[0].pasword: unknown key"}},
		{"unknown key deep", "web:\n  admin:\n    user: x\n", []string{"web.admin.user: unknown key"}},
		{"several", "log: {lvl: x}\nsmtp: {adr: y}\n", []string{"log.lvl: unknown key", "smtp.adr: unknown key"}},
		{"bad int", "worker:\n  concurrency: many\n",
			[]string{`worker.concurrency: invalid value "many": must be a whole number`}},
		{"bad duration", "worker:\n  shutdown_timeout: 30\n",
			[]string{`worker.shutdown_timeout: invalid duration "30" (write e.g. 30s, 5m, 24h)`}},
		{"bad bool", "mailboxes:\n  - idle: yes\n", []string{`mailboxes[0].idle: invalid value "yes": must be true or false`}},
		{"bad size", "mailboxes:\n  - max_message_bytes: 3 parsecs\n",
			[]string{`mailboxes[0].max_message_bytes: invalid size "3 parsecs": want bytes or a number with KiB, MiB, GiB, KB, MB or GB`}},
		{"list for scalar", "smtp:\n  addr: [a, b]\n", []string{"smtp.addr: expected a single value, got a list"}},
		{"scalar for list", "redis:\n  addrs: a:1\n", []string{"redis.addrs: expected a list, got a single value"}},
		{"scalar for section", "redis: single\n", []string{"redis: expected a mapping (key: value lines), got a single value"}},
		{"duplicate key", "log:\n  level: info\n  level: debug\n", []string{"log.level: duplicate key (line 3)"}},
		{"top level list", "- a\n", []string{"config: expected a mapping (key: value lines), got a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadEnv(writeFile(t, "c.yaml", tt.yaml), nil)
			if got := problemStrings(t, err); !slices.Equal(got, tt.want) {
				t.Fatalf("problems:\n %q\nwant\n %q", got, tt.want)
			}
		})
	}
}

func TestLoadYAMLAnchorsAndMerge(t *testing.T) {
	path := writeFile(t, "c.yaml", `
mailboxes:
  - &base
    name: sales
    addr: imap.acme.example:993
    poll_interval: 10s
  - <<: *base
    name: support
`)
	cfg, err := LoadEnv(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Mailboxes[1]; got.Name != "support" || got.Addr != "imap.acme.example:993" || got.PollInterval != 10*time.Second {
		t.Fatalf("merged mailbox = %+v", got)
	}
}

func TestLoadFileErrors(t *testing.T) {
	_, err := LoadEnv(filepath.Join(t.TempDir(), "missing.yaml"), nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: err = %v, want fs.ErrNotExist", err)
	}
	_, err = LoadEnv(writeFile(t, "c.yaml", "log: [unclosed\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "parse config") {
		t.Fatalf("bad YAML: err = %v", err)
	}
	if cfg, err := LoadEnv(writeFile(t, "c.yaml", "# only comments\n"), nil); err != nil || cfg.Redis.Addr != "127.0.0.1:6379" {
		t.Fatalf("empty file: %v, %+v", err, cfg.Redis)
	}
	if cfg, err := LoadEnv(writeFile(t, "c.yaml", "log:\n  level:\n"), nil); err != nil || cfg.Log.Level != "info" {
		t.Fatalf("empty value keeps the default: %v, %q", err, cfg.Log.Level)
	}
}

func TestLoadEnvOverrides(t *testing.T) {
	path := writeFile(t, "c.yaml", `
redis: {addr: 10.0.0.9:6379}
mailboxes:
  - name: sales
    addr: imap.acme.example:993
routing:
  order_number_patterns: ['\bSO-\d+\b']
`)
	env := []string{
		"PATH=/usr/bin",
		"SALESDESK_REDIS_ADDR=127.0.0.1:6390",
		"SALESDESK_REDIS_DB=3",
		"SALESDESK_REDIS_ADDRS=a:1, b:2",
		"SALESDESK_WEB_LISTEN=:9090",
		"SALESDESK_WEB_ADMIN_PASSWORD_HASH=$2a$04$abc",
		"SALESDESK_MAILBOXES_0_PASSWORD=imap-secret",
		"SALESDESK_MAILBOXES_0_IDLE=false",
		"SALESDESK_MAILBOXES_1_NAME=support",
		"SALESDESK_ROUTING_ORDER_NUMBER_PATTERNS_1=\\bPO-\\d{4,8}\\b",
		"SALESDESK_MEETINGS_REMINDERS=[48h, 2h]",
		"SALESDESK_LEADS_REPS_0_EMAIL=ann@acme.example",
		"SALESDESK_LEADS_REPS_0_WORKING_HOURS_START=07:30",
		"SALESDESK_WEB_VIEWERS={username: manager}",
		"SALESDESK_SCHEDULER_SCHEDULES_REPORT_WEEKLY=",
		"SALESDESK_TEST_REDIS_ADDR=ignored",
		"SALESDESK_CONFIG=ignored.yaml",
	}
	cfg, err := LoadEnv(path, env)
	if err == nil {
		t.Fatal("SALESDESK_WEB_VIEWERS with a mapping, not a list: want a problem")
	}
	if got := problemStrings(t, err); !slices.Equal(got, []string{"web.viewers: expected a list, got a mapping"}) {
		t.Fatalf("problems = %q", got)
	}
	env[len(env)-4] = "SALESDESK_WEB_VIEWERS=[{username: manager}]"
	cfg, err = LoadEnv(path, env)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"string", cfg.Redis.Addr, "127.0.0.1:6390"},
		{"int", cfg.Redis.DB, 3},
		{"comma list", cfg.Redis.Addrs, []string{"a:1", "b:2"}},
		{"listen", cfg.Web.Listen, ":9090"},
		{"secret", cfg.Web.Admin.PasswordHash.Reveal(), "$2a$04$abc"},
		{"list element secret", cfg.Mailboxes[0].Password.Reveal(), "imap-secret"},
		{"list element bool", cfg.Mailboxes[0].IDLE, false},
		{"list element kept", cfg.Mailboxes[0].Addr, "imap.acme.example:993"},
		{"list grows", len(cfg.Mailboxes), 2},
		{"grown element named", cfg.Mailboxes[1].Name, "support"},
		{"grown element has defaults", cfg.Mailboxes[1].Folder, "INBOX"},
		{"grown element has default idle", cfg.Mailboxes[1].IDLE, true},
		{"scalar list element", cfg.Routing.OrderNumberPatterns, []string{`\bSO-\d+\b`, `\bPO-\d{4,8}\b`}},
		{"yaml flow list", cfg.Meetings.Reminders, []time.Duration{48 * time.Hour, 2 * time.Hour}},
		{"nested in grown element", cfg.Leads.Reps[0].WorkingHours.Start, "07:30"},
		{"grown rep defaults", cfg.Leads.Reps[0].Weight, 1},
		{"whole list as yaml", cfg.Web.Viewers, []WebUser{{Username: "manager"}}},
		{"empty disables", cfg.Scheduler.Schedules.ReportWeekly, ""},
		{"untouched", cfg.Scheduler.Schedules.ReportDaily, Default().Scheduler.Schedules.ReportDaily},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Fatalf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestLoadEnvProblems(t *testing.T) {
	tests := []struct {
		name string
		env  string
		want string
	}{
		{"typo", "SALESDESK_REDIS_ADRESS=x", "SALESDESK_REDIS_ADRESS: unknown environment variable: it names no config key"},
		{"section only", "SALESDESK_REDISS=x", "SALESDESK_REDISS: unknown environment variable: it names no config key"},
		{"index on a scalar", "SALESDESK_REDIS_ADDR_0=x", "SALESDESK_REDIS_ADDR_0: unknown environment variable: it names no config key"},
		{"field without index", "SALESDESK_MAILBOXES_PASSWORD=x", "SALESDESK_MAILBOXES_PASSWORD: unknown environment variable: it names no config key"},
		{"huge index", "SALESDESK_MAILBOXES_100000_NAME=x", "SALESDESK_MAILBOXES_100000_NAME: unknown environment variable: it names no config key"},
		{"bad value", "SALESDESK_WORKER_CONCURRENCY=lots",
			`worker.concurrency: from SALESDESK_WORKER_CONCURRENCY: invalid value "lots": must be a whole number`},
		{"bad list element", "SALESDESK_MEETINGS_REMINDERS=1h,soon",
			`meetings.reminders[1]: from SALESDESK_MEETINGS_REMINDERS: invalid duration "soon" (write e.g. 30s, 5m, 24h)`},
		{"unknown key in yaml value", "SALESDESK_WEB_ADMIN={user: x}", "web.admin.user: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadEnv("", []string{tt.env})
			if got := problemStrings(t, err); !slices.Equal(got, []string{tt.want}) {
				t.Fatalf("problems = %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	smtp := write("smtp", "  smtp-pass\n")
	imap := write("imap", "imap-pass\n")
	dsn := write("dsn", "postgres://app:pw@db/salesdesk\n")
	empty := write("empty", "\n\n")
	big := write("big", strings.Repeat("x", maxSecretFile+1))

	t.Run("read and trimmed", func(t *testing.T) {
		path := writeFile(t, "c.yaml", "smtp:\n  password_file: "+smtp+"\nmailboxes:\n  - name: a\n")
		cfg, err := LoadEnv(path, []string{"SALESDESK_MAILBOXES_0_PASSWORD_FILE=" + imap, "SALESDESK_DATABASE_DSN_FILE=" + dsn})
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.SMTP.Password.Reveal(); got != "smtp-pass" {
			t.Errorf("smtp.password = %q", got)
		}
		if got := cfg.Mailboxes[0].Password.Reveal(); got != "imap-pass" {
			t.Errorf("mailboxes[0].password = %q", got)
		}
		if got := cfg.Database.DSN.Reveal(); got != "postgres://app:pw@db/salesdesk" {
			t.Errorf("database.dsn = %q", got)
		}
	})

	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"missing file", []string{"SALESDESK_SMTP_PASSWORD_FILE=" + filepath.Join(dir, "nope")},
			"smtp.password_file: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"empty file", []string{"SALESDESK_SMTP_PASSWORD_FILE=" + empty}, "smtp.password_file: " + empty + ": empty"},
		{"huge file", []string{"SALESDESK_WEB_LINK_SECRET_FILE=" + big},
			"web.link_secret_file: " + big + ": larger than 65536 bytes, not a secret file"},
		{"both given", []string{"SALESDESK_SMTP_PASSWORD=x", "SALESDESK_SMTP_PASSWORD_FILE=" + smtp},
			"smtp.password_file: set only one of password and password_file"},
		{"in list", []string{"SALESDESK_WEB_API_TOKENS_0_NAME=t", "SALESDESK_WEB_API_TOKENS_0_TOKEN_FILE=" + empty},
			"web.api_tokens[0].token_file: " + empty + ": empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadEnv("", tt.env)
			if got := problemStrings(t, err); !slices.Equal(got, []string{tt.want}) {
				t.Fatalf("problems = %q\nwant %q", got, tt.want)
			}
		})
	}
}

// Every key's environment name resolves back to exactly that key, so no
// two keys share a variable (password vs password_file and the like).
func TestEnvNamesAreUnambiguous(t *testing.T) {
	root := reflect.TypeFor[Config]()
	for _, key := range keyPaths(root, "") {
		name := EnvName(key)
		paths := resolveEnv(root, strings.TrimPrefix(name, EnvPrefix))
		if len(paths) != 1 || pathKey(paths[0]) != key {
			var got []string
			for _, p := range paths {
				got = append(got, pathKey(p))
			}
			t.Errorf("%s resolves to %q, want only %s", name, got, key)
		}
	}
}

// Every Secret has a <key>_file sibling: files() panics otherwise.
func TestEverySecretHasFileKey(t *testing.T) {
	for _, key := range keyPaths(reflect.TypeFor[Config](), "") {
		if typeAt(t, key) != secretType {
			continue
		}
		if typeAt(t, key+"_file").Kind() != reflect.String {
			t.Errorf("%s_file is not a string", key)
		}
	}
}

// keyPaths lists the key of every leaf and list under t, with index 0 for
// list elements: "redis.addr", "mailboxes[0].password", "redis.addrs".
func keyPaths(t reflect.Type, prefix string) []string {
	var out []string
	switch {
	case isLeaf(t):
		return []string{prefix}
	case t.Kind() == reflect.Slice:
		if isLeaf(t.Elem()) {
			return []string{prefix}
		}
		return keyPaths(t.Elem(), index(prefix, 0))
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			if name := keyName(t.Field(i)); name != "" {
				out = append(out, keyPaths(t.Field(i).Type, join(prefix, name))...)
			}
		}
	}
	return out
}

// typeAt returns the Go type of the key path.
func typeAt(t *testing.T, key string) reflect.Type {
	t.Helper()
	paths := resolveEnv(reflect.TypeFor[Config](), strings.TrimPrefix(EnvName(key), EnvPrefix))
	if len(paths) != 1 {
		t.Fatalf("no single key %s", key)
	}
	typ := reflect.TypeFor[Config]()
	for _, s := range paths[0] {
		if s.isIndex {
			typ = typ.Elem()
			continue
		}
		for i := range typ.NumField() {
			if keyName(typ.Field(i)) == s.name {
				typ = typ.Field(i).Type
				break
			}
		}
	}
	return typ
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		in      string
		want    ByteSize
		wantStr string
		wantErr bool
	}{
		{in: "1024", want: KiB, wantStr: "1KiB"},
		{in: "25MiB", want: 25 * MiB, wantStr: "25MiB"},
		{in: "25 MiB", want: 25 * MiB, wantStr: "25MiB"},
		{in: "2GiB", want: 2 * GiB, wantStr: "2GiB"},
		{in: "10MB", want: 10_000_000, wantStr: "10000000B"},
		{in: "512B", want: 512, wantStr: "512B"},
		{in: "0", want: 0, wantStr: "0B"},
		{in: "-1", wantErr: true},
		{in: "1.5MiB", wantErr: true},
		{in: "MiB", wantErr: true},
		{in: "99999999999GiB", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var b ByteSize
			err := b.UnmarshalText([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if b != tt.want || b.String() != tt.wantStr {
				t.Fatalf("got %d (%s), want %d (%s)", b, b, tt.want, tt.wantStr)
			}
		})
	}
}

func TestEnvName(t *testing.T) {
	tests := []struct{ key, want string }{
		{"redis.addr", "SALESDESK_REDIS_ADDR"},
		{"web.listen", "SALESDESK_WEB_LISTEN"},
		{"mailboxes[0].password", "SALESDESK_MAILBOXES_0_PASSWORD"},
		{"web.admin.password_hash", "SALESDESK_WEB_ADMIN_PASSWORD_HASH"},
	}
	for _, tt := range tests {
		if got := EnvName(tt.key); got != tt.want {
			t.Errorf("EnvName(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}
