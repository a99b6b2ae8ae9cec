package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/crypto/bcrypt"

	"salesdesk/internal/lang"
	"salesdesk/internal/zone"
)

// Weekdays are the day names working_hours.days accepts.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// Minimum lengths of generated secrets.
const (
	minLinkSecret = 32
	minAPIToken   = 20
)

// mailboxNameRe keeps mailbox names usable in lease keys, metrics and logs.
var mailboxNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Validate returns every problem with c, each naming its key; nil means c
// is usable. It checks required values, ranges and choices, and that
// addresses, cron specs, regular expressions, timezones and bcrypt hashes
// parse. Messages never contain a Secret.
func (c Config) Validate() Problems {
	v := &checker{}
	v.log(c.Log)
	v.redis(c.Redis)
	v.database(c.Database)
	v.worker(c.Worker)
	v.scheduler(c.Scheduler)
	v.web(c.Web)
	v.smtp(c.SMTP)
	v.mailboxes(c.Mailboxes)
	v.routing(c.Routing)
	v.leads(c.Leads)
	v.orders(c.Orders)
	v.meetings(c.Meetings)
	v.reports(c.Reports)
	v.anomaly(c.Anomaly)
	v.trust(c)
	return v.problems
}

type checker struct {
	problems Problems
}

func (v *checker) add(key, format string, args ...any) {
	v.problems = append(v.problems, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
}

func (v *checker) required(key, value string) bool {
	if strings.TrimSpace(value) == "" {
		v.add(key, "required")
		return false
	}
	return true
}

// requiredSecret is required for a Secret: the message says how to give it.
func (v *checker) requiredSecret(key string, value Secret) bool {
	if strings.TrimSpace(string(value)) == "" {
		v.add(key, "required (set %s or %s_file)", EnvName(key), key)
		return false
	}
	return true
}

func (v *checker) oneOf(key, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		v.add(key, "must be one of %s", strings.Join(allowed, ", "))
	}
}

// hostPort checks "host:port"; listen addresses may leave the host empty
// (all interfaces) and use port 0 (any free port).
func (v *checker) hostPort(key, value string, listen bool) {
	if !v.required(key, value) {
		return
	}
	host, port, err := net.SplitHostPort(value)
	p, perr := strconv.Atoi(port)
	min := 1
	if listen {
		min = 0
	}
	if err != nil || perr != nil || p < min || p > 65535 || (host == "" && !listen) {
		v.add(key, "invalid host:port")
	}
}

func (v *checker) positive(key string, d time.Duration) {
	if d <= 0 {
		v.add(key, "must be a positive duration")
	}
}

func (v *checker) atLeast(key string, n, min int) {
	if n < min {
		v.add(key, "must be at least %d", min)
	}
}

func (v *checker) between(key string, n, min, max int) {
	if n < min || n > max {
		v.add(key, "must be %d..%d", min, max)
	}
}

// email checks an address ("sales@acme.example" or
// "Acme Sales <sales@acme.example>"); empty passes unless required.
func (v *checker) email(key, value string, required bool) {
	if value == "" {
		if required {
			v.add(key, "required")
		}
		return
	}
	if _, err := mail.ParseAddress(value); err != nil {
		v.add(key, "invalid email address %q", value)
	}
}

func (v *checker) emails(key string, values []string) {
	for i, e := range values {
		v.email(index(key, i), e, true)
	}
}

func (v *checker) regex(key, value string) {
	if _, err := regexp.Compile(value); err != nil {
		v.add(key, "invalid regular expression: %v", err)
	}
}

func (v *checker) timezone(key, value string) {
	if !v.required(key, value) {
		return
	}
	if _, err := time.LoadLocation(value); err != nil {
		v.add(key, "unknown timezone %q (use an IANA name such as Europe/Berlin)", value)
	}
}

func (v *checker) cron(key, spec string) {
	if spec == "" {
		return // disabled
	}
	if t := strings.TrimSpace(spec); strings.HasPrefix(t, "TZ=") || strings.HasPrefix(t, "CRON_TZ=") {
		v.add(key, "give the timezone in scheduler.timezone, not in the spec")
		return
	}
	if _, err := cron.ParseStandard(spec); err != nil {
		v.add(key, "invalid cron spec %q: %v", spec, err)
	}
}

