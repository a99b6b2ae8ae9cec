package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/crypto/bcrypt"

	"salesdesk/config"
	"salesdesk/internal/admin"
	"salesdesk/internal/demo"
	deskpages "salesdesk/internal/desk"
	"salesdesk/internal/report"
	"salesdesk/internal/smtptest"
)

// demoOptions are the demo's flags, and hooks for tests.
type demoOptions struct {
	Listen   string
	Rate     float64       // simulated mails per second
	Duration time.Duration // 0 runs until ctx ends
	Keep     bool          // keep the temp dir
	Seed     int64
	Redis    string // "", demo.RedisServer or demo.RedisMini
	LogLevel string
	// StatusEvery prints a progress line this often; 0 never.
	StatusEvery time.Duration

	// ready, when set, is called once the web role answers.
	ready func(demoRun)
}

// demoRun is what a running demo offers: where to look and how to log in.
type demoRun struct {
	BaseURL  string
	Username string
	Password string
	APIToken string
	Dir      string

	RedisOpt asynq.RedisConnOpt
	SMTP     *smtptest.Server
	IMAP     *demo.IMAP
	Sim      *demo.Simulator
}

func runDemoCommand(ctx context.Context, args []string, io stdio) int {
	fs := newFlagSet("demo", "usage: salesdesk demo [flags]\n\nRuns every role against embedded Redis, IMAP and SMTP stand-ins and a stream of\nsimulated customer mail. Nothing to install or configure; Ctrl-C stops it.", io)
	o := demoOptions{StatusEvery: 15 * time.Second}
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:8080", "web address (dashboard, admin pages, API)")
	fs.Float64Var(&o.Rate, "rate", 2, "simulated customer mails per second")
	fs.DurationVar(&o.Duration, "duration", 0, "stop after this long (0 runs until Ctrl-C)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temporary directory (database, Redis log) on exit")
	fs.Int64Var(&o.Seed, "seed", 1, "seed of the simulated world and mail stream")
	fs.StringVar(&o.Redis, "redis", "", `"redis-server" or "miniredis" (default: redis-server when on PATH)`)
	fs.StringVar(&o.LogLevel, "log-level", "warn", "log level of salesdesk's own log (debug, info, warn, error)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(io.err, "salesdesk demo: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if o.Rate <= 0 {
		fmt.Fprintln(io.err, "salesdesk demo: --rate must be above zero")
		return 2
	}
	if err := runDemo(ctx, o, io); err != nil {
		fmt.Fprintf(io.err, "salesdesk demo: %v\n", err)
		return 1
	}
	return 0
}

// runDemo starts the stand-ins, seeds the database, runs every role and
// the simulator until ctx ends or Duration passes, then stops everything
// in reverse order and removes the temp dir unless Keep.
func runDemo(ctx context.Context, o demoOptions, io stdio) (err error) {
	if o.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}
	if o.LogLevel == "" {
		o.LogLevel = "warn"
	}
	dir, err := os.MkdirTemp("", "salesdesk-demo-")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	defer func() {
		if o.Keep {
			fmt.Fprintf(io.out, "demo files kept in %s\n", dir)
			return
		}
		if rerr := os.RemoveAll(dir); rerr != nil {
			err = errors.Join(err, fmt.Errorf("remove %s: %w", dir, rerr))
		}
	}()

	rds, err := demo.StartRedis(ctx, demo.RedisOptions{Dir: dir, Kind: o.Redis})
	if err != nil {
		return err
	}
	defer rds.Close()
	inbox, err := demo.StartIMAP("sales", randomHex(12))
	if err != nil {
		return err
	}
	defer inbox.Close()
	smtp, err := smtptest.Start(smtptest.Options{Domain: "mx.outside.example"})
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	defer smtp.Close()

	run := demoRun{
		BaseURL:  "http://" + o.Listen,
		Username: "admin",
		Password: randomPassword(),
		APIToken: randomHex(24),
		Dir:      dir,
		SMTP:     smtp,
		IMAP:     inbox,
	}
	world := demo.NewWorld(o.Seed, time.Now())
	cfg, err := demoConfig(o, run, rds.Addr, inbox, smtp.Addr(), world)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, io.err)
	if err != nil {
		return err
	}
	defer a.close()
	run.RedisOpt = a.redisOpt
	if err := world.Seed(ctx, a.store); err != nil {
		return err
	}
	pages, err := admin.New(admin.Options{
		Store:         a.store,
		Location:      time.Local,
		SentMail:      func() []admin.CapturedMail { return capturedMail(smtp) },
		RecipientKind: world.RecipientKind,
		ReportsURL:    deskpages.ReportsPath,
		Logger:        a.log.With("role", roleWeb),
	})
	if err != nil {
		return err
	}
	a.pages = pages
	run.Sim = demo.NewSimulator(world, demo.SimulatorOptions{Seed: o.Seed, Sent: func() []demo.Sent { return sentMail(smtp) }})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		if !waitHealthy(ctx, run.BaseURL) {
			return
		}
		printDemoBanner(io.out, run, rds.Kind, o.Keep)
		if o.ready != nil {
			o.ready(run)
		}
		wg.Go(func() {
			if err := run.Sim.Run(ctx, inbox, o.Rate, a.log.With("role", "simulator")); err != nil {
				a.log.Error("simulator stopped", "error", err)
			}
		})
		if o.StatusEvery > 0 {
			wg.Go(func() { printDemoStatus(ctx, io.out, o.StatusEvery, run) })
		}
	})
	err = a.run(ctx, roleWeb, roleWorker, roleScheduler, rolePoller)
	cancel()
	return err
}

