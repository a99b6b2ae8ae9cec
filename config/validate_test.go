package config

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"salesdesk/tasks"
)

// testHash is a bcrypt hash at the minimum cost, so tests stay fast.
func testHash(t *testing.T) Secret {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return Secret(h)
}

// validConfig is Default plus the values that have no default.
func validConfig(t *testing.T) Config {
	t.Helper()
	c := Default()
	c.SMTP.Addr = "127.0.0.1:1025"
	c.SMTP.From = "Acme Sales <sales@acme.example>"
	c.Web.Admin = WebUser{Username: "admin", PasswordHash: testHash(t)}
	c.Web.LinkSecret = Secret(strings.Repeat("k", 32))
	c.Routing.TriageAddress = "triage@acme.example"
	c.Routing.TeamAddress = "team@acme.example"
	c.ApplyFallbacks()
	return c
}

func TestDefaultNeedsOnlyTheRequiredValues(t *testing.T) {
	got := Default().Validate()
	want := []string{
		"web.admin.username: required",
		"web.admin.password_hash: required (set SALESDESK_WEB_ADMIN_PASSWORD_HASH or web.admin.password_hash_file)",
		"web.link_secret: required (set SALESDESK_WEB_LINK_SECRET or web.link_secret_file)",
		"smtp.addr: required",
		"smtp.from: required",
		"routing.triage_address: required",
		"routing.team_address: required",
	}
	var lines []string
	for _, p := range got {
		lines = append(lines, p.Error())
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("Default().Validate() =\n %q\nwant\n %q", lines, want)
	}
	if ps := validConfig(t).Validate(); ps != nil {
		t.Fatalf("valid config: %v", ps)
	}
}