func (v *checker) bcryptHash(key string, hash Secret) {
	if !v.requiredSecret(key, hash) {
		return
	}
	if _, err := bcrypt.Cost([]byte(hash.Reveal())); err != nil {
		v.add(key, "not a bcrypt hash (make one with: htpasswd -bnBC 12 \"\" PASSWORD | tr -d ':\\n')")
	}
}

func (v *checker) unique(key, value string, seen map[string]bool) {
	if value == "" {
		return
	}
	k := strings.ToLower(value)
	if seen[k] {
		v.add(key, "duplicate %q", value)
	}
	seen[k] = true
}

func (v *checker) log(l LogConfig) {
	v.oneOf("log.level", l.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", l.Format, "json", "text")
}

func (v *checker) redis(r RedisConfig) {
	v.oneOf("redis.mode", r.Mode, RedisSingle, RedisSentinel, RedisCluster)
	switch r.Mode {
	case RedisSingle:
		v.hostPort("redis.addr", r.Addr, false)
		if len(r.Addrs) > 0 {
			v.add("redis.addrs", "only used with mode sentinel or cluster (mode single uses redis.addr)")
		}
	case RedisSentinel, RedisCluster:
		if len(r.Addrs) == 0 {
			v.add("redis.addrs", "required with mode %s", r.Mode)
		}
		for i, a := range r.Addrs {
			v.hostPort(index("redis.addrs", i), a, false)
		}
	}
	if r.Mode == RedisSentinel {
		v.required("redis.master_name", r.MasterName)
	}
	if r.Mode != RedisSentinel && (r.SentinelPassword != "" || r.SentinelUsername != "") {
		v.add("redis.sentinel_password", "only used with mode sentinel")
	}
	if r.Mode == RedisCluster && r.DB != 0 {
		v.add("redis.db", "must be 0 with mode cluster")
	}
	v.between("redis.db", r.DB, 0, 1<<20)
	v.positive("redis.dial_timeout", r.DialTimeout)
}

func (v *checker) database(d DatabaseConfig) {
	if !v.requiredSecret("database.dsn", d.DSN) {
		return
	}
	dsn := d.DSN.Reveal()
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		if strings.TrimPrefix(dsn, "sqlite:") == "" {
			v.add("database.dsn", "sqlite: needs a file path (sqlite:salesdesk.db)")
		}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		if u, err := url.Parse(dsn); err != nil || u.Host == "" {
			// The DSN may hold a password: never quote it.
			v.add("database.dsn", "invalid postgres URL (postgres://user@host:5432/db)")
		}
	default:
		v.add("database.dsn", "must start with sqlite: or postgres://")
	}
}

func (v *checker) worker(w WorkerConfig) {
	v.between("worker.concurrency", w.Concurrency, 1, 10000)
	v.positive("worker.shutdown_timeout", w.ShutdownTimeout)
	v.positive("worker.recovery_every", w.RecoveryEvery)
	v.positive("worker.recovery_grace", w.RecoveryGrace)
	if w.MetricsListen != "" {
		v.hostPort("worker.metrics_listen", w.MetricsListen, true)
	}
	// asynq ignores a queue whose weight is not positive: its tasks would
	// never run.
	v.atLeast("worker.queues.critical", w.Queues.Critical, 1)
	v.atLeast("worker.queues.default", w.Queues.Default, 1)
	v.atLeast("worker.queues.low", w.Queues.Low, 1)
}

func (v *checker) scheduler(s SchedulerConfig) {
	v.timezone("scheduler.timezone", s.Timezone)
	k := "scheduler.schedules."
	v.cron(k+"leads_daily_digest", s.Schedules.LeadsDailyDigest)
	if strings.HasPrefix(strings.TrimSpace(s.Schedules.LeadsDailyDigest), "@every") {
		// Read in each person's timezone, it names a time of day.
		v.add(k+"leads_daily_digest", "want a local time of day such as \"0 8 * * 1-5\", not an interval")
	}
	v.cron(k+"leads_sla_scan", s.Schedules.LeadsSLAScan)
	v.cron(k+"orders_followup_scan", s.Schedules.OrdersFollowupScan)
	v.cron(k+"report_daily", s.Schedules.ReportDaily)
	v.cron(k+"report_weekly", s.Schedules.ReportWeekly)
	v.cron(k+"anomaly_scan", s.Schedules.AnomalyScan)
}

