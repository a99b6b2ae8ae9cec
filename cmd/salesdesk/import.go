package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/schollz/progressbar/v3"

	"salesdesk/config"
	"salesdesk/internal/csvimport"
	"salesdesk/internal/lead"
	"salesdesk/internal/mailer"
	"salesdesk/internal/outbox"
	"salesdesk/internal/store"
	"salesdesk/workers"
)

// importKinds are the files `salesdesk import` reads, by name.
func importKinds() map[string]csvimport.Kind {
	kinds := map[string]csvimport.Kind{}
	for _, k := range []csvimport.Kind{csvimport.Customers(), csvimport.Contacts(), csvimport.Orders(), csvimport.Leads()} {
		kinds[k.Name()] = k
	}
	return kinds
}

// statusNotify tells a customer that an import changed their order's
// status (workers.OrderStatusNotifier.OnOrderStatusChanged).
type statusNotify func(ctx context.Context, orderID int64, from, to string) error

// notifierFactory builds the status notifier after an import committed;
// the returned close releases what it opened.
type notifierFactory func(ctx context.Context, cfg config.Config, st *store.Store) (statusNotify, func(), error)

// runImport implements `salesdesk import customers|contacts|orders FILE.csv`.
func runImport(ctx context.Context, args []string, io stdio) int {
	return importCommand(ctx, args, io, orderStatusNotifier)
}