func TestValidateNamesTheKey(t *testing.T) {
	hash := testHash(t)
	mailbox := func(f func(*MailboxConfig)) func(*Config) {
		return func(c *Config) {
			m := DefaultMailbox()
			m.Name, m.Addr, m.Username, m.Password = "sales", "127.0.0.1:143", "sales", "pw"
			f(&m)
			c.Mailboxes = append(c.Mailboxes, m)
		}
	}
	rep := func(f func(*RepConfig)) func(*Config) {
		return func(c *Config) {
			r := DefaultRep()
			r.Name, r.Email = "Ann", "ann@acme.example"
			f(&r)
			c.Leads.Reps = append(c.Leads.Reps, r)
		}
	}
	rule := func(f func(*RoutingRule)) func(*Config) {
		return func(c *Config) {
			r := RoutingRule{Name: "r", Subject: []string{"invoice"}, Category: "billing", Priority: "normal"}
			f(&r)
			c.Routing.Rules = append(c.Routing.Rules, r)
		}
	}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // the one problem expected, "key: message"
	}{
		{"log level", func(c *Config) { c.Log.Level = "verbose" }, "log.level: must be one of debug, info, warn, error"},
		{"target rep", func(c *Config) { c.Reports.Targets = []RepTarget{{Rep: "ann", LeadsContacted: 3}} },
			`reports.targets[0].rep: invalid email address "ann"`},
		{"target without goal", func(c *Config) { c.Reports.Targets = []RepTarget{{Rep: "ann@acme.example"}} },
			"reports.targets[0]: sets neither won_value nor leads_contacted"},
		{"target currency", func(c *Config) {
			c.Reports.Targets = []RepTarget{{Rep: "ann@acme.example", WonValue: 100, Currency: "euro"}}
		}, "reports.targets[0].currency: must be an ISO 4217 code such as EUR"},
		{"target repeated", func(c *Config) {
			c.Reports.Targets = []RepTarget{{Rep: "ann@acme.example", WonValue: 1}, {Rep: "Ann@acme.example", LeadsContacted: 1}}
		}, `reports.targets[1].rep: duplicate "Ann@acme.example"`},
		{"target negative", func(c *Config) { c.Reports.Targets = []RepTarget{{Rep: "ann@acme.example", WonValue: -5}} },
			"reports.targets[0].won_value: must be an amount of at least 0"},
		{"log format", func(c *Config) { c.Log.Format = "xml" }, "log.format: must be one of json, text"},
		{"redis mode", func(c *Config) { c.Redis.Mode = "replica" }, "redis.mode: must be one of single, sentinel, cluster"},
		{"redis addr required", func(c *Config) { c.Redis.Addr = "" }, "redis.addr: required"},
		{"redis addr port", func(c *Config) { c.Redis.Addr = "localhost" }, "redis.addr: invalid host:port"},
		{"redis addrs in single", func(c *Config) { c.Redis.Addrs = []string{"a:1"} },
			"redis.addrs: only used with mode sentinel or cluster (mode single uses redis.addr)"},
		{"sentinel needs addrs", func(c *Config) { c.Redis.Mode, c.Redis.MasterName = RedisSentinel, "m" },
			"redis.addrs: required with mode sentinel"},
		{"sentinel needs master", func(c *Config) { c.Redis.Mode, c.Redis.Addrs = RedisSentinel, []string{"s1:26379"} },
			"redis.master_name: required"},
		{"sentinel addr", func(c *Config) {
			c.Redis.Mode, c.Redis.MasterName, c.Redis.Addrs = RedisSentinel, "m", []string{"s1:26379", "s2"}
		}, "redis.addrs[1]: invalid host:port"},
		{"sentinel password outside sentinel", func(c *Config) { c.Redis.SentinelPassword = "x" },
			"redis.sentinel_password: only used with mode sentinel"},
		{"cluster db", func(c *Config) { c.Redis.Mode, c.Redis.Addrs, c.Redis.DB = RedisCluster, []string{"n1:6379"}, 2 },
			"redis.db: must be 0 with mode cluster"},
		{"redis db negative", func(c *Config) { c.Redis.DB = -1 }, "redis.db: must be 0..1048576"},
		{"redis dial timeout", func(c *Config) { c.Redis.DialTimeout = 0 }, "redis.dial_timeout: must be a positive duration"},
		{"database required", func(c *Config) { c.Database.DSN = "" },
			"database.dsn: required (set SALESDESK_DATABASE_DSN or database.dsn_file)"},
		{"database scheme", func(c *Config) { c.Database.DSN = "mysql://x" }, "database.dsn: must start with sqlite: or postgres://"},
		{"sqlite path", func(c *Config) { c.Database.DSN = "sqlite:" }, "database.dsn: sqlite: needs a file path (sqlite:salesdesk.db)"},
		{"postgres host", func(c *Config) { c.Database.DSN = "postgres:///db" },
			"database.dsn: invalid postgres URL (postgres://user@host:5432/db)"},
		{"concurrency", func(c *Config) { c.Worker.Concurrency = 0 }, "worker.concurrency: must be 1..10000"},
		{"metrics listen", func(c *Config) { c.Worker.MetricsListen = "nonsense" }, "worker.metrics_listen: invalid host:port"},
		{"shutdown timeout", func(c *Config) { c.Worker.ShutdownTimeout = -time.Second }, "worker.shutdown_timeout: must be a positive duration"},
		{"queue weight", func(c *Config) { c.Worker.Queues.Low = 0 }, "worker.queues.low: must be at least 1"},
		{"timezone", func(c *Config) { c.Scheduler.Timezone = "Mars/Olympus" },
			`scheduler.timezone: unknown timezone "Mars/Olympus" (use an IANA name such as Europe/Berlin)`},
		{"cron", func(c *Config) { c.Scheduler.Schedules.ReportWeekly = "0 7 * *" },
			`scheduler.schedules.report_weekly: invalid cron spec "0 7 * *": expected exactly 5 fields, found 4: [0 7 * *]`},
		{"cron with tz", func(c *Config) { c.Scheduler.Schedules.ReportDaily = "CRON_TZ=America/New_York 0 7 * * *" },
			"scheduler.schedules.report_daily: give the timezone in scheduler.timezone, not in the spec"},
		{"web listen", func(c *Config) { c.Web.Listen = "8080" }, "web.listen: invalid host:port"},
		{"web listen port", func(c *Config) { c.Web.Listen = "127.0.0.1:99999" }, "web.listen: invalid host:port"},
		{"base url", func(c *Config) { c.Web.BaseURL = "salesdesk.acme.example" },
			"web.base_url: must be an http:// or https:// URL without query, e.g. https://salesdesk.acme.example"},
		{"admin username", func(c *Config) { c.Web.Admin.Username = "" }, "web.admin.username: required"},
		{"admin hash not bcrypt", func(c *Config) { c.Web.Admin.PasswordHash = "plaintext" },
			`web.admin.password_hash: not a bcrypt hash (make one with: htpasswd -bnBC 12 "" PASSWORD | tr -d ':\n')`},
		{"viewer hash", func(c *Config) { c.Web.Viewers = []WebUser{{Username: "v"}} },
			"web.viewers[0].password_hash: required (set SALESDESK_WEB_VIEWERS_0_PASSWORD_HASH or web.viewers[0].password_hash_file)"},
		{"viewer same as admin", func(c *Config) { c.Web.Viewers = []WebUser{{Username: "Admin", PasswordHash: hash}} },
			`web.viewers[0].username: duplicate "Admin"`},
		{"api token short", func(c *Config) {
			c.Web.APITokens = []APIToken{{Name: "form", Token: "short", Scopes: []string{ScopeRead}}}
		},
			"web.api_tokens[0].token: too short: use at least 20 random characters"},
		{"api token name", func(c *Config) {
			c.Web.APITokens = []APIToken{{Token: Secret(strings.Repeat("t", 20)), Scopes: []string{ScopeRead}}}
		},
			"web.api_tokens[0].name: required"},
		{"api token without scopes", func(c *Config) { c.Web.APITokens = []APIToken{{Name: "form", Token: Secret(strings.Repeat("t", 20))}} },
			"web.api_tokens[0].scopes: required: one or more of read, leads:write, write, admin"},
		{"api token unknown scope", func(c *Config) {
			c.Web.APITokens = []APIToken{{Name: "form", Token: Secret(strings.Repeat("t", 20)), Scopes: []string{"read", "leads:delete"}}}
		}, "web.api_tokens[0].scopes[1]: must be one of read, leads:write, write, admin"},
		{"secure cookies", func(c *Config) { c.Web.SecureCookies = "yes" }, "web.secure_cookies: must be one of auto, true, false"},
		{"smtp plaintext to a remote relay", func(c *Config) { c.SMTP.Addr, c.SMTP.TLS = "smtp.example.com:25", TLSNone },
			"smtp.tls: none sends the password in clear to a non-loopback server; use starttls or implicit (or allow_plaintext: true for a test rig)"},
		{"imap plaintext to a remote server", mailbox(func(m *MailboxConfig) { m.Addr, m.TLS = "imap.example.com:143", TLSNone }),
			"mailboxes[0].tls: none sends the password in clear to a non-loopback server; use starttls or implicit (or allow_plaintext: true for a test rig)"},
		{"login throttle", func(c *Config) { c.Web.LoginThrottle.Window = 0 }, "web.login_throttle.window: must be a positive duration"},
		{"link secret short", func(c *Config) { c.Web.LinkSecret = "short" },
			"web.link_secret: too short: use at least 32 random characters (openssl rand -hex 32)"},
		{"link ttl", func(c *Config) { c.Web.LinkTTL = 0 }, "web.link_ttl: must be a positive duration"},
		{"smtp addr", func(c *Config) { c.SMTP.Addr = "" }, "smtp.addr: required"},
		{"smtp port", func(c *Config) { c.SMTP.Addr = "mail:0" }, "smtp.addr: invalid host:port"},
		{"smtp tls", func(c *Config) { c.SMTP.TLS = "ssl" }, "smtp.tls: must be one of none, starttls, implicit"},
		{"smtp password without user", func(c *Config) { c.SMTP.Password = "x" }, "smtp.username: required when smtp.password is set"},
		{"smtp from", func(c *Config) { c.SMTP.From = "sales at acme" }, `smtp.from: invalid email address "sales at acme"`},
		{"smtp from header injection", func(c *Config) { c.SMTP.From = "a@acme.example\r\nBcc: x@evil.example" },
			`smtp.from: invalid email address "a@acme.example\r\nBcc: x@evil.example"`},
		{"smtp helo", func(c *Config) { c.SMTP.HeloName = "my host" }, "smtp.helo_name: must be a host name without spaces"},
		{"smtp rate", func(c *Config) { c.SMTP.RateLimit.PerRecipient = -1 }, "smtp.rate_limit.per_recipient: must be at least 0"},
		{"mailbox name", mailbox(func(m *MailboxConfig) { m.Name = "" }), "mailboxes[0].name: required"},
		{"mailbox name chars", mailbox(func(m *MailboxConfig) { m.Name = "sales inbox" }),
			"mailboxes[0].name: use letters, digits, '.', '-' and '_' only"},
		{"mailbox duplicate", func(c *Config) {
			mailbox(func(*MailboxConfig) {})(c)
			mailbox(func(m *MailboxConfig) { m.Name = "Sales" })(c)
		}, `mailboxes[1].name: duplicate "Sales"`},
		{"mailbox addr", mailbox(func(m *MailboxConfig) { m.Addr = "imap.acme.example" }), "mailboxes[0].addr: invalid host:port"},
		{"mailbox tls", mailbox(func(m *MailboxConfig) { m.TLS = "yes" }), "mailboxes[0].tls: must be one of none, starttls, implicit"},
		{"mailbox auth", mailbox(func(m *MailboxConfig) { m.Auth = "oauth" }), "mailboxes[0].auth: must be one of login, plain"},
		{"mailbox username", mailbox(func(m *MailboxConfig) { m.Username = "" }), "mailboxes[0].username: required"},
		{"mailbox password", mailbox(func(m *MailboxConfig) { m.Password = "" }),
			"mailboxes[0].password: required (set SALESDESK_MAILBOXES_0_PASSWORD or mailboxes[0].password_file)"},
		{"mailbox poll", mailbox(func(m *MailboxConfig) { m.PollInterval = 0 }), "mailboxes[0].poll_interval: must be a positive duration"},
		{"mailbox idle refresh", mailbox(func(m *MailboxConfig) { m.IDLERefresh = 30 * time.Minute }),
			"mailboxes[0].idle_refresh: must be between 0s and 29m (servers end IDLE after 30m)"},
		{"mailbox batch", mailbox(func(m *MailboxConfig) { m.BatchSize = 0 }), "mailboxes[0].batch_size: must be 1..10000"},
		{"mailbox flag delay", mailbox(func(m *MailboxConfig) { m.FlagDelay = 0 }), "mailboxes[0].flag_delay: must be a positive duration"},
		{"mailbox after", mailbox(func(m *MailboxConfig) { m.After = "delete" }), "mailboxes[0].after: must be one of seen, move"},
		{"mailbox move needs folder", mailbox(func(m *MailboxConfig) { m.After = AfterMove }), "mailboxes[0].processed_folder: required"},
		{"mailbox move to itself", mailbox(func(m *MailboxConfig) { m.After, m.ProcessedFolder = AfterMove, "INBOX" }),
			"mailboxes[0].processed_folder: must differ from folder"},
		{"mailbox attempts", mailbox(func(m *MailboxConfig) { m.MaxAttempts = 0 }), "mailboxes[0].max_attempts: must be at least 1"},
		{"mailbox size", mailbox(func(m *MailboxConfig) { m.MaxMessageBytes = 1000 }), "mailboxes[0].max_message_bytes: must be at least 64KiB"},
		{"mailbox lease", mailbox(func(m *MailboxConfig) { m.LeaseTTL = 100 * time.Millisecond }), "mailboxes[0].lease_ttl: must be at least 1s"},
		{"min confidence", func(c *Config) { c.Routing.MinConfidence = 1.5 }, "routing.min_confidence: must be between 0 and 1"},
		{"triage address", func(c *Config) { c.Routing.TriageAddress = "triage" }, `routing.triage_address: invalid email address "triage"`},
		{"order pattern", func(c *Config) { c.Routing.OrderNumberPatterns = []string{`SO-\d+`, `(`} },
			"routing.order_number_patterns[1]: invalid regular expression: error parsing regexp: missing closing ): `(`"},
		{"rule without condition", rule(func(r *RoutingRule) { r.Subject = nil }),
			"routing.rules[0]: needs at least one of sender, sender_domain, subject, subject_regex, body, body_regex"},
		{"rule category", rule(func(r *RoutingRule) { r.Category = "sales" }),
			"routing.rules[0].category: must be one of order_status, order_change, quote_request, meeting_request, support, billing, account, complaint, unsubscribe, other"},
		{"rule category required", rule(func(r *RoutingRule) { r.Category = "" }), "routing.rules[0].category: required"},
		{"rule priority", rule(func(r *RoutingRule) { r.Priority = "p1" }), "routing.rules[0].priority: must be one of low, normal, high"},
		{"rule regex", rule(func(r *RoutingRule) { r.BodyRegex = "[a-" }),
			"routing.rules[0].body_regex: invalid regular expression: error parsing regexp: missing closing ]: `[a-`"},
		{"rule sender", rule(func(r *RoutingRule) { r.Sender = []string{"ap@x.example", "nobody"} }),
			`routing.rules[0].sender[1]: invalid email address "nobody"`},
		{"rule domain", rule(func(r *RoutingRule) { r.SenderDomain = []string{"@x.example"} }),
			"routing.rules[0].sender_domain[0]: must be a domain such as acme.example"},
		{"rule empty keyword", rule(func(r *RoutingRule) { r.Body = []string{""} }), "routing.rules[0].body[0]: required"},
		{"rule assignee", rule(func(r *RoutingRule) { r.Assignee = "finance" }), `routing.rules[0].assignee: invalid email address "finance"`},
		{"templates dir", func(c *Config) { c.Routing.TemplatesDir = "/nonexistent/templates" },
			`routing.templates_dir: "/nonexistent/templates" is not a directory`},
		{"lead strategy", func(c *Config) { c.Leads.Strategy = "random" },
			"leads.strategy: must be one of round_robin, weighted, least_loaded"},
		{"sla", func(c *Config) { c.Leads.SLAContact = 0 }, "leads.sla_contact: must be a positive duration"},
		{"team strategy", func(c *Config) { c.Leads.Teams = []TeamConfig{{Name: "dach", Strategy: "fifo"}} },
			"leads.teams[0].strategy: must be one of round_robin, weighted, least_loaded"},
		{"team member", func(c *Config) { c.Leads.Teams = []TeamConfig{{Name: "dach", Members: []string{"jonas"}}} },
			`leads.teams[0].members[0]: invalid email address "jonas"`},
		{"rep email", rep(func(r *RepConfig) { r.Email = "" }), "leads.reps[0].email: required"},
		{"rep duplicate", func(c *Config) {
			rep(func(*RepConfig) {})(c)
			rep(func(r *RepConfig) { r.Email = "ANN@acme.example" })(c)
		}, `leads.reps[1].email: duplicate "ANN@acme.example"`},
		{"rep weight", rep(func(r *RepConfig) { r.Weight = 0 }), "leads.reps[0].weight: must be at least 1"},
		{"rep capacity", rep(func(r *RepConfig) { r.Capacity = 0 }), "leads.reps[0].capacity: must be at least 1"},
		{"rep timezone", rep(func(r *RepConfig) { r.Timezone = "CEST" }),
			`leads.reps[0].timezone: unknown timezone "CEST" (use an IANA name such as Europe/Berlin)`},
		{"rep day", rep(func(r *RepConfig) { r.WorkingHours.Days = []string{"mon", "funday"} }),
			"leads.reps[0].working_hours.days[1]: must be one of mon, tue, wed, thu, fri, sat, sun"},
		{"rep hours order", rep(func(r *RepConfig) { r.WorkingHours.End = "08:00" }), "leads.reps[0].working_hours.end: must be after start"},
		{"rep hours format", rep(func(r *RepConfig) { r.WorkingHours.Start = "9am" }),
			"leads.reps[0].working_hours.start: must be a time of day HH:MM"},
		{"rep hours without days", rep(func(r *RepConfig) { r.WorkingHours.Days = nil }),
			"leads.reps[0].working_hours.days: required when start or end is set"},
		{"rep out of office", rep(func(r *RepConfig) { r.OutOfOfficeUntil = "next week" }),
			`leads.reps[0].out_of_office_until: must be a date YYYY-MM-DD or an RFC 3339 time, got "next week"`},
		{"operations address", func(c *Config) { c.Orders.OperationsAddress = "ops" }, `orders.operations_address: invalid email address "ops"`},
		{"late grace", func(c *Config) { c.Orders.FollowupLateGrace = -time.Hour }, "orders.followup_late_grace: must not be negative"},
		{"reminder", func(c *Config) { c.Meetings.Reminders = []time.Duration{time.Hour, 0} }, "meetings.reminders[1]: must be a positive duration"},
		{"report recipient", func(c *Config) { c.Reports.Recipients = []string{""} }, "reports.recipients[0]: required"},
		{"report timezone", func(c *Config) { c.Reports.Timezone = "Nowhere" },
			`reports.timezone: unknown timezone "Nowhere" (use an IANA name such as Europe/Berlin)`},
		{"bounce rate", func(c *Config) { c.Anomaly.Thresholds.BounceRate = 2 },
			"anomaly.thresholds.bounce_rate: must be greater than 0 and at most 1"},
		{"spike factor", func(c *Config) { c.Anomaly.Thresholds.InboundSpikeFactor = 1 },
			"anomaly.thresholds.inbound_spike_factor: must be greater than 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig(t)
			tt.mutate(&c)
			var got []string
			for _, p := range c.Validate() {
				got = append(got, p.Error())
			}
			if !slices.Equal(got, []string{tt.want}) {
				t.Fatalf("problems:\n %q\nwant\n %q", got, []string{tt.want})
			}
		})
	}
}

