package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/redis/go-redis/v9"

	"salesdesk/internal/proc"
	"salesdesk/internal/store"
)

// Options is one end-to-end run.
type Options struct {
	Bin          string // the salesdesk binary
	Dir          string // logs, configuration, profiles, Redis
	DSN          string // an empty database (SQLite file or PostgreSQL)
	IMAPAddr     string // Dovecot; any user logs in with IMAPPassword
	IMAPPassword string
	Mails        int     // customer and automated mails in the mix
	Rate         float64 // offered mails per second; 0 appends as fast as it can
	Workers      int     // worker processes (split roles when > 1)
	Pollers      int     // poller processes competing for the mailbox (split roles when > 1)
	Split        bool    // poller and worker roles in their own processes even with one of each
	Concurrency  int     // worker.concurrency; 0 keeps the default
	AppendConns  int     // IMAP connections appending at once
	NoopTasks    int     // tasks of asynq's no-op drain
	CPUProfile   bool    // each salesdesk process writes a CPU profile into Dir
	DovecotPID   int     // Dovecot's master process, for its CPU time; 0 when unknown
	PostgresPID  int     // the local PostgreSQL server's postmaster, for its CPU time; 0 when none
	Settle       time.Duration
	Log          io.Writer // progress lines
}

// Result is what a run measured.
type Result struct {
	Mails        int
	PerSecond    float64 // mails from the first APPEND until the last answer
	P50, P95     time.Duration
	P99          time.Duration
	NoopPerSec   float64
	PeakRSSBytes int64         // the largest peak resident memory of any salesdesk process
	CPUPerMail   time.Duration // CPU time of all salesdesk processes from the first APPEND to the last answer, per mail
	PartyPerMail PartyCPU      // the same for each party and the whole machine
	Check        Check
}

// Line is the result as the benchmark's last line.
func (r Result) Line() string {
	ratio := 0.0
	if r.NoopPerSec > 0 {
		ratio = r.PerSecond / r.NoopPerSec
	}
	return fmt.Sprintf("mails=%d e2e_per_s=%.1f p50_ms=%d p95_ms=%d p99_ms=%d asynq_noop_per_s=%.0f ratio=%.4f rss_mb=%d",
		r.Mails, r.PerSecond, r.P50.Milliseconds(), r.P95.Milliseconds(), r.P99.Milliseconds(), r.NoopPerSec, ratio,
		r.PeakRSSBytes>>20)
}

// Check is the correctness of a run: every customer mail answered exactly
// once, no automated mail answered, every mail stored once and processed.
type Check struct {
	Answered, Customer        int // customer mails with exactly one answer, of all customer mails
	Silent, Automated         int // automated mails without an answer, of all automated mails
	Missing, Duplicated       int // customer mails with no answer, or with more than one
	AnsweredAuto              int // automated mails answered (a mail loop)
	NotProcessed, StoredTwice int
	Detail                    []string
}

// OK reports whether nothing went wrong.
func (c Check) OK() bool {
	return c.Answered == c.Customer && c.Silent == c.Automated && c.NotProcessed == 0 && c.StoredTwice == 0
}

func (c Check) String() string {
	verdict := "ok: every customer mail answered exactly once, no automated mail answered"
	if !c.OK() {
		verdict = "FAILED: " + strings.Join(c.Detail, "; ")
	}
	return fmt.Sprintf("check answered_once=%d/%d automated_silent=%d/%d missing=%d duplicated=%d answered_automated=%d not_processed=%d stored_twice=%d %s",
		c.Answered, c.Customer, c.Silent, c.Automated, c.Missing, c.Duplicated, c.AnsweredAuto, c.NotProcessed, c.StoredTwice, verdict)
}

func (c *Check) note(format string, args ...any) {
	if len(c.Detail) < 8 {
		c.Detail = append(c.Detail, fmt.Sprintf(format, args...))
	}
}

