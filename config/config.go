package config

import (
	"math"
	"time"

	"salesdesk/tasks"

	_ "time/tzdata" // timezones load in static images without /usr/share/zoneinfo
)

// Config is the whole salesdesk configuration. salesdesk.example.yaml
// documents every key.
type Config struct {
	Log       LogConfig       `yaml:"log"`
	Redis     RedisConfig     `yaml:"redis"`
	Database  DatabaseConfig  `yaml:"database"`
	Worker    WorkerConfig    `yaml:"worker"`
	Scheduler SchedulerConfig `yaml:"scheduler"`
	Web       WebConfig       `yaml:"web"`
	SMTP      SMTPConfig      `yaml:"smtp"`
	Mailboxes []MailboxConfig `yaml:"mailboxes"`
	Routing   RoutingConfig   `yaml:"routing"`
	Leads     LeadsConfig     `yaml:"leads"`
	Orders    OrdersConfig    `yaml:"orders"`
	Meetings  MeetingsConfig  `yaml:"meetings"`
	Reports   ReportsConfig   `yaml:"reports"`
	Anomaly   AnomalyConfig   `yaml:"anomaly"`
	// SenderAuth decides which senders may change an account.
	SenderAuth SenderAuthConfig `yaml:"sender_auth"`
	Team       SignatureConfig  `yaml:"team"`
}

// SignatureConfig is how the sales team signs customer mail when no person
// (account owner, assigned rep) does, and when it answers.
type SignatureConfig struct {
	Name  string `yaml:"name"`  // e.g. "Brightline Sales Support"; default "Sales Support"
	Phone string `yaml:"phone"` // shown under the name; "" leaves it out
	// Hours are the team's business hours as customers should read them,
	// e.g. "Mon-Fri 08:00-17:00 CET"; acknowledgements say the answer
	// comes during them.
	Hours string `yaml:"hours"`
}

// LogConfig selects the process log's level and format.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn or error
	Format string `yaml:"format"` // json or text
}

// Redis deployment modes.
const (
	RedisSingle   = "single"
	RedisSentinel = "sentinel"
	RedisCluster  = "cluster"
)

// RedisConfig is the Redis that holds the queues and our own keys (leases).
type RedisConfig struct {
	Mode                 string        `yaml:"mode"`        // single, sentinel or cluster
	Addr                 string        `yaml:"addr"`        // single
	Addrs                []string      `yaml:"addrs"`       // sentinels, or cluster seed nodes
	MasterName           string        `yaml:"master_name"` // sentinel
	Username             string        `yaml:"username"`
	Password             Secret        `yaml:"password"`
	PasswordFile         string        `yaml:"password_file"`
	SentinelUsername     string        `yaml:"sentinel_username"`
	SentinelPassword     Secret        `yaml:"sentinel_password"`
	SentinelPasswordFile string        `yaml:"sentinel_password_file"`
	DB                   int           `yaml:"db"`
	TLS                  bool          `yaml:"tls"`
	DialTimeout          time.Duration `yaml:"dial_timeout"`
}

// DatabaseConfig names the SQL store: "sqlite:PATH" or "postgres://...".
type DatabaseConfig struct {
	DSN     Secret `yaml:"dsn"`
	DSNFile string `yaml:"dsn_file"`
}