func TestValidAlternatives(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
	}{
		{"sentinel", func(c *Config) {
			c.Redis.Mode, c.Redis.MasterName, c.Redis.Addrs = RedisSentinel, "mymaster", []string{"s1:26379", "s2:26379"}
			c.Redis.SentinelPassword = "x"
		}},
		{"cluster", func(c *Config) { c.Redis.Mode, c.Redis.Addrs = RedisCluster, []string{"n1:6379"} }},
		{"postgres", func(c *Config) { c.Database.DSN = "postgres://app:pw@db.acme.example:5432/salesdesk?sslmode=require" }},
		{"listen all interfaces", func(c *Config) { c.Web.Listen = ":8080" }},
		{"listen any port", func(c *Config) { c.Web.Listen = "127.0.0.1:0" }},
		{"ipv6 listen", func(c *Config) { c.Web.Listen = "[::1]:8080" }},
		{"cron descriptor", func(c *Config) { c.Scheduler.Schedules.AnomalyScan = "@every 10m" }},
		{"disabled schedule", func(c *Config) { c.Scheduler.Schedules.ReportWeekly = "" }},
		{"rep always available", func(c *Config) {
			r := DefaultRep()
			r.Name, r.Email, r.WorkingHours = "Ann", "Ann <ann@acme.example>", WorkingHours{}
			r.OutOfOfficeUntil = "2026-08-17T12:00:00+02:00"
			c.Leads.Reps = []RepConfig{r}
		}},
		{"templates dir", func(c *Config) { c.Routing.TemplatesDir = t.TempDir() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig(t)
			tt.mutate(&c)
			if ps := c.Validate(); ps != nil {
				t.Fatalf("problems: %v", ps)
			}
		})
	}
}