// desk is a run's salesdesk processes and what they talk to.
type desk struct {
	o     Options
	sink  *Sink
	redis *proc.Redis
	// redisPID is the run's redis-server, for its CPU time.
	redisPID int
	st       *store.Store
	procs    []*proc.Process
	user     string
	run      string
}

// Run runs the benchmark once.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	o.Workers, o.Pollers, o.AppendConns = max(o.Workers, 1), max(o.Pollers, 1), max(o.AppendConns, 1)
	if o.Settle == 0 {
		o.Settle = 2 * time.Minute
	}
	d := &desk{o: o, run: fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff)}
	d.user = "bench-" + d.run
	defer d.close()
	if err := d.start(ctx); err != nil {
		return Result{}, err
	}
	// One warm-up mail through the whole desk: the roles are up, the
	// poller is idling on the mailbox, every cache is filled.
	warm := NewMail(d.run+"w", 0)
	fmt.Fprintf(o.Log, "bench: warm-up mail\n")
	if _, err := d.appendAll(ctx, []Mail{warm}, 0); err != nil {
		return Result{}, err
	}
	if err := d.waitAnswers(ctx, []Mail{warm}, nil, 3*time.Minute); err != nil {
		return Result{}, fmt.Errorf("warm-up: %w", err)
	}

	cpuBefore := d.partyCPU()
	mails := make([]Mail, o.Mails)
	for n := range mails {
		mails[n] = NewMail(d.run, n)
	}
	fmt.Fprintf(o.Log, "bench: appending %d mails (rate %s, %d connections)\n", len(mails), rateText(o.Rate), o.AppendConns)
	sent, err := d.appendAll(ctx, mails, o.Rate)
	if err != nil {
		return Result{}, err
	}
	fmt.Fprintf(o.Log, "bench: appended in %v, waiting for the answers\n", time.Since(sent[0]).Round(time.Millisecond))
	werr := d.waitAnswers(ctx, mails, sent, o.Settle)
	res := Result{Mails: len(mails), PartyPerMail: d.partyCPU().Sub(cpuBefore).PerMail(len(mails))}
	res.CPUPerMail = res.PartyPerMail.Salesdesk
	var lat []time.Duration
	var last time.Time
	for n, m := range mails {
		if !m.Kind.Answered() {
			continue
		}
		if a := d.sink.Arrivals(m.From); len(a) > 0 {
			lat = append(lat, a[0].Sub(sent[n]))
			if a[0].After(last) {
				last = a[0]
			}
		}
	}
	if !last.IsZero() {
		res.PerSecond = float64(len(mails)) / last.Sub(sent[0]).Seconds()
	}
	slices.Sort(lat)
	res.P50, res.P95, res.P99 = percentile(lat, 0.50), percentile(lat, 0.95), percentile(lat, 0.99)
	for _, p := range d.procs {
		if rss, err := p.PeakRSS(); err == nil && rss > res.PeakRSSBytes {
			res.PeakRSSBytes = rss
		}
	}
	// Late copies and late answers to automated mail would show now.
	time.Sleep(3 * time.Second)
	// Automated mail has no answer to wait for: give its processing time.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
		res.Check = d.check(ctx, mails)
		if res.Check.NotProcessed == 0 || time.Now().After(deadline) {
			break
		}
	}
	if werr != nil {
		res.Check.note("%v", werr)
	}
	for _, p := range d.procs {
		p.Stop()
	}
	d.procs = nil
	fmt.Fprintf(o.Log, "bench: asynq no-op drain of %d tasks on the same Redis\n", o.NoopTasks)
	res.NoopPerSec, err = NoopDrain(ctx, d.redis.Addr, 1, o.NoopTasks, orDefault(o.Concurrency, 10))
	if err != nil {
		return res, err
	}
	return res, nil
}