// WorkerConfig tunes the asynq servers of a worker (queue.Worker).
type WorkerConfig struct {
	// Concurrency is the number of default-queue tasks processed at
	// once; critical and low have queue.SideConcurrency workers besides.
	Concurrency     int           `yaml:"concurrency"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	Queues          QueueWeights  `yaml:"queues"`
	// MetricsListen serves /metrics from a process without the web role
	// (a lone worker, scheduler or poller); empty serves none.
	MetricsListen string `yaml:"metrics_listen"`
	// RecoveryEvery is how often a worker looks in the database for work
	// whose task Redis lost (internal/recovery); RecoveryGrace is how far
	// past due such work must be before its task counts as lost.
	RecoveryEvery time.Duration `yaml:"recovery_every"`
	RecoveryGrace time.Duration `yaml:"recovery_grace"`
}

// QueueWeights are the relative shares of worker time per queue. The
// default queue has workers of its own (queue.Worker), so only the
// weights of critical and low are used, between each other.
type QueueWeights struct {
	Critical int `yaml:"critical"`
	Default  int `yaml:"default"`
	Low      int `yaml:"low"`
}

// SchedulerConfig holds the periodic tasks' cron specs, read in Timezone.
type SchedulerConfig struct {
	Timezone  string    `yaml:"timezone"`
	Schedules Schedules `yaml:"schedules"`
}

// Schedules are cron specs (5 fields, "@daily", "@every 15m") per periodic
// task, read in SchedulerConfig.Timezone. An empty spec disables that task.
type Schedules struct {
	// LeadsDailyDigest is when each rep's daily list and the manager's
	// summary go out, read in each person's own timezone (their rep
	// record's, else SchedulerConfig.Timezone); a scan every five
	// minutes (DailyScanSpec) finds the people whose local hour has come.
	LeadsDailyDigest   string `yaml:"leads_daily_digest"`
	LeadsSLAScan       string `yaml:"leads_sla_scan"`
	OrdersFollowupScan string `yaml:"orders_followup_scan"`
	ReportDaily        string `yaml:"report_daily"`
	ReportWeekly       string `yaml:"report_weekly"`
	AnomalyScan        string `yaml:"anomaly_scan"`
}

// WebConfig is the HTTP role: dashboard, API, admin pages.
type WebConfig struct {
	Listen         string        `yaml:"listen"`
	BaseURL        string        `yaml:"base_url"`
	Admin          WebUser       `yaml:"admin"`
	Viewers        []WebUser     `yaml:"viewers"`
	APITokens      []APIToken    `yaml:"api_tokens"`
	LinkSecret     Secret        `yaml:"link_secret"`
	LinkSecretFile string        `yaml:"link_secret_file"`
	LinkTTL        time.Duration `yaml:"link_ttl"`
	SessionTTL     time.Duration `yaml:"session_ttl"`
	// SignInTTL is how long a desk magic sign-in link works.
	SignInTTL time.Duration `yaml:"sign_in_ttl"`
	// SignInLimit is how many magic sign-in links one person gets per hour.
	SignInLimit int `yaml:"sign_in_limit"`
	// SecureCookies marks the session cookie Secure: "auto" (default: on
	// when base_url is https), "true" or "false".
	SecureCookies string `yaml:"secure_cookies"`
	// LoginThrottle limits failed sign-ins per account and per client.
	LoginThrottle LoginThrottle `yaml:"login_throttle"`
}

// WebUser is a dashboard login with a bcrypt password hash.
type WebUser struct {
	Username         string `yaml:"username"`
	PasswordHash     Secret `yaml:"password_hash"`
	PasswordHashFile string `yaml:"password_hash_file"`
}

// APIToken is a named bearer token for /api/v1.
type APIToken struct {
	Name      string `yaml:"name"`
	Token     Secret `yaml:"token"`
	TokenFile string `yaml:"token_file"`
	// Scopes are what the token may do (APIScopes); at least one.
	Scopes []string `yaml:"scopes"`
}

// Connection security for SMTP and IMAP.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "implicit"
)

// SMTPConfig is the outbound mail relay and the sender identity.
type SMTPConfig struct {
	Addr         string        `yaml:"addr"`
	TLS          string        `yaml:"tls"`  // none, starttls or implicit
	Auth         string        `yaml:"auth"` // auto, plain or login; used only with a username
	Username     string        `yaml:"username"`
	Password     Secret        `yaml:"password"`
	PasswordFile string        `yaml:"password_file"`
	From         string        `yaml:"from"`
	ReplyTo      string        `yaml:"reply_to"`
	HeloName     string        `yaml:"helo_name"`
	Timeout      time.Duration `yaml:"timeout"`
	RateLimit    MailRateLimit `yaml:"rate_limit"`
	// AllowPlaintext permits tls: none to a non-loopback server (test
	// rigs only: the password crosses the network in clear).
	AllowPlaintext bool `yaml:"allow_plaintext"`
}

// MailRateLimit caps the mails sent to one outside address per window, a
// last line of defence against mail loops.
type MailRateLimit struct {
	PerRecipient int           `yaml:"per_recipient"`
	Window       time.Duration `yaml:"window"`
}

// What the poller does with a message once it is stored and enqueued.
const (
	AfterSeen = "seen"
	AfterMove = "move"
)

// MailboxConfig is one IMAP mailbox the poller watches.
type MailboxConfig struct {
	Name            string        `yaml:"name"`
	Addr            string        `yaml:"addr"`
	TLS             string        `yaml:"tls"`  // none, starttls or implicit
	Auth            string        `yaml:"auth"` // login or plain
	Username        string        `yaml:"username"`
	Password        Secret        `yaml:"password"`
	PasswordFile    string        `yaml:"password_file"`
	Folder          string        `yaml:"folder"`
	IDLE            bool          `yaml:"idle"`
	PollInterval    time.Duration `yaml:"poll_interval"`
	IDLERefresh     time.Duration `yaml:"idle_refresh"`
	CommandTimeout  time.Duration `yaml:"command_timeout"`
	BatchSize       int           `yaml:"batch_size"`
	FlagDelay       time.Duration `yaml:"flag_delay"`
	After           string        `yaml:"after"` // seen or move
	ProcessedFolder string        `yaml:"processed_folder"`
	MaxAttempts     int           `yaml:"max_attempts"`
	MaxMessageBytes ByteSize      `yaml:"max_message_bytes"`
	LeaseTTL        time.Duration `yaml:"lease_ttl"`
	// AllowPlaintext permits tls: none to a non-loopback server (test
	// rigs only: the password crosses the network in clear).
	AllowPlaintext bool `yaml:"allow_plaintext"`
}

// Inquiry categories, the classifier's labels.
var Categories = []string{
	"order_status", "order_change", "quote_request", "meeting_request",
	"support", "billing", "account", "complaint", "unsubscribe", "other",
}

// Rule priorities.
var Priorities = []string{"low", "normal", "high"}

// RoutingConfig drives classification, acknowledgements and hand-offs.
type RoutingConfig struct {
	MinConfidence       float64       `yaml:"min_confidence"`
	TriageAddress       string        `yaml:"triage_address"`
	TeamAddress         string        `yaml:"team_address"`
	AckWindow           time.Duration `yaml:"ack_window"`
	OrderNumberPatterns []string      `yaml:"order_number_patterns"`
	Rules               []RoutingRule `yaml:"rules"`
	ModelPath           string        `yaml:"model_path"`
	TemplatesDir        string        `yaml:"templates_dir"`
	// Languages are the ISO 639-1 codes of the languages detected in
	// customer mail, the first the fallback (default: all supported).
	Languages []string `yaml:"languages"`
	// SecondaryConfidence is the probability at or above which a second
	// request in the same mail gets its own follow-on (default 0.2).
	SecondaryConfidence float64 `yaml:"secondary_confidence"`
}

// RoutingRule classifies a mail when all of its given conditions hold (any
// entry of a list matches; keywords match case-insensitively as substrings).
// Rules are tried in order and the first match wins over the model.
type RoutingRule struct {
	Name         string   `yaml:"name"`
	Sender       []string `yaml:"sender"`
	SenderDomain []string `yaml:"sender_domain"`
	Subject      []string `yaml:"subject"`
	SubjectRegex string   `yaml:"subject_regex"`
	Body         []string `yaml:"body"`
	BodyRegex    string   `yaml:"body_regex"`
	Category     string   `yaml:"category"`
	Priority     string   `yaml:"priority"`
	Assignee     string   `yaml:"assignee"`
}

// DefaultLostReasons are the reasons a lead may be lost for when none
// are configured.
var DefaultLostReasons = []string{"price", "timing", "competitor", "no budget", "no response", "not a fit", "other"}

// Lead assignment strategies.
var Strategies = []string{"round_robin", "weighted", "least_loaded"}

// LeadsConfig drives lead dedupe, assignment and SLAs.
type LeadsConfig struct {
	DedupeWindow        time.Duration `yaml:"dedupe_window"`
	FreeMailDomains     []string      `yaml:"free_mail_domains"`
	SLAContact          time.Duration `yaml:"sla_contact"`
	SLAReassign         time.Duration `yaml:"sla_reassign"`
	Strategy            string        `yaml:"strategy"`
	OwnerSticky         bool          `yaml:"owner_sticky"`
	RespectWorkingHours bool          `yaml:"respect_working_hours"`
	ManagerAddress      string        `yaml:"manager_address"`
	Teams               []TeamConfig  `yaml:"teams"`
	Reps                []RepConfig   `yaml:"reps"`
	// Currency is the team's ISO 4217 currency: the default of won values.
	Currency string `yaml:"currency"`
	// LostReasons are the reasons a rep may give for a lost lead.
	LostReasons []string `yaml:"lost_reasons"`
}

// TeamConfig routes leads of some territories or skills to a set of reps
// with its own strategy.
type TeamConfig struct {
	Name        string   `yaml:"name"`
	Strategy    string   `yaml:"strategy"`
	Territories []string `yaml:"territories"`
	Skills      []string `yaml:"skills"`
	Members     []string `yaml:"members"` // rep emails
}

// RepConfig seeds a sales rep; the API and CSV import manage them later.
type RepConfig struct {
	Name             string       `yaml:"name"`
	Email            string       `yaml:"email"`
	Active           bool         `yaml:"active"`
	Weight           int          `yaml:"weight"`
	Capacity         int          `yaml:"capacity"`
	Territories      []string     `yaml:"territories"`
	Skills           []string     `yaml:"skills"`
	Languages        []string     `yaml:"languages"` // ISO 639-1; none means English
	Timezone         string       `yaml:"timezone"`
	WorkingHours     WorkingHours `yaml:"working_hours"`
	OutOfOfficeUntil string       `yaml:"out_of_office_until"` // YYYY-MM-DD or RFC 3339
	// Role on the desk: rep (default), manager (the whole team) or admin
	// (operations: the whole team and the order requests and alerts).
	Role string `yaml:"role"`
}

// WorkingHours are a rep's hours in their timezone. No days means always.
type WorkingHours struct {
	Days  []string `yaml:"days"`  // mon .. sun
	Start string   `yaml:"start"` // HH:MM
	End   string   `yaml:"end"`   // HH:MM, after Start
}

// OrdersConfig drives order notifications and follow-ups.
type OrdersConfig struct {
	OperationsAddress    string        `yaml:"operations_address"`
	FollowupPendingAfter time.Duration `yaml:"followup_pending_after"`
	FollowupLateGrace    time.Duration `yaml:"followup_late_grace"`
	NotifyStatusChanges  bool          `yaml:"notify_status_changes"`
}

// MeetingsConfig drives meeting proposals and reminders.
type MeetingsConfig struct {
	DefaultDuration time.Duration   `yaml:"default_duration"`
	MinNotice       time.Duration   `yaml:"min_notice"`
	Reminders       []time.Duration `yaml:"reminders"`
}

// ReportsConfig says who gets the KPI reports and in which timezone.
type ReportsConfig struct {
	Recipients []string `yaml:"recipients"`
	Timezone   string   `yaml:"timezone"`
	AttachCSV  bool     `yaml:"attach_csv"`
	// Targets are the reps' monthly goals; the KPI report marks each rep
	// on track or behind, pro rata for the part of the month its period
	// covers.
	Targets []RepTarget `yaml:"targets"`
}

// RepTarget is one rep's monthly goal: a won value, a number of leads
// contacted, or both.
type RepTarget struct {
	Rep string `yaml:"rep"` // the rep's email address
	// WonValue is the value of leads to win per month, in major units
	// (25000 or 25000.50) of Currency.
	WonValue float64 `yaml:"won_value"`
	// Currency of WonValue (ISO 4217); empty means leads.currency.
	Currency string `yaml:"currency"`
	// LeadsContacted is the number of leads to contact per month.
	LeadsContacted int `yaml:"leads_contacted"`
}

// WonCents is WonValue in minor units (cents).
func (t RepTarget) WonCents() int64 { return int64(math.Round(t.WonValue * 100)) }

// AnomalyConfig says who hears about unusual activity and what counts.
type AnomalyConfig struct {
	SupervisorAddresses []string         `yaml:"supervisor_addresses"`
	Window              time.Duration    `yaml:"window"`
	Thresholds          AnomalyThreshold `yaml:"thresholds"`
	// DigestWindow gathers non-critical alerts into one mail per window;
	// 0 mails each alert at once.
	DigestWindow time.Duration `yaml:"digest_window"`
}

// AnomalyThreshold are the limits past which an alert is raised, counted
// within AnomalyConfig.Window.
type AnomalyThreshold struct {
	ComplaintsPerAccount int     `yaml:"complaints_per_account"`
	ForeignOrderLookups  int     `yaml:"foreign_order_lookups"` // per sender
	InboundSpikeFactor   float64 `yaml:"inbound_spike_factor"`  // inbound mails in the window vs. the average of the previous seven windows
	BounceRate           float64 `yaml:"bounce_rate"`           // 0..1 of outbound mail
}

// Default returns the configuration with every default filled in. It does
// not validate: smtp.addr, smtp.from, the web admin, web.link_secret and
// the routing addresses have no sensible default.
func Default() Config {
	return Config{
		Log: LogConfig{Level: "info", Format: "json"},
		Redis: RedisConfig{
			Mode:        RedisSingle,
			Addr:        "127.0.0.1:6379",
			DialTimeout: 5 * time.Second,
		},
		Database: DatabaseConfig{DSN: "sqlite:salesdesk.db"},
		Worker: WorkerConfig{
			Concurrency:     10,
			ShutdownTimeout: 30 * time.Second,
			Queues:          QueueWeights{Critical: 6, Default: 3, Low: 1},
			RecoveryEvery:   time.Minute,
			RecoveryGrace:   5 * time.Minute,
		},
		Scheduler: SchedulerConfig{
			Timezone: "UTC",
			Schedules: Schedules{
				LeadsDailyDigest:   "0 8 * * 1-5",
				LeadsSLAScan:       "*/5 * * * *",
				OrdersFollowupScan: "0 * * * *",
				ReportDaily:        "0 7 * * *",
				ReportWeekly:       "0 7 * * 1",
				AnomalyScan:        "*/15 * * * *",
			},
		},
		Web: WebConfig{
			Listen:        "127.0.0.1:8080",
			LinkTTL:       72 * time.Hour,
			SessionTTL:    12 * time.Hour,
			SignInTTL:     15 * time.Minute,
			SignInLimit:   5,
			SecureCookies: SecureCookiesAuto,
			LoginThrottle: LoginThrottle{MaxFailures: 5, Window: 15 * time.Minute, MaxFailuresPerClient: 20},
		},
		SenderAuth: SenderAuthConfig{Enforce: true, VerifyDKIM: true},
		SMTP: SMTPConfig{
			TLS:       TLSStartTLS,
			Auth:      "auto",
			Timeout:   30 * time.Second,
			RateLimit: MailRateLimit{PerRecipient: 20, Window: time.Hour},
		},
		Routing: RoutingConfig{
			OrderNumberPatterns: []string{`\b(?:SO|ORD)-?\d{4,10}\b`},
		},
		Leads: LeadsConfig{
			DedupeWindow: 30 * 24 * time.Hour,
			FreeMailDomains: []string{
				"gmail.com", "googlemail.com", "yahoo.com", "outlook.com",
				"hotmail.com", "live.com", "icloud.com", "aol.com", "gmx.de",
				"gmx.net", "web.de", "proton.me", "protonmail.com", "mail.com",
			},
			SLAContact:          4 * time.Hour,
			SLAReassign:         8 * time.Hour,
			Strategy:            "round_robin",
			OwnerSticky:         true,
			RespectWorkingHours: true,
			Currency:            "EUR",
			LostReasons:         DefaultLostReasons,
		},
		Orders: OrdersConfig{
			FollowupPendingAfter: 72 * time.Hour,
			FollowupLateGrace:    24 * time.Hour,
			NotifyStatusChanges:  true,
		},
		Meetings: MeetingsConfig{
			DefaultDuration: 30 * time.Minute,
			MinNotice:       2 * time.Hour,
			Reminders:       []time.Duration{24 * time.Hour, time.Hour},
		},
		Reports: ReportsConfig{AttachCSV: true},
		Anomaly: AnomalyConfig{
			Window:       24 * time.Hour,
			DigestWindow: time.Hour,
			Thresholds: AnomalyThreshold{
				ComplaintsPerAccount: 3,
				ForeignOrderLookups:  2,
				InboundSpikeFactor:   3,
				BounceRate:           0.2,
			},
		},
	}
}

// DefaultMailbox returns a mailbox entry's defaults; every mailbox in the
// file or the environment starts from it.
func DefaultMailbox() MailboxConfig {
	return MailboxConfig{
		TLS:             TLSImplicit,
		Auth:            "login",
		Folder:          "INBOX",
		IDLE:            true,
		PollInterval:    30 * time.Second,
		IDLERefresh:     25 * time.Minute,
		CommandTimeout:  30 * time.Second,
		BatchSize:       100,
		FlagDelay:       time.Second,
		After:           AfterSeen,
		MaxAttempts:     5,
		MaxMessageBytes: 25 * MiB,
		LeaseTTL:        30 * time.Second,
	}
}

// DefaultRep returns a rep entry's defaults: active, weight 1, 25 open
// leads, no timezone of their own (they read and work in the team's,
// scheduler.timezone), Monday to Friday 09:00-17:00.
func DefaultRep() RepConfig {
	return RepConfig{
		Active:   true,
		Weight:   1,
		Capacity: 25,
		WorkingHours: WorkingHours{
			Days:  []string{"mon", "tue", "wed", "thu", "fri"},
			Start: "09:00",
			End:   "17:00",
		},
	}
}

func (m *MailboxConfig) setDefaults() { *m = DefaultMailbox() }
func (r *RepConfig) setDefaults()     { *r = DefaultRep() }
func (r *RoutingRule) setDefaults()   { *r = RoutingRule{Priority: "normal"} }

// Map returns the weights keyed by queue name, as asynq.Config.Queues wants them.
func (q QueueWeights) Map() map[string]int {
	return map[string]int{"critical": q.Critical, "default": q.Default, "low": q.Low}
}

// DailyScanSpec is how often the scheduler looks for people whose local
// hour for the daily lead list has come.
const DailyScanSpec = "@every 5m"

// ByTaskType returns the enabled schedules keyed by task type
// (tasks.TypeReportDaily -> "30 7 * * 1-5"); the specs are read in
// SchedulerConfig.Timezone. The daily lead lists, read in each person's
// timezone, are found by tasks.TypeLeadsDailyScan, which runs every
// DailyScanSpec while leads_daily_digest is set.
func (s Schedules) ByTaskType() map[string]string {
	scan := ""
	if s.LeadsDailyDigest != "" {
		scan = DailyScanSpec
	}
	all := map[string]string{
		tasks.TypeLeadsDailyScan:     scan,
		tasks.TypeLeadsSLAScan:       s.LeadsSLAScan,
		tasks.TypeOrdersFollowupScan: s.OrdersFollowupScan,
		tasks.TypeReportDaily:        s.ReportDaily,
		tasks.TypeReportWeekly:       s.ReportWeekly,
		tasks.TypeAnomalyScan:        s.AnomalyScan,
	}
	for k, v := range all {
		if v == "" {
			delete(all, k)
		}
	}
	return all
}

// PublicURL is the base of links in mail: base_url, or http://listen.
func (w WebConfig) PublicURL() string {
	if w.BaseURL != "" {
		return w.BaseURL
	}
	return "http://" + w.Listen
}

// ApplyFallbacks fills addresses left empty from the ones they default
// to: manager and operations from routing.team_address, report recipients
// and supervisors from the manager, the report timezone from the
// scheduler's. Load calls it; call it yourself on a Config built in code.
func (c *Config) ApplyFallbacks() {
	if c.Leads.ManagerAddress == "" {
		c.Leads.ManagerAddress = c.Routing.TeamAddress
	}
	if c.Orders.OperationsAddress == "" {
		c.Orders.OperationsAddress = c.Routing.TeamAddress
	}
	if len(c.Reports.Recipients) == 0 && c.Leads.ManagerAddress != "" {
		c.Reports.Recipients = []string{c.Leads.ManagerAddress}
	}
	if len(c.Anomaly.SupervisorAddresses) == 0 && c.Leads.ManagerAddress != "" {
		c.Anomaly.SupervisorAddresses = []string{c.Leads.ManagerAddress}
	}
	if c.Reports.Timezone == "" {
		c.Reports.Timezone = c.Scheduler.Timezone
	}
}