func importCommand(ctx context.Context, args []string, io stdio, newNotifier notifierFactory) int {
	kinds := importKinds()
	names := importKindNames()
	fs := newFlagSet("import", commandHead("import", "[-c FILE] [--skip-bad] [--no-notify] "+strings.Join(names, "|")+" FILE.csv"), io)
	path := configFlag(fs)
	skipBad := fs.Bool("skip-bad", false, "import the good rows and list the bad ones (default: import nothing when any row is bad)")
	noNotify := fs.Bool("no-notify", false, "do not mail customers about order status changes")
	// Flags may come before or after the two arguments.
	var pos []string
	for {
		if code, done := parseFlags(fs, args); done {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 2 {
		fs.Usage()
		return 2
	}
	kind, ok := kinds[pos[0]]
	if !ok {
		fmt.Fprintf(io.err, "import: unknown kind %q: want %s\n", pos[0], strings.Join(names, ", "))
		return 2
	}
	file, err := os.Open(pos[1])
	if err != nil {
		fmt.Fprintf(io.err, "import: %v\n", err)
		return 1
	}
	defer file.Close()

	cfg, ok := loadConfig(path(), false, io.err)
	if !ok {
		return 1
	}
	st, err := store.Open(ctx, cfg.Database.DSN.Reveal())
	if err != nil {
		fmt.Fprintf(io.err, "import: %v\n", err)
		return 1
	}
	defer st.Close()

	opts := csvimport.Options{SkipBad: *skipBad}
	var bar *importProgress
	if isTerminal(io.err) {
		bar = &importProgress{w: io.err, label: kind.Name()}
		opts.Progress = bar.update
	}
	rep, err := csvimport.Import(ctx, st, kind, file, opts)
	bar.done()
	printImportReport(io.out, rep, *skipBad)
	switch {
	case errors.Is(err, csvimport.ErrBadRows):
		fmt.Fprintf(io.err, "import: %d bad rows, nothing imported; fix them or use --skip-bad\n", len(rep.Bad))
		return 1
	case err != nil:
		fmt.Fprintf(io.err, "import: %s: %v\n", pos[1], err)
		return 1
	}
	if lk, ok := kind.(*csvimport.LeadsKind); ok && rep.Committed && len(lk.Created()) > 0 {
		if code := assignImportedLeads(ctx, cfg, st, lk.Created(), io); code != 0 {
			return code
		}
	}
	if len(rep.StatusChanges) > 0 && !*noNotify && cfg.Orders.NotifyStatusChanges {
		return notifyStatusChanges(ctx, cfg, st, rep.StatusChanges, newNotifier, io)
	}
	return 0
}

// printImportReport writes what the import did, its ignored columns and
// its bad rows.
func printImportReport(w io.Writer, rep csvimport.Report, skipBad bool) {
	if len(rep.UnknownColumns) > 0 {
		fmt.Fprintf(w, "ignored columns: %s\n", strings.Join(rep.UnknownColumns, ", "))
	}
	if rep.Committed {
		fmt.Fprintf(w, "%s: %d rows, %d created, %d updated, %d unchanged", rep.Kind, rep.Rows, rep.Created, rep.Updated, rep.Unchanged)
		if len(rep.Bad) > 0 {
			fmt.Fprintf(w, ", %d bad rows skipped", len(rep.Bad))
		}
		fmt.Fprintln(w)
	}
	for _, b := range rep.Bad {
		fmt.Fprintf(w, "row %d: %s\n", b.Row, b.Reason)
	}
	for _, c := range rep.StatusChanges {
		fmt.Fprintf(w, "order %s: %s -> %s\n", c.Number, c.From, c.To)
	}
}

// notifyStatusChanges mails customers about the status changes an import
// committed. A failure cannot undo the import: it is reported, exit 1.
func notifyStatusChanges(ctx context.Context, cfg config.Config, st *store.Store, changes []csvimport.StatusChange, newNotifier notifierFactory, io stdio) int {
	notify, closeFn, err := newNotifier(ctx, cfg, st)
	if err != nil {
		fmt.Fprintf(io.err, "import: imported, but no status mails sent: %v\n", err)
		return 1
	}
	defer closeFn()
	failed := 0
	for _, c := range changes {
		if err := notify(ctx, c.OrderID, c.From, c.To); err != nil {
			fmt.Fprintf(io.err, "import: status mail for order %s: %v\n", c.Number, err)
			failed++
		}
	}
	if failed > 0 {
		return 1
	}
	fmt.Fprintf(io.out, "status mails queued for %d orders (opted-out accounts and states already mailed are skipped)\n", len(changes))
	return 0
}

// orderStatusNotifier is the real notifierFactory: the workers' status
// notifier over this store, queueing through Redis.
func orderStatusNotifier(ctx context.Context, cfg config.Config, st *store.Store) (statusNotify, func(), error) {
	r, err := mailer.NewRenderer(mailer.RenderOptions{TemplatesDir: cfg.Routing.TemplatesDir})
	if err != nil {
		return nil, nil, err
	}
	client := asynq.NewClient(cfg.Redis.ConnOpt())
	if err := client.Ping(); err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("redis: %w", err)
	}
	n, err := workers.NewOrderStatusNotifier(
		workers.OrderDeps{Desk: workers.Desk{Renderer: r, Outbox: outbox.New(st, client), From: cfg.SMTP.From}, Store: st},
		workers.OrderOptions{OperationsAddress: cfg.Orders.OperationsAddress, TeamAddress: cfg.Routing.TeamAddress})
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return n.OnOrderStatusChanged, func() { client.Close() }, nil
}

// assignImportedLeads dedupes each new lead and queues its assignment, as
// POST /api/v1/leads does. A failure cannot undo the import: the leads wait
// in the unassigned pool, which every leads:sla_scan drains.
func assignImportedLeads(ctx context.Context, cfg config.Config, st *store.Store, ids []int64, io stdio) int {
	client := asynq.NewClient(cfg.Redis.ConnOpt())
	defer client.Close()
	svc, err := lead.New(lead.Deps{Store: st, Enqueuer: client}, lead.Options{
		DedupeWindow:    cfg.Leads.DedupeWindow,
		FreeMailDomains: cfg.Leads.FreeMailDomains,
		TeamZone:        cfg.Scheduler.Timezone,
	})
	if err != nil {
		fmt.Fprintf(io.err, "import: imported, but leads not queued for assignment: %v\n", err)
		return 1
	}
	failed := 0
	for _, id := range ids {
		if err := svc.OnLeadCreated(ctx, id); err != nil {
			fmt.Fprintf(io.err, "import: lead %d imported but not queued for assignment (the next SLA scan picks it up): %v\n", id, err)
			failed++
		}
	}
	if failed > 0 {
		return 1
	}
	fmt.Fprintf(io.out, "%d new leads queued for assignment\n", len(ids))
	return 0
}

// isTerminal reports whether w is a terminal, where a progress bar helps
// rather than fills a log with carriage returns.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// importProgress draws "label  25% [=======>......] (18 MB/73 MB)" on one
// terminal line, at most ten times a second and always at the end. The
// import streams, so the bar counts the file's bytes, not its rows.
type importProgress struct {
	w     io.Writer
	label string
	bar   *progressbar.ProgressBar // made at the first update, when the size is known
}

func (p *importProgress) update(read, size int64) {
	if p.bar == nil {
		w := p.w
		if size <= 0 {
			size = -1 // unknown: a spinner with the bytes read
		}
		p.bar = progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(p.label),
			progressbar.OptionSetWidth(30),
			progressbar.OptionSetTheme(progressbar.ThemeASCII), // what the old hand-drawn bar looked like
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionShowTotalBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetPredictTime(false),
			// No spinner goroutine: with an unknown size it would redraw
			// every 100 ms for ever, also after done() ended the line.
			progressbar.OptionSetSpinnerChangeInterval(0),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
	}
	p.bar.Set64(read)
}

// done ends the bar's line, also when the import stopped early; a nil
// bar or one never drawn does nothing.
func (p *importProgress) done() {
	if p != nil && p.bar != nil && !p.bar.IsFinished() {
		p.bar.Exit()
	}
}