func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func rateText(r float64) string {
	if r <= 0 {
		return "as fast as possible"
	}
	return fmt.Sprintf("%g/s", r)
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (d *desk) start(ctx context.Context) error {
	o := d.o
	var err error
	if d.sink, err = StartSink(); err != nil {
		return err
	}
	if d.redis, err = proc.StartRedis(ctx, filepath.Join(o.Dir, "redis"), proc.InMemory); err != nil {
		return err
	}
	if d.redisPID, err = redisPID(ctx, d.redis.Addr); err != nil {
		return err
	}
	if d.st, err = store.Open(ctx, o.DSN); err != nil {
		return err
	}
	fmt.Fprintf(o.Log, "bench: seeding accounts, contacts and orders for %d mails\n", o.Mails)
	if err := Seed(ctx, d.st, d.run+"w", 1); err != nil {
		return err
	}
	if err := Seed(ctx, d.st, d.run, o.Mails); err != nil {
		return err
	}
	cfg, err := deskConfig(proc.Services{RedisAddr: d.redis.Addr, DSN: o.DSN, SMTPAddr: d.sink.Addr(),
		IMAPAddr: o.IMAPAddr, IMAPUser: d.user, IMAPPassword: o.IMAPPassword}, o.Concurrency)
	if err != nil {
		return err
	}
	cfgPath := filepath.Join(o.Dir, "salesdesk.yaml")
	if err := cfg.Write(o.Bin, cfgPath); err != nil {
		return err
	}
	roles := []string{"run"}
	if o.Split || o.Workers > 1 || o.Pollers > 1 {
		roles = nil
		for range o.Workers {
			roles = append(roles, "worker")
		}
		for range o.Pollers {
			roles = append(roles, "poller")
		}
	}
	fmt.Fprintf(o.Log, "bench: starting %s\n", strings.Join(roles, ", "))
	for i, role := range roles {
		var extra []string
		if o.CPUProfile {
			extra = []string{"--cpuprofile", filepath.Join(o.Dir, fmt.Sprintf("cpu-%s-%d.pprof", role, i))}
		}
		p, err := proc.StartProcess(o.Bin, cfgPath, role, filepath.Join(o.Dir, fmt.Sprintf("%s-%d.log", role, i)), extra...)
		if err != nil {
			return err
		}
		d.procs = append(d.procs, p)
	}
	return nil
}

// partyCPU is the CPU time each party of the run has used so far, and
// the machine's busy time.
func (d *desk) partyCPU() PartyCPU {
	var c PartyCPU
	for _, p := range d.procs {
		if t, err := p.CPUTime(); err == nil {
			c.Salesdesk += t
		}
	}
	if snap, err := snapshotProcs(); err == nil {
		if d.o.DovecotPID > 0 {
			c.Dovecot = snap.treeCPU(d.o.DovecotPID)
		}
		if d.o.PostgresPID > 0 {
			c.Postgres = snap.treeCPU(d.o.PostgresPID)
		}
		if st, ok := snap[d.redisPID]; ok {
			c.Redis = proc.Ticks(st.UTime + st.STime)
		}
	}
	c.Bench, _ = proc.ProcessCPU(os.Getpid())
	c.Machine, _ = machineBusy()
	return c
}

// redisPID asks the Redis at addr for its process id.
func redisPID(ctx context.Context, addr string) (int, error) {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	info, err := c.Info(ctx, "server").Result()
	if err != nil {
		return 0, fmt.Errorf("redis info: %w", err)
	}
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(line, "process_id:"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("redis info: no process_id")
}

func (d *desk) close() {
	for _, p := range d.procs {
		p.Stop()
	}
	if d.st != nil {
		d.st.Close()
	}
	if d.redis != nil {
		d.redis.Kill()
	}
	if d.sink != nil {
		d.sink.Close()
	}
}

// appendAll appends the mails over AppendConns IMAP connections, mail n
// not before start + n/rate, and returns when each APPEND began.
func (d *desk) appendAll(ctx context.Context, mails []Mail, rate float64) ([]time.Time, error) {
	sent := make([]time.Time, len(mails))
	next := make(chan int)
	errs := make(chan error, d.o.AppendConns)
	var wg sync.WaitGroup
	for range min(d.o.AppendConns, len(mails)) {
		c, err := imapclient.DialInsecure(d.o.IMAPAddr, nil)
		if err != nil {
			return nil, fmt.Errorf("imap: %w", err)
		}
		defer c.Close()
		if err := c.Login(d.user, d.o.IMAPPassword).Wait(); err != nil {
			return nil, fmt.Errorf("imap login: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range next {
				now := time.Now()
				sent[n] = now
				raw := mails[n].Raw("sales@desk.bench.example", now)
				cmd := c.Append("INBOX", int64(len(raw)), nil)
				_, err := cmd.Write(raw)
				err = errors.Join(err, cmd.Close())
				if err == nil {
					_, err = cmd.Wait()
				}
				if err != nil {
					errs <- fmt.Errorf("append mail %d: %w", n, err)
					return
				}
			}
		}()
	}
	start := time.Now()
	var err error
feed:
	for n := range mails {
		if rate > 0 {
			if wait := time.Until(start.Add(time.Duration(float64(n) / rate * float64(time.Second)))); wait > 0 {
				time.Sleep(wait)
			}
		}
		select {
		case next <- n:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil && len(errs) > 0 {
		err = <-errs
	}
	return sent, err
}

// waitAnswers waits until every customer mail has an answer, or until no
// new answer came for settle, or a salesdesk process died.
func (d *desk) waitAnswers(ctx context.Context, mails []Mail, sent []time.Time, settle time.Duration) error {
	// Only the mails still unanswered are looked at, and only when the
	// sink took a mail since the last look: the benchmark's own CPU is
	// part of what the machine spends per mail.
	var pending []int
	for n, m := range mails {
		if m.Kind.Answered() {
			pending = append(pending, n)
		}
	}
	progress, seen := time.Now(), -1
	for tick := time.NewTicker(50 * time.Millisecond); ; {
		if total := d.sink.Total(); total != seen {
			left := len(pending)
			if pending, seen = slices.DeleteFunc(pending, func(n int) bool { return d.sink.Got(mails[n].From) }), total; len(pending) < left {
				progress = time.Now()
			}
		}
		if len(pending) == 0 {
			return nil
		}
		for _, p := range d.procs {
			if p.Exited() {
				return fmt.Errorf("salesdesk %s exited (see its log in %s)", p.Role, d.o.Dir)
			}
		}
		if time.Since(progress) > settle {
			return fmt.Errorf("%d customer mails unanswered after %v without progress", len(pending), settle)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// check counts what the desk did with each mail: answers at the sink,
// inbound rows in the database.
func (d *desk) check(ctx context.Context, mails []Mail) Check {
	var c Check
	for _, m := range mails {
		got := len(d.sink.Arrivals(m.From))
		if m.Kind.Answered() {
			c.Customer++
			switch {
			case got == 1:
				c.Answered++
			case got == 0:
				c.Missing++
				c.note("%s mail %s not answered", m.Kind, m.MessageID)
			default:
				c.Duplicated++
				c.note("%s mail %s answered %d times", m.Kind, m.MessageID, got)
			}
		} else {
			c.Automated++
			if got == 0 {
				c.Silent++
			} else {
				c.AnsweredAuto++
				c.note("%s mail %s answered %d times", m.Kind, m.MessageID, got)
			}
		}
		ids, err := d.st.InboundByMessageID(ctx, m.MessageID)
		switch {
		case err != nil:
			c.NotProcessed++
			c.note("inbound %s: %v", m.MessageID, err)
			continue
		case len(ids) == 0:
			c.NotProcessed++
			c.note("%s not stored", m.MessageID)
			continue
		case len(ids) > 1:
			c.StoredTwice++
			c.note("%s stored %d times", m.MessageID, len(ids))
		}
		in, err := d.st.InboundMessage(ctx, ids[0])
		if err != nil || in.Status != store.InboundProcessed {
			c.NotProcessed++
			c.note("%s not processed", m.MessageID)
		}
	}
	return c
}
