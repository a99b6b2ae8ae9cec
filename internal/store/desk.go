package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Roles of the people behind rep records on the desk.
const (
	RoleRep     = "rep"     // their own leads, inquiries and accounts
	RoleManager = "manager" // the whole team
	RoleAdmin   = "admin"   // the whole team and the operations queues
)

// AlertAcknowledged is an alert someone has seen and is working on; it
// stays on the open list until it is closed.
const AlertAcknowledged = "acknowledged"

// RepRole returns the desk role of a rep, or ErrNotFound.
func (s *Store) RepRole(ctx context.Context, repID int64) (string, error) {
	var role string
	err := s.db.QueryRowContext(ctx, s.rebind("SELECT role FROM reps WHERE id = ?"), repID).Scan(&role)
	if err != nil {
		return "", fmt.Errorf("store: rep %d role: %w", repID, notFound(err))
	}
	return role, nil
}

// SetRepRole sets the desk role of the rep with the given address, or
// returns ErrNotFound.
func (s *Store) SetRepRole(ctx context.Context, email, role string) error {
	res, err := s.db.ExecContext(ctx, s.rebind("UPDATE reps SET role = ?, updated_at = ? WHERE email = ?"),
		role, s.ts(s.nowUTC()), normEmail(email))
	return s.checkUpdated(res, err, "set role of rep", 0)
}

// SignIn is a pending magic sign-in link.
type SignIn struct {
	RepID     int64
	Next      string // the desk path to open after signing in
	ExpiresAt time.Time
}

