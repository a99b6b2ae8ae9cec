package main

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/config"
	"salesdesk/internal/anomaly"
	"salesdesk/internal/assign"
	"salesdesk/internal/entity"
	"salesdesk/internal/intake"
	"salesdesk/internal/lang"
	"salesdesk/internal/lead"
	"salesdesk/internal/link"
	"salesdesk/internal/mailer"
	"salesdesk/internal/meeting"
	"salesdesk/internal/order"
	"salesdesk/internal/outbox"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/workers"
)

// desk is the sales desk's domain wiring shared by the worker, web and
// scheduler roles: the classifier, the link signer, the lead service and
// every task handler (workers.New), built once from config.
type desk struct {
	classifier *routing.Classifier
	links      *link.Signer
	leads      *lead.Service
	meetings   *meeting.Service
	scheduled  *asynq.Inspector // deletes older meeting reminders; closed by app.close
	workers    *workers.Workers
	// model retrains the classifier on the stored routing examples.
	model *modelTrainer
}

// desk builds the domain wiring on first use.
func (a *app) desk(ctx context.Context) (*desk, error) {
	a.deskOnce.Do(func() { a.deskVal, a.deskErr = a.buildDesk(ctx) })
	return a.deskVal, a.deskErr
}

type deskCache struct {
	deskOnce sync.Once
	deskVal  *desk
	deskErr  error
}

// defaultClassifier trains the default classifier on the embedded
// examples plus extra. It is a variable only so that tests, which start
// the process many times, can train the model once per test binary.
var defaultClassifier = routing.DefaultClassifier