// demoConfig points a default configuration at the stand-ins.
func demoConfig(o demoOptions, run demoRun, redisAddr string, inbox *demo.IMAP, smtpAddr string, world *demo.World) (config.Config, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(run.Password), bcrypt.DefaultCost)
	if err != nil {
		return config.Config{}, err
	}
	cfg := config.Default()
	cfg.Log = config.LogConfig{Level: o.LogLevel, Format: "text"}
	cfg.Redis.Addr = redisAddr
	cfg.Database.DSN = config.Secret("sqlite:" + filepath.Join(run.Dir, "salesdesk.db"))
	cfg.Worker.ShutdownTimeout = 5 * time.Second
	cfg.Web.Listen = o.Listen
	cfg.Web.BaseURL = run.BaseURL
	cfg.Web.Admin = config.WebUser{Username: run.Username, PasswordHash: config.Secret(hash)}
	cfg.Web.APITokens = []config.APIToken{{Name: "demo", Token: config.Secret(run.APIToken), Scopes: []string{config.ScopeAdmin}}}
	// The simulated customers sign nothing and the demo asks no DNS:
	// their account changes go to a person, as a forged mail's would.
	cfg.SenderAuth.VerifyDKIM = false
	cfg.Web.LinkSecret = config.Secret(randomHex(32))
	cfg.SMTP.Addr = smtpAddr
	cfg.SMTP.TLS = config.TLSNone
	cfg.SMTP.From = demo.CompanyName + " Sales <" + demo.SalesAddress + ">"
	cfg.SMTP.HeloName = "salesdesk.demo"
	cfg.SMTP.Timeout = 10 * time.Second
	// Reps get many leads a minute at demo rates.
	cfg.SMTP.RateLimit.PerRecipient = 500
	mb := config.DefaultMailbox()
	mb.Name = "sales"
	mb.Addr = inbox.Addr
	mb.TLS = config.TLSNone
	mb.Username = inbox.Username
	mb.Password = config.Secret(inbox.Password)
	mb.Folder = inbox.Folder
	mb.PollInterval = 5 * time.Second
	mb.CommandTimeout = 10 * time.Second
	cfg.Mailboxes = []config.MailboxConfig{mb}
	cfg.Routing.TeamAddress = demo.TeamAddress
	cfg.Routing.TriageAddress = demo.TriageAddress
	cfg.Leads.ManagerAddress = demo.ManagerAddress
	// Demo leads go out at any hour of the reader's day.
	cfg.Leads.RespectWorkingHours = false
	for _, r := range world.Reps {
		rc := config.DefaultRep()
		rc.Name, rc.Email = r.Name, r.Email
		rc.Territories, rc.Skills = r.Territories, r.Skills
		rc.Timezone, rc.Weight, rc.Capacity = r.Timezone, r.Weight, r.Capacity
		rc.WorkingHours = config.WorkingHours{Days: r.Days, Start: r.Start, End: r.End}
		cfg.Leads.Reps = append(cfg.Leads.Reps, rc)
	}
	// Scans run often so that their work shows within minutes.
	cfg.Scheduler.Timezone = "UTC"
	cfg.Scheduler.Schedules.LeadsSLAScan = "@every 1m"
	cfg.Scheduler.Schedules.OrdersFollowupScan = "@every 5m"
	cfg.Scheduler.Schedules.AnomalyScan = "@every 2m"
	cfg.ApplyFallbacks()
	if problems := cfg.Validate(); problems != nil {
		return config.Config{}, fmt.Errorf("demo configuration: %w", problems)
	}
	return cfg, nil
}