// CreateSignIn stores a sign-in link by the SHA-256 of its token.
func (s *Store) CreateSignIn(ctx context.Context, tokenHash string, repID int64, next string, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO desk_sign_ins (token_hash, rep_id, next_path, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`), tokenHash, repID, next, s.ts(s.nowUTC()), s.ts(expires))
	if err != nil {
		return fmt.Errorf("store: create sign-in: %w", err)
	}
	return nil
}

// SignInsSince counts the sign-in links made for a rep at or after since.
func (s *Store) SignInsSince(ctx context.Context, repID int64, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.rebind("SELECT COUNT(*) FROM desk_sign_ins WHERE rep_id = ? AND created_at >= ?"),
		repID, s.ts(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count sign-ins: %w", err)
	}
	return n, nil
}

// PendingSignIn returns the unused, unexpired sign-in link with the token
// hash, or ErrNotFound.
func (s *Store) PendingSignIn(ctx context.Context, tokenHash string, now time.Time) (*SignIn, error) {
	var si SignIn
	err := s.db.QueryRowContext(ctx, s.rebind(`SELECT rep_id, next_path, expires_at FROM desk_sign_ins
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`), tokenHash, s.ts(now)).
		Scan(&si.RepID, &si.Next, tcol(&si.ExpiresAt))
	if err != nil {
		return nil, fmt.Errorf("store: sign-in: %w", notFound(err))
	}
	return &si, nil
}

// UseSignIn marks a pending sign-in link used and returns it; a link that
// is unknown, used or expired is ErrNotFound. Of two concurrent calls one
// wins.
func (s *Store) UseSignIn(ctx context.Context, tokenHash string, now time.Time) (*SignIn, error) {
	si, err := s.PendingSignIn(ctx, tokenHash, now)
	if err != nil {
		return nil, err
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`UPDATE desk_sign_ins SET used_at = ?
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`), s.ts(now), tokenHash, s.ts(now))
	if err := s.checkUpdated(res, err, "use sign-in", 0); err != nil {
		return nil, err
	}
	return si, nil
}

// DeskAlert is an alert with who acknowledged it.
type DeskAlert struct {
	Alert
	AcknowledgedAt time.Time
	AcknowledgedBy string
}

// ListDeskAlerts returns alerts matching f, newest first; Status "active"
// means open or acknowledged.
func (s *Store) ListDeskAlerts(ctx context.Context, f AlertFilter) ([]DeskAlert, error) {
	ctx = asReport(ctx)
	var w where
	switch f.Status {
	case "":
	case "active":
		w.add("status IN (?, ?)", AlertOpen, AlertAcknowledged)
	default:
		w.add("status = ?", f.Status)
	}
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	if f.ID != 0 {
		w.add("id = ?", f.ID)
	}
	s.timeRange(&w, "created_at", f.Since, time.Time{})
	clause, args := w.paged("created_at DESC, id DESC", f.Limit, f.Offset)
	out, err := queryAll(ctx, s, func(r row) (*DeskAlert, error) {
		var a DeskAlert
		err := r.Scan(&a.ID, &a.DedupeKey, &a.Kind, &a.Severity, &a.Subject, &a.Detail, icol(&a.CustomerID), &a.Status,
			&a.Occurrences, tcol(&a.CreatedAt), tcol(&a.LastSeenAt), tcol(&a.ClosedAt), scol(&a.DigestKey),
			tcol(&a.AcknowledgedAt), &a.AcknowledgedBy)
		return &a, err
	}, "SELECT "+alertColumns+", acknowledged_at, acknowledged_by FROM alerts"+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list desk alerts: %w", err)
	}
	return out, nil
}

// AlertKinds returns the kinds of alert ever raised, sorted.
func (s *Store) AlertKinds(ctx context.Context) ([]string, error) {
	ctx = asReport(ctx)
	var kinds []string
	err := readAll(ctx, s, "alert kinds", &kinds, func(k *string) []any { return []any{k} },
		"SELECT DISTINCT kind FROM alerts ORDER BY kind")
	return kinds, err
}

// AcknowledgeAlert marks an open alert acknowledged by a person; an
// acknowledged or closed alert is left as it is. Unknown ids are
// ErrNotFound.
func (s *Store) AcknowledgeAlert(ctx context.Context, id int64, by string) error {
	if _, err := s.Alert(ctx, id); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.rebind(`UPDATE alerts SET status = ?, acknowledged_at = ?, acknowledged_by = ?
		WHERE id = ? AND status = ?`), AlertAcknowledged, s.ts(s.nowUTC()), by, id, AlertOpen)
	if err != nil {
		return fmt.Errorf("store: acknowledge alert %d: %w", id, err)
	}
	return nil
}

// ThreadMail is one mail of an inquiry thread, in or out.
type ThreadMail struct {
	Outbound  bool
	ID        int64 // inbound_messages.id or outbound_emails.id
	InquiryID int64
	From      string
	To        string // addresses, one a line
	Subject   string
	Text      string
	At        time.Time
	Status    string // outbound: queued, sent, failed, bounced
}

// ThreadMails returns every stored mail of the thread that starts at
// threadID (inbound and outbound), oldest first.
func (s *Store) ThreadMails(ctx context.Context, threadID int64) ([]ThreadMail, error) {
	ctx = asReport(ctx)
	var in, out []ThreadMail
	// The thread's inquiries first: with the OR on the join, SQLite's
	// planner (after ANALYZE) read every stored mail instead.
	err := readAll(ctx, s, "thread inbound", &in, func(m *ThreadMail) []any {
		return []any{&m.ID, &m.InquiryID, &m.From, &m.To, &m.Subject, &m.Text, tcol(&m.At)}
	}, `SELECT m.id, q.id, m.from_addr, m.to_addrs, m.subject, m.body_text, COALESCE(m.sent_at, m.received_at, m.created_at)
		FROM inquiries q JOIN inbound_messages m ON m.id = q.inbound_message_id
		WHERE q.id IN (SELECT id FROM inquiries WHERE thread_id = ? OR id = ?)`, threadID, threadID)
	if err != nil {
		return nil, err
	}
	err = readAll(ctx, s, "thread outbound", &out, func(m *ThreadMail) []any {
		m.Outbound = true
		return []any{&m.ID, &m.InquiryID, &m.From, &m.To, &m.Subject, &m.Text, tcol(&m.At), &m.Status}
	}, `SELECT o.id, o.inquiry_id, o.from_addr, o.to_addrs, o.subject, o.body_text, COALESCE(o.sent_at, o.created_at), o.status
		FROM outbound_emails o WHERE o.inquiry_id IN (SELECT id FROM inquiries WHERE thread_id = ? OR id = ?)`, threadID, threadID)
	if err != nil {
		return nil, err
	}
	all := append(in, out...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].At.Before(all[j].At) })
	return all, nil
}

// OwnerInquiries returns the open inquiries on accounts the rep owns (their
// hand-offs), newest first.
func (s *Store) OwnerInquiries(ctx context.Context, repID int64, limit int) ([]Inquiry, error) {
	ctx = asReport(ctx)
	limit, _ = page(limit, 0)
	out, err := queryAll(ctx, s, scanInquiry, "SELECT "+inquiryColumns+` FROM inquiries
		WHERE customer_id IN (SELECT id FROM customers WHERE owner_rep_id = ?) AND closed_at IS NULL
		ORDER BY created_at DESC, id DESC LIMIT ?`, repID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: owner inquiries: %w", err)
	}
	return out, nil
}

// AccountLeads returns an account's leads, newest first.
func (s *Store) AccountLeads(ctx context.Context, customerID int64, limit int) ([]Lead, error) {
	ctx = asReport(ctx)
	limit, _ = page(limit, 0)
	out, err := queryAll(ctx, s, scanLead, "SELECT "+leadColumns+` FROM leads WHERE customer_id = ?
		ORDER BY created_at DESC, id DESC LIMIT ?`, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: account leads: %w", err)
	}
	return out, nil
}

// LeadMeetings returns the meetings of the given leads, by start time.
func (s *Store) LeadMeetings(ctx context.Context, leadIDs []int64) ([]Meeting, error) {
	ctx = asReport(ctx)
	if len(leadIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(leadIDs))
	for i, id := range leadIDs {
		args[i] = id
	}
	out, err := queryAll(ctx, s, scanMeeting, "SELECT "+meetingColumns+" FROM meetings WHERE lead_id IN (?"+
		strings.Repeat(", ?", len(leadIDs)-1)+") ORDER BY starts_at, id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: lead meetings: %w", err)
	}
	return out, nil
}

// RepLoad is one rep's line on the team view.
type RepLoad struct {
	Rep       Rep
	Role      string
	Assigned  int // open, not yet contacted
	Overdue   int // assigned before the SLA cut-off and still not contacted
	Contacted int
	Won       int // closed won since the given time
	Lost      int
	WonCents  int64
}

// TeamLoad returns every rep's open leads and recent results: overdue
// counts leads assigned before overdueBefore and not contacted; won and
// lost count leads closed at or after since.
func (s *Store) TeamLoad(ctx context.Context, overdueBefore, since time.Time) ([]RepLoad, error) {
	ctx = asReport(ctx)
	reps, err := s.ListReps(ctx, false)
	if err != nil {
		return nil, err
	}
	type count struct {
		rep        int64
		status     string
		overdue, n int
		valueCents int64
	}
	var counts []count
	err = readAll(ctx, s, "team load", &counts, func(c *count) []any {
		return []any{&c.rep, &c.status, &c.n, &c.overdue, &c.valueCents}
	}, // Two reads, each on its status index: one OR over both, or
		// grouping by rep first, made the planner read every lead
		// through (rep_id, status) (issue 17, 200,000 leads: 1 s).
		`SELECT rep_id, status, COUNT(*),
			SUM(CASE WHEN status = ? AND assigned_at < ? THEN 1 ELSE 0 END), COALESCE(SUM(value_cents), 0)
		FROM leads WHERE status IN (?, ?) AND rep_id IS NOT NULL
		GROUP BY status, rep_id
		UNION ALL
		SELECT rep_id, status, COUNT(*), 0, COALESCE(SUM(value_cents), 0)
		FROM leads WHERE status IN (?, ?) AND closed_at >= ? AND rep_id IS NOT NULL
		GROUP BY status, rep_id`,
		LeadAssigned, s.ts(overdueBefore), LeadAssigned, LeadContacted, LeadWon, LeadLost, s.ts(since))
	if err != nil {
		return nil, err
	}
	var roles []struct {
		id   int64
		role string
	}
	if err := readAll(ctx, s, "rep roles", &roles, func(r *struct {
		id   int64
		role string
	}) []any {
		return []any{&r.id, &r.role}
	}, "SELECT id, role FROM reps"); err != nil {
		return nil, err
	}
	byRep := make(map[int64]*RepLoad, len(reps))
	out := make([]RepLoad, len(reps))
	for i, r := range reps {
		out[i].Rep = r
		byRep[r.ID] = &out[i]
	}
	for _, r := range roles {
		if l := byRep[r.id]; l != nil {
			l.Role = r.role
		}
	}
	for _, c := range counts {
		l := byRep[c.rep]
		if l == nil {
			continue
		}
		switch c.status {
		case LeadAssigned:
			l.Assigned, l.Overdue = c.n, c.overdue
		case LeadContacted:
			l.Contacted = c.n
		case LeadWon:
			l.Won, l.WonCents = c.n, c.valueCents
		case LeadLost:
			l.Lost = c.n
		}
	}
	return out, nil
}

// SearchHit is one result of a desk search.
type SearchHit struct {
	Kind    string // "inquiry", "customer", "order", "lead"
	ID      int64
	Title   string
	Detail  string
	At      time.Time
	Reason  string // what matched: "reference", "address", "name", "order number", "words"
	Related int64  // inquiry: its thread; order: its customer
}

var referencePattern = regexp.MustCompile(`(?i)^SD-\d+$`)

// Search finds inquiries by reference (SD-n) and by sender address or
// words in their mail (theirs or ours), accounts by name, contact address or domain, orders
// by number and leads by contact address. It returns at most limit hits
// of each kind.
func (s *Store) Search(ctx context.Context, q string, limit int) ([]SearchHit, error) {
	ctx = asReport(ctx)
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	limit, _ = page(limit, 0)
	var hits []SearchHit
	add := func(what string, fields func(h *SearchHit) []any, query string, args ...any) error {
		var found []SearchHit
		if err := readAll(ctx, s, "search "+what, &found, fields, query, args...); err != nil {
			return err
		}
		hits = append(hits, found...)
		return nil
	}
	inquiry := func(reason string) func(h *SearchHit) []any {
		return func(h *SearchHit) []any {
			h.Kind, h.Reason = "inquiry", reason
			return []any{&h.ID, &h.Title, &h.Detail, tcol(&h.At), icol(&h.Related)}
		}
	}
	const inquiryHit = "SELECT q.id, COALESCE(q.reference, '') || ' ' || q.subject, q.contact_email, q.created_at, q.thread_id FROM inquiries q "
	if referencePattern.MatchString(q) {
		if err := add("reference", inquiry("reference"), inquiryHit+"WHERE q.reference = ?", strings.ToUpper(q)); err != nil {
			return nil, err
		}
	}
	if strings.Contains(q, "@") {
		addr := normEmail(q)
		if err := add("address", inquiry("address"), inquiryHit+"WHERE q.contact_email = ? ORDER BY q.created_at DESC LIMIT ?", addr, limit); err != nil {
			return nil, err
		}
		if err := add("lead address", func(h *SearchHit) []any {
			h.Kind, h.Reason = "lead", "address"
			return []any{&h.ID, &h.Title, &h.Detail, tcol(&h.At)}
		}, "SELECT id, summary, contact_email, created_at FROM leads WHERE contact_email = ? ORDER BY created_at DESC LIMIT ?", addr, limit); err != nil {
			return nil, err
		}
	}
	like := "%" + likeEscaper.Replace(strings.ToLower(q)) + "%"
	if err := add("customer", func(h *SearchHit) []any {
		h.Kind, h.Reason = "customer", "name"
		return []any{&h.ID, &h.Title, &h.Detail, tcol(&h.At)}
	}, `SELECT id, name, domain, created_at FROM customers
		WHERE lower(name) LIKE ? ESCAPE '\' OR domain = ?
			OR id IN (SELECT customer_id FROM contacts WHERE email = ?)
		ORDER BY name LIMIT ?`, like, strings.ToLower(q), normEmail(q), limit); err != nil {
		return nil, err
	}
	if err := add("order", func(h *SearchHit) []any {
		h.Kind, h.Reason = "order", "order number"
		return []any{&h.ID, &h.Title, &h.Detail, tcol(&h.At), &h.Related}
	}, "SELECT id, number, status, created_at, customer_id FROM orders WHERE upper(number) = ? LIMIT ?", strings.ToUpper(q), limit); err != nil {
		return nil, err
	}
	// Words: every word must appear, as a whole word, in the subject or
	// text of the mail, read from the full-text index (migration 0016).
	// A query that already found its reference, address or order number
	// exactly stops here.
	if len(hits) > 0 && (referencePattern.MatchString(q) || strings.Contains(q, "@") || hits[len(hits)-1].Kind == "order") {
		return dedupeHits(hits), nil
	}
	// Our own mails about an inquiry count as its mail too.
	if in, inArgs := s.wordsMatch(q, "m", "inbound_search"); in != "" {
		// The worker fills the word indexes every few seconds; what came
		// since is indexed first, so that a search finds every mail.
		if _, err := s.IndexSearch(ctx, true); err != nil {
			return nil, err
		}
		out, outArgs := s.wordsMatch(q, "o", "outbound_search")
		// Each side keeps only its newest limit inquiries: the newest of
		// the union are among them, and a common word no longer joins
		// every mail it is in (PostgreSQL, 4,600 of 25,000 mails: 234 ms
		// before, 3-21 ms after). On the answers, "+ 0" keeps
		// PostgreSQL's planner from walking the id index backwards for
		// early matches, which read all 500,000 answers for a word in
		// none (443 ms); on the mail that walk is what makes a common
		// word fast, and a rare one is read from the word index first.
		if err := add("words", inquiry("words"), inquiryHit+`WHERE q.id IN (
				SELECT id FROM (SELECT q2.id FROM inquiries q2 JOIN inbound_messages m ON m.id = q2.inbound_message_id
					WHERE `+in+` ORDER BY q2.id DESC LIMIT ?) mail_hits
				UNION SELECT inquiry_id FROM (SELECT o.inquiry_id FROM outbound_emails o
					WHERE o.inquiry_id IS NOT NULL AND `+out+` ORDER BY o.inquiry_id + 0 DESC LIMIT ?) answer_hits)
			ORDER BY q.id DESC LIMIT ?`, slices.Concat(inArgs, []any{limit}, outArgs, []any{limit, limit})...); err != nil {
			return nil, err
		}
	}
	return dedupeHits(hits), nil
}

// likeEscaper escapes LIKE's wildcards in a user's words.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// dedupeHits keeps the first hit of each kind and id.
func dedupeHits(hits []SearchHit) []SearchHit {
	seen := make(map[string]bool, len(hits))
	out := hits[:0]
	for _, h := range hits {
		k := fmt.Sprintf("%s/%d", h.Kind, h.ID)
		if !seen[k] {
			seen[k] = true
			out = append(out, h)
		}
	}
	return out
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