func (a *app) buildDesk(ctx context.Context) (*desk, error) {
	cfg := a.cfg
	logger := a.log.With("role", roleWorker)
	d := &desk{}

	// The model trains once, on the embedded examples plus the decisions
	// people made (triage links, the label API), which the store keeps.
	learned, err := a.store.RoutingExamplesUpdatedAt(ctx)
	if err != nil {
		return nil, fmt.Errorf("load routing examples: %w", err)
	}
	extra, err := intake.StoredExamples(ctx, a.store)
	if err != nil {
		return nil, fmt.Errorf("load routing examples: %w", err)
	}
	d.classifier = defaultClassifier(extra)
	d.model = newModelTrainer(a.store, intake.ReloadFromStore(a.store, d.classifier), learned)
	router, err := newRouter(cfg.Routing, d.classifier)
	if err != nil {
		return nil, err
	}

	loc, err := time.LoadLocation(cfg.Scheduler.Timezone)
	if err != nil {
		return nil, fmt.Errorf("scheduler.timezone: %w", err)
	}
	reportLoc := loc
	if cfg.Reports.Timezone != "" && len(cfg.Reports.Recipients) > 0 {
		if reportLoc, err = time.LoadLocation(cfg.Reports.Timezone); err != nil {
			return nil, fmt.Errorf("reports.timezone: %w", err)
		}
	}
	renderer, err := mailer.NewRenderer(mailer.RenderOptions{TemplatesDir: cfg.Routing.TemplatesDir, Location: loc,
		Team: cfg.Team.Name, TeamPhone: cfg.Team.Phone, TeamHours: cfg.Team.Hours})
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	sender, err := mailer.NewSender(mailer.Options{
		Addr: cfg.SMTP.Addr, TLS: cfg.SMTP.TLS, AllowPlaintext: cfg.SMTP.AllowPlaintext, Auth: cfg.SMTP.Auth,
		Username: cfg.SMTP.Username, Password: cfg.SMTP.Password.Reveal(),
		HELO: cfg.SMTP.HeloName, Timeout: cfg.SMTP.Timeout,
		From: cfg.SMTP.From, ReplyTo: cfg.SMTP.ReplyTo,
	})
	if err != nil {
		return nil, err
	}
	d.links, err = link.New([]byte(cfg.Web.LinkSecret.Reveal()))
	if err != nil {
		return nil, fmt.Errorf("web.link_secret: %w", err)
	}

	if err := seedReps(ctx, a, cfg.Leads.Reps); err != nil {
		return nil, err
	}
	// One scorer: lead:assign stores a lead's score with its assignment
	// and the lead handlers show and retrain it.
	scorer := lead.NewScorer(a.store)
	d.leads, err = lead.New(lead.Deps{
		Scorer:   scorer,
		Store:    a.store,
		Rotation: lead.NewRedisRotation(a.rdb, "salesdesk:assign:", time.Hour),
		Enqueuer: a.client,
		Logger:   logger,
	}, lead.Options{
		DedupeWindow:    cfg.Leads.DedupeWindow,
		FreeMailDomains: cfg.Leads.FreeMailDomains,
		SLAContact:      cfg.Leads.SLAContact,
		SLAReassign:     cfg.Leads.SLAReassign,
		Assign:          assignConfig(cfg.Leads),
		TeamZone:        cfg.Scheduler.Timezone,
	})
	if err != nil {
		return nil, err
	}

	d.meetings, err = meeting.NewService(a.store, a.client, meeting.Options{
		DefaultDuration: cfg.Meetings.DefaultDuration,
		MinNotice:       cfg.Meetings.MinNotice,
		Reminders:       cfg.Meetings.Reminders,
		TeamZone:        cfg.Scheduler.Timezone,
	}, time.Now)
	if err != nil {
		return nil, err
	}

	d.scheduled = asynq.NewInspector(a.redisOpt)

	base := cfg.Web.PublicURL()
	opts := workerOptions(cfg, loc, reportLoc, d.links, scorer)
	if spec := cfg.Scheduler.Schedules.LeadsDailyDigest; spec != "" {
		if opts.Lead.DailyTime, err = lead.ParseDailyTime(spec); err != nil {
			return nil, fmt.Errorf("scheduler.schedules.leads_daily_digest: %w", err)
		}
	}
	d.workers, err = workers.New(workers.Deps{
		Desk: workers.Desk{
			Renderer: renderer, Outbox: outbox.New(a.store, a.client), From: cfg.SMTP.From, BaseURL: base,
			Logger: logger, Clock: workers.ClockFunc(time.Now),
		},
		Metrics: a.registry,
		Store:   a.store,
		Sender:  sender,
		Leads:   d.leads,
		Intake: intake.Deps{Store: a.store, Router: router, Enqueuer: a.client, Reload: d.model.retrain, Logger: logger,
			Senders: senderChecker(cfg.SenderAuth), RepReply: lead.NewContactRecognizer(a.store, logger).RepReply},
		Meetings: d.meetings, Scheduled: d.scheduled,
	}, opts)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// workerOptions turns config into the handler families' options.
func workerOptions(cfg config.Config, loc, reportLoc *time.Location, links *link.Signer, scorer *lead.Scorer) workers.Options {
	return workers.Options{
		Inquiry: workers.InquiryOptions{
			TeamAddress: cfg.Routing.TeamAddress, TriageAddress: cfg.Routing.TriageAddress,
			Links: links, TriageLinkTTL: cfg.Web.LinkTTL,
		},
		Order: workers.OrderOptions{
			OperationsAddress: cfg.Orders.OperationsAddress, TeamAddress: cfg.Routing.TeamAddress, FormatHint: "SO-123456",
			Links:    links,
			Followup: order.FollowupOptions{LateGrace: cfg.Orders.FollowupLateGrace, PendingAfter: cfg.Orders.FollowupPendingAfter},
		},
		Lead: workers.LeadOptions{
			ManagerAddress: cfg.Leads.ManagerAddress, Links: links, LinkTTL: cfg.Web.LinkTTL, Timezone: loc,
			Scorer: scorer,
		},
		Meeting: workers.MeetingOptions{Links: links, LinkTTL: cfg.Web.LinkTTL, Organizer: cmp.Or(cfg.SMTP.ReplyTo, cfg.SMTP.From)},
		Report: workers.ReportOptions{
			Recipients: cfg.Reports.Recipients, Location: reportLoc,
			AttachCSV: cfg.Reports.AttachCSV, ContactSLA: cfg.Leads.SLAContact,
			Currency: cfg.Leads.Currency, Targets: reportOptions(cfg).Targets,
		},
		Anomaly: workers.AnomalyOptions{
			Supervisors:  cfg.Anomaly.SupervisorAddresses,
			AlertsURL:    cfg.Web.PublicURL() + "/desk/alerts",
			DigestWindow: cfg.Anomaly.DigestWindow,
			Detect: anomaly.Config{
				Window:               cfg.Anomaly.Window,
				ComplaintsPerAccount: cfg.Anomaly.Thresholds.ComplaintsPerAccount,
				ForeignOrderLookups:  cfg.Anomaly.Thresholds.ForeignOrderLookups,
				InboundSpikeFactor:   cfg.Anomaly.Thresholds.InboundSpikeFactor,
				BounceRate:           cfg.Anomaly.Thresholds.BounceRate,
			},
		},
		RecipientLimit: outbox.RecipientLimit{
			PerRecipient: cfg.SMTP.RateLimit.PerRecipient,
			Window:       cfg.SMTP.RateLimit.Window,
			// Our own addresses are exempt: the limit is against loops with
			// outside robots, not against the team's own notifications.
			Exempt: append([]string{cfg.SMTP.From, cfg.SMTP.ReplyTo, cfg.Routing.TeamAddress, cfg.Routing.TriageAddress,
				cfg.Leads.ManagerAddress, cfg.Orders.OperationsAddress}, cfg.Anomaly.SupervisorAddresses...),
		},
		NotifyStatusChanges: cfg.Orders.NotifyStatusChanges,
		Intake: intake.Options{
			AckWindow:       cfg.Routing.AckWindow,
			FreeMailDomains: cfg.Leads.FreeMailDomains,
			OwnAddresses:    ownAddresses(cfg),
		},
	}
}

// newRouter turns routing config into rules in front of the classifier:
// the router options of the service and of `salesdesk classify` alike.
func newRouter(rc config.RoutingConfig, c *routing.Classifier) (*routing.Router, error) {
	var rules []routing.Rule
	for _, r := range rc.Rules {
		base := routing.Rule{
			Name:     r.Name,
			Subject:  append([]string(nil), r.Subject...),
			Body:     append([]string(nil), r.Body...),
			Category: routing.Category(r.Category),
			Priority: entity.Priority(r.Priority),
			Assignee: r.Assignee,
		}
		if r.SubjectRegex != "" {
			base.Subject = append(base.Subject, "re:"+r.SubjectRegex)
		}
		if r.BodyRegex != "" {
			base.Body = append(base.Body, "re:"+r.BodyRegex)
		}
		// A rule with several senders or domains matches any of them: one
		// routing rule each, in order.
		expanded := []routing.Rule{base}
		if len(r.Sender) > 0 || len(r.SenderDomain) > 0 {
			expanded = nil
			for _, s := range r.Sender {
				x := base
				x.Sender = s
				expanded = append(expanded, x)
			}
			for _, dom := range r.SenderDomain {
				x := base
				x.SenderDomain = dom
				expanded = append(expanded, x)
			}
		}
		rules = append(rules, expanded...)
	}
	var patterns []*regexp.Regexp
	for i, p := range rc.OrderNumberPatterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("routing.order_number_patterns[%d]: %w", i, err)
		}
		patterns = append(patterns, re)
	}
	// Configured patterns replace the defaults: only they name our order
	// numbers; other codes (product codes, the customer's PO) are read as
	// codes and items, and count as orders only when a real order has them.
	langs, err := lang.NewDetector(rc.Languages)
	if err != nil {
		return nil, fmt.Errorf("routing.languages: %w", err)
	}
	return routing.NewRouter(routing.RouterOptions{
		Rules:               rules,
		Classifier:          c,
		MinConfidence:       rc.MinConfidence,
		SecondaryConfidence: rc.SecondaryConfidence,
		Languages:           langs,
		Entities:            entity.Options{OrderPatterns: patterns},
	})
}