func TestOutOfOffice(t *testing.T) {
	r := DefaultRep()
	r.Timezone = "Europe/Berlin"
	if got, err := r.OutOfOffice("Asia/Tokyo"); err != nil || !got.IsZero() {
		t.Fatalf("empty: %v, %v", got, err)
	}
	r.OutOfOfficeUntil = "2026-08-17"
	got, err := r.OutOfOffice("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 8, 16, 22, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("date in Berlin = %v, want %v", got, want)
	}
	// A rep without a timezone is back at the start of the team's day.
	r.Timezone = ""
	if got, err := r.OutOfOffice("Asia/Tokyo"); err != nil || !got.Equal(time.Date(2026, 8, 16, 15, 0, 0, 0, time.UTC)) {
		t.Fatalf("date in the team's Tokyo = %v, %v", got, err)
	}
}

func TestCheck(t *testing.T) {
	path := writeFile(t, "c.yaml", "smtp:\n  adress: x\nredis:\n  mode: replica\n")
	got := checkEnv(path, []string{"SALESDESK_WEB_LISTN=:1"})
	want := []string{
		"smtp.adress: unknown key",
		"SALESDESK_WEB_LISTN: unknown environment variable: it names no config key",
		"redis.mode: must be one of single, sentinel, cluster",
		"web.admin.username: required",
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("Check lacks %q; got:\n%s", w, strings.Join(got, "\n"))
		}
	}
	if got := checkEnv(path+".missing", nil); len(got) != 1 || !strings.Contains(got[0], "no such file") {
		t.Errorf("missing file: %q", got)
	}
}