func (v *checker) web(w WebConfig) {
	v.hostPort("web.listen", w.Listen, true)
	if w.BaseURL != "" {
		u, err := url.Parse(w.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			v.add("web.base_url", "must be an http:// or https:// URL without query, e.g. https://salesdesk.acme.example")
		}
	}
	users := map[string]bool{}
	v.required("web.admin.username", w.Admin.Username)
	v.unique("web.admin.username", w.Admin.Username, users)
	v.bcryptHash("web.admin.password_hash", w.Admin.PasswordHash)
	for i, u := range w.Viewers {
		k := index("web.viewers", i)
		v.required(k+".username", u.Username)
		v.unique(k+".username", u.Username, users)
		v.bcryptHash(k+".password_hash", u.PasswordHash)
	}
	names := map[string]bool{}
	for i, t := range w.APITokens {
		k := index("web.api_tokens", i)
		v.required(k+".name", t.Name)
		v.unique(k+".name", t.Name, names)
		if v.requiredSecret(k+".token", t.Token) && len(t.Token.Reveal()) < minAPIToken {
			v.add(k+".token", "too short: use at least %d random characters", minAPIToken)
		}
	}
	if v.requiredSecret("web.link_secret", w.LinkSecret) && len(w.LinkSecret.Reveal()) < minLinkSecret {
		v.add("web.link_secret", "too short: use at least %d random characters (openssl rand -hex 32)", minLinkSecret)
	}
	v.positive("web.link_ttl", w.LinkTTL)
	v.positive("web.session_ttl", w.SessionTTL)
	v.positive("web.sign_in_ttl", w.SignInTTL)
	v.atLeast("web.sign_in_limit", w.SignInLimit, 1)
}

func (v *checker) smtp(s SMTPConfig) {
	v.hostPort("smtp.addr", s.Addr, false)
	v.oneOf("smtp.tls", s.TLS, TLSNone, TLSStartTLS, TLSImplicit)
	v.oneOf("smtp.auth", s.Auth, "auto", "plain", "login")
	if s.Password != "" && s.Username == "" {
		v.add("smtp.username", "required when smtp.password is set")
	}
	v.email("smtp.from", s.From, true)
	v.email("smtp.reply_to", s.ReplyTo, false)
	if strings.ContainsAny(s.HeloName, " \t\r\n") {
		v.add("smtp.helo_name", "must be a host name without spaces")
	}
	v.positive("smtp.timeout", s.Timeout)
	// 0 turns the limit off; a window is needed only when it is on.
	v.atLeast("smtp.rate_limit.per_recipient", s.RateLimit.PerRecipient, 0)
	if s.RateLimit.PerRecipient > 0 {
		v.positive("smtp.rate_limit.window", s.RateLimit.Window)
	}
}

func (v *checker) mailboxes(ms []MailboxConfig) {
	names := map[string]bool{}
	for i, m := range ms {
		k := index("mailboxes", i)
		if v.required(k+".name", m.Name) && !mailboxNameRe.MatchString(m.Name) {
			v.add(k+".name", "use letters, digits, '.', '-' and '_' only")
		}
		v.unique(k+".name", m.Name, names)
		v.hostPort(k+".addr", m.Addr, false)
		v.oneOf(k+".tls", m.TLS, TLSNone, TLSStartTLS, TLSImplicit)
		v.oneOf(k+".auth", m.Auth, "login", "plain")
		v.required(k+".username", m.Username)
		v.requiredSecret(k+".password", m.Password)
		v.required(k+".folder", m.Folder)
		v.positive(k+".poll_interval", m.PollInterval)
		// RFC 2177: servers may drop an IDLE client after 30 minutes.
		if m.IDLERefresh <= 0 || m.IDLERefresh > 29*time.Minute {
			v.add(k+".idle_refresh", "must be between 0s and 29m (servers end IDLE after 30m)")
		}
		v.positive(k+".command_timeout", m.CommandTimeout)
		v.between(k+".batch_size", m.BatchSize, 1, 10000)
		v.positive(k+".flag_delay", m.FlagDelay)
		v.oneOf(k+".after", m.After, AfterSeen, AfterMove)
		if m.After == AfterMove {
			if v.required(k+".processed_folder", m.ProcessedFolder) && m.ProcessedFolder == m.Folder {
				v.add(k+".processed_folder", "must differ from folder")
			}
		}
		v.atLeast(k+".max_attempts", m.MaxAttempts, 1)
		if m.MaxMessageBytes < 64*KiB {
			v.add(k+".max_message_bytes", "must be at least 64KiB")
		}
		if m.LeaseTTL < time.Second {
			v.add(k+".lease_ttl", "must be at least 1s")
		}
	}
}