func assignConfig(lc config.LeadsConfig) assign.Config {
	c := assign.Config{
		Strategy:            assign.Strategy(lc.Strategy),
		OwnerSticky:         lc.OwnerSticky,
		RespectWorkingHours: lc.RespectWorkingHours,
	}
	for _, t := range lc.Teams {
		c.Teams = append(c.Teams, assign.Team{
			Name: t.Name, Strategy: assign.Strategy(t.Strategy),
			Territories: t.Territories, Skills: t.Skills, Members: t.Members,
		})
	}
	return c
}

// seedReps creates or updates the reps listed in leads.reps.
func seedReps(ctx context.Context, a *app, reps []config.RepConfig) error {
	if len(reps) == 0 {
		return nil
	}
	seeds := make([]lead.RepSeed, 0, len(reps))
	for i, r := range reps {
		ooo, err := r.OutOfOffice(a.cfg.Scheduler.Timezone)
		if err != nil {
			return fmt.Errorf("leads.reps[%d].out_of_office_until: %w", i, err)
		}
		seeds = append(seeds, lead.RepSeed{
			Name: r.Name, Email: r.Email, Active: r.Active, Weight: r.Weight, Capacity: r.Capacity,
			Territories: r.Territories, Skills: r.Skills, Languages: r.Languages, Timezone: r.Timezone,
			Days: r.WorkingHours.Days, Start: r.WorkingHours.Start, End: r.WorkingHours.End,
			OutOfOfficeUntil: ooo,
		})
	}
	created, updated, err := lead.SeedReps(ctx, a.store, seeds)
	if err != nil {
		return fmt.Errorf("seed reps: %w", err)
	}
	// The desk role is config's too: a rep without one is a plain rep.
	for i, r := range reps {
		role := r.Role
		if role == "" {
			role = store.RoleRep
		}
		if err := a.store.SetRepRole(ctx, r.Email, role); err != nil {
			return fmt.Errorf("leads.reps[%d].role: %w", i, err)
		}
	}
	a.log.Info("reps seeded from config", "created", created, "updated", updated)
	return nil
}