func TestQueueWeightsAndSchedules(t *testing.T) {
	c := Default()
	if got := c.Worker.Queues.Map(); got["critical"] != 6 || got["default"] != 3 || got["low"] != 1 || len(got) != 3 {
		t.Fatalf("Map() = %v", got)
	}
	all := c.Scheduler.Schedules.ByTaskType()
	if keys := slices.Sorted(maps.Keys(all)); !slices.Equal(keys, tasks.PeriodicTypes()) {
		t.Fatalf("ByTaskType() covers %v, want tasks.PeriodicTypes() %v", keys, tasks.PeriodicTypes())
	}
	c.Scheduler.Schedules.ReportWeekly = ""
	got := c.Scheduler.Schedules.ByTaskType()
	if _, ok := got["report:weekly"]; ok || len(got) != 5 || got["leads:daily_scan"] != DailyScanSpec {
		t.Fatalf("ByTaskType() = %v", got)
	}
	if got := c.Web.PublicURL(); got != "http://127.0.0.1:8080" {
		t.Fatalf("PublicURL() = %q", got)
	}
}

func TestValidateLanguages(t *testing.T) {
	c := Default()
	c.Routing.Languages = []string{"en", "xx"}
	r := DefaultRep()
	r.Name, r.Email, r.Languages = "Claire", "claire@example.com", []string{"fr", "klingon"}
	c.Leads.Reps = []RepConfig{r}
	err := c.Validate()
	if len(err) == 0 {
		t.Fatal("Validate accepted unsupported languages")
	}
	for _, want := range []string{"routing.languages[1]: must be one of en, de, fr, es, it, nl, pt", "leads.reps[0].languages[1]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}