func (v *checker) routing(r RoutingConfig) {
	if r.MinConfidence < 0 || r.MinConfidence > 1 {
		v.add("routing.min_confidence", "must be between 0 and 1")
	}
	if r.SecondaryConfidence < 0 || r.SecondaryConfidence > 1 {
		v.add("routing.secondary_confidence", "must be between 0 and 1")
	}
	v.languages("routing.languages", r.Languages)
	v.email("routing.triage_address", r.TriageAddress, true)
	v.email("routing.team_address", r.TeamAddress, true)
	if r.AckWindow < 0 {
		v.add("routing.ack_window", "must not be negative (0 turns the window off)")
	}
	for i, p := range r.OrderNumberPatterns {
		v.regex(index("routing.order_number_patterns", i), p)
	}
	names := map[string]bool{}
	for i, rule := range r.Rules {
		k := index("routing.rules", i)
		v.required(k+".name", rule.Name)
		v.unique(k+".name", rule.Name, names)
		if len(rule.Sender)+len(rule.SenderDomain)+len(rule.Subject)+len(rule.Body) == 0 &&
			rule.SubjectRegex == "" && rule.BodyRegex == "" {
			v.add(k, "needs at least one of sender, sender_domain, subject, subject_regex, body, body_regex")
		}
		v.emails(k+".sender", rule.Sender)
		for j, d := range rule.SenderDomain {
			if d == "" || strings.ContainsAny(d, "@ ") {
				v.add(index(k+".sender_domain", j), "must be a domain such as acme.example")
			}
		}
		for j, w := range rule.Subject {
			v.required(index(k+".subject", j), w)
		}
		for j, w := range rule.Body {
			v.required(index(k+".body", j), w)
		}
		v.regex(k+".subject_regex", rule.SubjectRegex)
		v.regex(k+".body_regex", rule.BodyRegex)
		if v.required(k+".category", rule.Category) {
			v.oneOf(k+".category", rule.Category, Categories...)
		}
		v.oneOf(k+".priority", rule.Priority, Priorities...)
		v.email(k+".assignee", rule.Assignee, false)
	}
	if r.TemplatesDir != "" {
		if fi, err := os.Stat(r.TemplatesDir); err != nil || !fi.IsDir() {
			v.add("routing.templates_dir", "%q is not a directory", r.TemplatesDir)
		}
	}
}

func (v *checker) leads(l LeadsConfig) {
	v.positive("leads.dedupe_window", l.DedupeWindow)
	for i, d := range l.FreeMailDomains {
		if d == "" || strings.ContainsAny(d, "@ ") {
			v.add(index("leads.free_mail_domains", i), "must be a domain such as gmail.com")
		}
	}
	v.positive("leads.sla_contact", l.SLAContact)
	v.positive("leads.sla_reassign", l.SLAReassign)
	v.oneOf("leads.strategy", l.Strategy, Strategies...)
	v.email("leads.manager_address", l.ManagerAddress, false)
	v.pipeline(l)
	teams := map[string]bool{}
	for i, t := range l.Teams {
		k := index("leads.teams", i)
		v.required(k+".name", t.Name)
		v.unique(k+".name", t.Name, teams)
		if t.Strategy != "" {
			v.oneOf(k+".strategy", t.Strategy, Strategies...)
		}
		v.emails(k+".members", t.Members)
	}
	reps := map[string]bool{}
	for i, r := range l.Reps {
		k := index("leads.reps", i)
		v.required(k+".name", r.Name)
		v.email(k+".email", r.Email, true)
		v.unique(k+".email", r.Email, reps)
		v.atLeast(k+".weight", r.Weight, 1)
		v.atLeast(k+".capacity", r.Capacity, 1)
		if r.Timezone != "" { // empty: the team's
			v.timezone(k+".timezone", r.Timezone)
		}
		if r.Role != "" {
			v.oneOf(k+".role", r.Role, "rep", "manager", "admin")
		}
		v.workingHours(k+".working_hours", r.WorkingHours)
		if _, err := r.OutOfOffice(""); err != nil {
			v.add(k+".out_of_office_until", "%v", err)
		}
		v.languages(k+".languages", r.Languages)
	}
}