// waitHealthy polls /healthz until the web role answers or ctx ends.
func waitHealthy(ctx context.Context, base string) bool {
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func printDemoBanner(w io.Writer, run demoRun, redisKind string, keep bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nsalesdesk demo is running (Redis: %s; IMAP, SMTP and the customers are simulated)\n\n", redisKind)
	fmt.Fprintf(&b, "  home       %s/\n", run.BaseURL)
	fmt.Fprintf(&b, "  dashboard  %s/monitoring/\n", run.BaseURL)
	fmt.Fprintf(&b, "  sent mail  %s%s\n", run.BaseURL, admin.SentMailPath)
	fmt.Fprintf(&b, "  reports    %s%s/%s\n", run.BaseURL, deskpages.ReportsPath, report.Last7Days)
	fmt.Fprintf(&b, "  API        %s/api/v1/   (Authorization: Bearer %s)\n\n", run.BaseURL, run.APIToken)
	fmt.Fprintf(&b, "  user       %s\n  password   %s\n\n", run.Username, run.Password)
	fmt.Fprintf(&b, "  data       %s", run.Dir)
	if !keep {
		b.WriteString(" (removed on exit; --keep keeps it)")
	}
	b.WriteString("\n\nPress Ctrl-C to stop.\n\n")
	io.WriteString(w, b.String())
}

// printDemoStatus prints how much mail went in and out and how many tasks
// ran, every interval.
func printDemoStatus(ctx context.Context, w io.Writer, every time.Duration, run demoRun) {
	insp := asynq.NewInspector(run.RedisOpt)
	defer insp.Close()
	everyTick(ctx, every, func() {
		processed, failed := processedTasks(insp)
		fmt.Fprintf(w, "%s  inbox %d mails · sent %d mails · tasks processed %d, failed %d\n",
			time.Now().Format(time.TimeOnly), run.IMAP.Appended(), len(run.SMTP.Messages()), processed, failed)
	})
}

// processedTasks sums today's processed and failed counts over all queues.
func processedTasks(insp *asynq.Inspector) (processed, failed int) {
	queues, err := insp.Queues()
	if err != nil {
		return 0, 0
	}
	for _, q := range queues {
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			continue
		}
		processed += info.Processed
		failed += info.Failed
	}
	return processed, failed
}

// capturedMail is the SMTP server's mail for the sent-mail page.
func capturedMail(s *smtptest.Server) []admin.CapturedMail {
	msgs := s.Messages()
	out := make([]admin.CapturedMail, len(msgs))
	for i, m := range msgs {
		out[i] = admin.CapturedMail{From: m.From, To: m.To, Data: m.Data}
	}
	return out
}

// sentMailWindow is how many of the latest captured mails the simulator
// may answer.
const sentMailWindow = 100

// sentMail is our recent outbound mail, for the simulator's replies,
// auto-replies and bounces.
func sentMail(s *smtptest.Server) []demo.Sent {
	msgs := s.Messages()
	if len(msgs) > sentMailWindow {
		msgs = msgs[len(msgs)-sentMailWindow:]
	}
	dec := new(mime.WordDecoder)
	out := make([]demo.Sent, 0, len(msgs))
	for _, m := range msgs {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			continue
		}
		id := strings.Trim(strings.TrimSpace(msg.Header.Get("Message-ID")), "<>")
		subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			subject = msg.Header.Get("Subject")
		}
		out = append(out, demo.Sent{MessageID: id, To: m.To, Subject: subject})
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// randomPassword is 80 random bits, in groups that are easy to type.
func randomPassword() string {
	t := rand.Text()[:16]
	return t[:4] + "-" + t[4:8] + "-" + t[8:12] + "-" + t[12:]
}
