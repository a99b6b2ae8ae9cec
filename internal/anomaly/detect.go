package anomaly

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Alert kinds of the findings, one per detector.
const (
	KindComplaints     = "anomaly_complaints"      // one account complained again and again
	KindForeignSender  = "anomaly_foreign_sender"  // one sender asked about other accounts' orders
	KindForeignAccount = "anomaly_foreign_account" // strangers asked about one account's orders
	KindInboundSpike   = "anomaly_inbound_spike"   // far more inbound mail than usual
	KindBounceRate     = "anomaly_bounce_rate"     // too much of our mail bounced
	KindSenderFlood    = "anomaly_sender_flood"    // one address sent a flood of mail
)

// Severities of findings, as the alerts table spells them.
const (
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// Defaults of Config.
const (
	DefaultWindow               = 24 * time.Hour
	DefaultComplaintsPerAccount = 3
	DefaultForeignOrderLookups  = 2
	DefaultInboundSpikeFactor   = 3.0
	DefaultSpikeBaseline        = 7
	DefaultSpikeMinCount        = 20
	DefaultBounceRate           = 0.2
	DefaultBounceMinSample      = 20
	DefaultSenderFlood          = 20
)

// Config holds the window and the thresholds. A zero field takes its
// default; a negative threshold turns its detector off.
type Config struct {
	// Window is the span every count covers, ending at the scan (default
	// 24h). It is also the alert bucket: a finding raised again within
	// the same bucket counts one more occurrence on the same alert.
	Window time.Duration
	// ComplaintsPerAccount raises an alert for an account with at least
	// this many complaint inquiries in the window (default 3).
	ComplaintsPerAccount int
	// ForeignOrderLookups raises an alert for a sender who asked about (or
	// to change) at least this many orders of other accounts, and for an
	// account whose orders strangers asked about that often (default 2).
	ForeignOrderLookups int
	// InboundSpikeFactor raises an alert when the window's inbound mail is
	// at least this many times the average of the SpikeBaseline windows
	// before it (default 3).
	InboundSpikeFactor float64
	// SpikeBaseline is how many earlier windows make the average (default 7).
	SpikeBaseline int
	// SpikeMinCount is the least inbound mail in the window that can be a
	// spike, so that 2 mails after a quiet week are not one (default 20).
	SpikeMinCount int
	// BounceRate raises an alert when at least this share (0..1] of the
	// mail we sent in the window bounced (default 0.2).
	BounceRate float64
	// BounceMinSample is the least mail sent in the window before a rate
	// means anything (default 20).
	BounceMinSample int
	// SenderFlood raises an alert for an address that sent at least this
	// many mails in the window (default 20): people do not write that
	// often, auto-responders caught in a loop do.
	SenderFlood int
	// IgnoreSenders are addresses never counted as a flood, such as our
	// own monitoring. Compared without case.
	IgnoreSenders []string
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	if c.ComplaintsPerAccount == 0 {
		c.ComplaintsPerAccount = DefaultComplaintsPerAccount
	}
	if c.ForeignOrderLookups == 0 {
		c.ForeignOrderLookups = DefaultForeignOrderLookups
	}
	if c.InboundSpikeFactor == 0 {
		c.InboundSpikeFactor = DefaultInboundSpikeFactor
	}
	if c.SpikeBaseline <= 0 {
		c.SpikeBaseline = DefaultSpikeBaseline
	}
	if c.SpikeMinCount == 0 {
		c.SpikeMinCount = DefaultSpikeMinCount
	}
	if c.BounceRate == 0 {
		c.BounceRate = DefaultBounceRate
	}
	if c.BounceMinSample == 0 {
		c.BounceMinSample = DefaultBounceMinSample
	}
	if c.SenderFlood == 0 {
		c.SenderFlood = DefaultSenderFlood
	}
	return c
}

// Finding is one piece of unusual activity.
type Finding struct {
	Kind       string // one of the Kind constants
	Subject    string // what it is about, e.g. "customer:12", "sender:ann@x.example", "inbound"
	Severity   string // SeverityWarning or SeverityCritical
	Title      string // one line for a supervisor
	Detail     string // what was counted and against which threshold
	CustomerID int64  // the account concerned; 0 when none
	Count      int    // what was counted in the window
}

// DedupeKey names the finding within the window bucket that contains
// now: the same finding in the same bucket has the same key, so a repeated
// scan raises no second alert.
func (f Finding) DedupeKey(now time.Time, window time.Duration) string {
	return "anomaly:" + f.Kind + ":" + f.Subject + ":" + Bucket(now, window)
}

// Bucket names the window-long span that contains t, counted from the
// zero time in UTC, so a 24h window buckets by UTC day.
func Bucket(t time.Time, window time.Duration) string {
	if window <= 0 {
		window = DefaultWindow
	}
	return t.UTC().Truncate(window).Format("2006-01-02T15:04Z")
}

// Complaint is one complaint inquiry from an account.
type Complaint struct {
	CustomerID int64  // 0: the sender matched no account
	Customer   string // the account's name; "" when unknown
}

// ForeignLookup is one time a sender asked about, or asked to change, an
// order of an account they are not a contact of.
type ForeignLookup struct {
	Sender     string
	CustomerID int64  // the order's account
	Customer   string // its name; "" when unknown
	OrderID    int64
}

// accountName names an account for a supervisor: its name, or "account
// #ID" when the name is unknown.
func accountName(id int64, name string) string {
	if name = strings.TrimSpace(name); name != "" {
		return name
	}
	return fmt.Sprintf("account #%d", id)
}

// Activity is what the detectors look at: the counts of one window.
type Activity struct {
	Window         time.Duration
	End            time.Time // the scan time; the window is [End-Window, End)
	Complaints     []Complaint
	ForeignLookups []ForeignLookup
	// Inbound is the mail received in the window; InboundBefore the mail
	// received in each of the windows before it, the latest first.
	Inbound       int
	InboundBefore []int
	// InboundBySender counts the window's inbound mail per sender address.
	InboundBySender map[string]int
	// Sent is our mail sent in the window (bounced or not); Bounced the
	// part of it that bounced.
	Sent, Bounced int
}

// Detect runs every detector over a and returns the findings in a stable
// order.
func Detect(a Activity, c Config) []Finding {
	c = c.WithDefaults()
	var out []Finding
	out = append(out, Complaints(a.Complaints, c.ComplaintsPerAccount)...)
	out = append(out, ForeignLookups(a.ForeignLookups, c.ForeignOrderLookups)...)
	if f, ok := InboundSpike(a.Inbound, a.InboundBefore, c.InboundSpikeFactor, c.SpikeMinCount); ok {
		out = append(out, f)
	}
	if f, ok := BounceRate(a.Sent, a.Bounced, c.BounceRate, c.BounceMinSample); ok {
		out = append(out, f)
	}
	out = append(out, SenderFlood(a.InboundBySender, c.SenderFlood, c.IgnoreSenders)...)
	return out
}

// Complaints finds the accounts with at least limit complaints. Senders
// without an account are not counted: they are no account to watch.
func Complaints(cs []Complaint, limit int) []Finding {
	if limit <= 0 {
		return nil
	}
	per := map[int64]int{}
	names := map[int64]string{}
	for _, c := range cs {
		if c.CustomerID != 0 {
			per[c.CustomerID]++
			names[c.CustomerID] = cmp.Or(names[c.CustomerID], c.Customer)
		}
	}
	var out []Finding
	for _, id := range slices.Sorted(maps.Keys(per)) {
		n := per[id]
		if n < limit {
			continue
		}
		out = append(out, Finding{
			Kind:       KindComplaints,
			Subject:    fmt.Sprintf("customer:%d", id),
			Severity:   SeverityWarning,
			Title:      fmt.Sprintf("%s complained %d times", accountName(id, names[id]), n),
			Detail:     fmt.Sprintf("%d complaint inquiries from %s in the window (alert at %d).", n, accountName(id, names[id]), limit),
			CustomerID: id,
			Count:      n,
		})
	}
	return out
}

// ForeignLookups finds the senders who asked about at least limit orders
// of other accounts, and the accounts whose orders strangers asked about
// at least limit times: the first looks like someone fishing, the second
// like someone targeting a customer.
func ForeignLookups(ls []ForeignLookup, limit int) []Finding {
	if limit <= 0 {
		return nil
	}
	bySender := map[string]int{}
	byAccount := map[int64]int{}
	senders := map[int64]map[string]bool{}
	names := map[int64]string{}
	for _, l := range ls {
		names[l.CustomerID] = cmp.Or(names[l.CustomerID], l.Customer)
		sender := strings.ToLower(strings.TrimSpace(l.Sender))
		if sender != "" {
			bySender[sender]++
		}
		if l.CustomerID != 0 {
			byAccount[l.CustomerID]++
			if senders[l.CustomerID] == nil {
				senders[l.CustomerID] = map[string]bool{}
			}
			senders[l.CustomerID][sender] = true
		}
	}
	var out []Finding
	for _, s := range slices.Sorted(maps.Keys(bySender)) {
		n := bySender[s]
		if n < limit {
			continue
		}
		out = append(out, Finding{
			Kind:     KindForeignSender,
			Subject:  "sender:" + s,
			Severity: SeverityCritical,
			Title:    fmt.Sprintf("%s asked about %d orders of other accounts", s, n),
			Detail:   fmt.Sprintf("%s named orders of accounts they are no contact of %d times in the window (alert at %d). Each got a neutral answer.", s, n, limit),
			Count:    n,
		})
	}
	for _, id := range slices.Sorted(maps.Keys(byAccount)) {
		n := byAccount[id]
		if n < limit {
			continue
		}
		out = append(out, Finding{
			Kind:       KindForeignAccount,
			Subject:    fmt.Sprintf("customer:%d", id),
			Severity:   SeverityCritical,
			Title:      fmt.Sprintf("Strangers asked about orders of %s %d times", accountName(id, names[id]), n),
			Detail:     fmt.Sprintf("%d lookups of %s's orders by %d addresses not on the account in the window (alert at %d).", n, accountName(id, names[id]), len(senders[id]), limit),
			CustomerID: id,
			Count:      n,
		})
	}
	return out
}

// InboundSpike reports whether current is a spike: at least minCount and
// at least factor times the average of previous. With no history, or a
// quiet one, the average is taken as at least 1, so a sudden flood after
// silence still counts once it reaches minCount; the finding then says
// there was nothing to compare with instead of a ratio against zero.
func InboundSpike(current int, previous []int, factor float64, minCount int) (Finding, bool) {
	if factor <= 0 || minCount < 0 || current < minCount || current == 0 {
		return Finding{}, false
	}
	var sum int
	for _, n := range previous {
		sum += n
	}
	avg := 1.0
	if len(previous) > 0 {
		avg = max(avg, float64(sum)/float64(len(previous)))
	}
	ratio := float64(current) / avg
	if ratio < factor {
		return Finding{}, false
	}
	f := Finding{Kind: KindInboundSpike, Subject: "inbound", Severity: SeverityWarning, Count: current}
	if sum == 0 {
		f.Title = fmt.Sprintf("Inbound mail spike: %d mails, no earlier data", current)
		f.Detail = fmt.Sprintf("%d mails in the window and none in the %d windows before, so there is no usual level to compare with (alert from %d mails).",
			current, len(previous), minCount)
		return f, true
	}
	mean := float64(sum) / float64(len(previous))
	f.Title = fmt.Sprintf("Inbound mail spike: %d mails, %.1f times the usual %.1f", current, ratio, mean)
	f.Detail = fmt.Sprintf("%d mails in the window against an average of %.1f over the %d windows before (alert at %.1f times, from %d mails).",
		current, mean, len(previous), factor, minCount)
	return f, true
}

// BounceRate reports whether bounced out of sent reaches rate, once at
// least minSample mails were sent.
func BounceRate(sent, bounced int, rate float64, minSample int) (Finding, bool) {
	if rate <= 0 || minSample < 0 || sent == 0 || sent < minSample {
		return Finding{}, false
	}
	got := float64(bounced) / float64(sent)
	if got < rate {
		return Finding{}, false
	}
	return Finding{
		Kind:     KindBounceRate,
		Subject:  "outbound",
		Severity: SeverityWarning,
		Title:    fmt.Sprintf("%.0f%% of our mail bounced", got*100),
		Detail:   fmt.Sprintf("%d of %d mails sent in the window bounced (alert at %.0f%%, from %d mails).", bounced, sent, rate*100, minSample),
		Count:    bounced,
	}, true
}

// SenderFlood finds the addresses that sent at least limit mails, except
// those in ignore.
func SenderFlood(bySender map[string]int, limit int, ignore []string) []Finding {
	if limit <= 0 {
		return nil
	}
	skip := map[string]bool{}
	for _, s := range ignore {
		skip[strings.ToLower(strings.TrimSpace(s))] = true
	}
	per := map[string]int{}
	for s, n := range bySender {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && !skip[s] {
			per[s] += n
		}
	}
	var out []Finding
	for _, s := range slices.SortedFunc(maps.Keys(per), func(a, b string) int {
		return cmp.Or(cmp.Compare(per[b], per[a]), cmp.Compare(a, b))
	}) {
		n := per[s]
		if n < limit {
			continue
		}
		out = append(out, Finding{
			Kind:     KindSenderFlood,
			Subject:  "sender:" + s,
			Severity: SeverityCritical,
			Title:    fmt.Sprintf("%s sent %d mails", s, n),
			Detail:   fmt.Sprintf("%s sent %d mails to the inbox in the window (alert at %d): likely an auto-responder in a loop or a script.", s, n, limit),
			Count:    n,
		})
	}
	return out
}