// languages checks a list of ISO 639-1 codes against the supported ones.
func (v *checker) languages(key string, codes []string) {
	for i, l := range codes {
		if !slices.Contains(lang.Supported, lang.Normalize(l)) {
			v.add(index(key, i), "must be one of %s", strings.Join(lang.Supported, ", "))
		}
	}
}

func (v *checker) workingHours(key string, w WorkingHours) {
	if len(w.Days) == 0 && w.Start == "" && w.End == "" {
		return // always available
	}
	if len(w.Days) == 0 {
		v.add(key+".days", "required when start or end is set")
	}
	seen := map[string]bool{}
	for i, d := range w.Days {
		k := index(key+".days", i)
		v.oneOf(k, d, Weekdays...)
		v.unique(k, d, seen)
	}
	start, errStart := time.Parse("15:04", w.Start)
	end, errEnd := time.Parse("15:04", w.End)
	if errStart != nil {
		v.add(key+".start", "must be a time of day HH:MM")
	}
	if errEnd != nil {
		v.add(key+".end", "must be a time of day HH:MM")
	}
	if errStart == nil && errEnd == nil && !end.After(start) {
		v.add(key+".end", "must be after start")
	}
}

func (v *checker) orders(o OrdersConfig) {
	v.email("orders.operations_address", o.OperationsAddress, false)
	v.positive("orders.followup_pending_after", o.FollowupPendingAfter)
	if o.FollowupLateGrace < 0 {
		v.add("orders.followup_late_grace", "must not be negative")
	}
}

func (v *checker) meetings(m MeetingsConfig) {
	v.positive("meetings.default_duration", m.DefaultDuration)
	if m.MinNotice < 0 {
		v.add("meetings.min_notice", "must not be negative")
	}
	for i, r := range m.Reminders {
		v.positive(index("meetings.reminders", i), r)
	}
}

func (v *checker) reports(r ReportsConfig) {
	v.emails("reports.recipients", r.Recipients)
	if r.Timezone != "" {
		v.timezone("reports.timezone", r.Timezone)
	}
	seen := map[string]bool{}
	for i, t := range r.Targets {
		key := index("reports.targets", i)
		v.email(key+".rep", t.Rep, true)
		v.unique(key+".rep", t.Rep, seen)
		switch {
		case t.WonValue < 0 || t.WonValue > 1e13:
			v.add(key+".won_value", "must be an amount of at least 0")
		case t.LeadsContacted < 0:
			v.add(key+".leads_contacted", "must be at least 0")
		case t.WonValue == 0 && t.LeadsContacted == 0:
			v.add(key, "sets neither won_value nor leads_contacted")
		}
		if t.Currency != "" && !currencyRe.MatchString(t.Currency) {
			v.add(key+".currency", "must be an ISO 4217 code such as EUR")
		}
	}
}

func (v *checker) anomaly(a AnomalyConfig) {
	v.emails("anomaly.supervisor_addresses", a.SupervisorAddresses)
	v.positive("anomaly.window", a.Window)
	if a.DigestWindow < 0 {
		v.add("anomaly.digest_window", "must be 0 (no digest) or positive")
	}
	t := a.Thresholds
	v.atLeast("anomaly.thresholds.complaints_per_account", t.ComplaintsPerAccount, 1)
	v.atLeast("anomaly.thresholds.foreign_order_lookups", t.ForeignOrderLookups, 1)
	if t.InboundSpikeFactor <= 1 {
		v.add("anomaly.thresholds.inbound_spike_factor", "must be greater than 1")
	}
	if t.BounceRate <= 0 || t.BounceRate > 1 {
		v.add("anomaly.thresholds.bounce_rate", "must be greater than 0 and at most 1")
	}
}

// OutOfOffice returns when the rep is available again, zero when
// out_of_office_until is empty. A date (YYYY-MM-DD) means the start of that
// day in the rep's timezone, else the team's (teamZone): the rep is back
// that day.
func (r RepConfig) OutOfOffice(teamZone string) (time.Time, error) {
	if r.OutOfOfficeUntil == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, r.OutOfOfficeUntil); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, r.OutOfOfficeUntil, zone.Of(r.Timezone, teamZone))
	if err != nil {
		return time.Time{}, fmt.Errorf("must be a date YYYY-MM-DD or an RFC 3339 time, got %q", r.OutOfOfficeUntil)
	}
	return t, nil
}
