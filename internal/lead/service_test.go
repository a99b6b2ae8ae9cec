package lead

import (
	"errors"
	"slices"
	"testing"
	"time"

	"salesdesk/internal/assign"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

func TestRouteAssignsOnceAndPools(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		b := setup(t, d, Options{})
		ann := b.rep(t, "ann@desk.test", func(r *store.Rep) { r.Capacity = 1 })
		l1 := b.lead(t, "a@one.test")
		l2 := b.lead(t, "b@two.test")

		o, err := b.svc.Assign(b.ctx, l1.ID, 1, "test")
		if err != nil {
			t.Fatal(err)
		}
		if !o.Assigned || o.Lead.RepID != ann.ID || o.Round != 1 {
			t.Fatalf("first lead: %+v", o)
		}
		// The same round again is a re-notification, not a new assignment.
		again, err := b.svc.Assign(b.ctx, l1.ID, 1, "retry")
		if err != nil || !again.Assigned || again.Round != 1 {
			t.Fatalf("repeat: %+v, %v", again, err)
		}
		if got := b.kinds(t, l1.ID); !slices.Equal(got, []string{"created", "assigned"}) {
			t.Errorf("history = %v", got)
		}

		// Ann is full: the second lead waits in the pool, recorded once.
		o2, err := b.svc.Assign(b.ctx, l2.ID, 1, "test")
		if err != nil || !o2.Pooled || o2.Lead.RepID != 0 {
			t.Fatalf("second lead: %+v, %v", o2, err)
		}
		if _, err := b.svc.Assign(b.ctx, l2.ID, 1, "retry"); err != nil {
			t.Fatal(err)
		}
		if got := b.kinds(t, l2.ID); !slices.Equal(got, []string{"created", EventPooled}) {
			t.Errorf("pooled history = %v", got)
		}

		// Closing the first frees capacity: the pool lead is placed at once
		// and its round-2 lead:assign is enqueued to tell Ann.
		if err := b.svc.SetStatus(b.ctx, l1.ID, store.LeadWon, 125000, ""); err != nil {
			t.Fatal(err)
		}
		if l := b.reload(t, l2.ID); l.RepID != ann.ID || l.Status != store.LeadAssigned {
			t.Fatalf("pool lead after capacity freed: rep %d status %s", l.RepID, l.Status)
		}
		if got := b.sink.assigns(t); len(got) != 1 || got[0].LeadID != l2.ID || got[0].Attempt != 2 {
			t.Fatalf("enqueued = %+v, want lead:assign for lead %d round 2", got, l2.ID)
		}
		n, err := b.svc.Assign(b.ctx, l2.ID, 2, "from the pool")
		if err != nil || !n.Assigned || n.Round != 2 {
			t.Errorf("round 2 route: %+v, %v", n, err)
		}
		if s, err := b.svc.Assign(b.ctx, l2.ID, 1, "old"); err != nil || !s.Stale {
			t.Errorf("old round: %+v, %v", s, err)
		}
	})
}

func TestPoolWaitsForAnEligibleRep(t *testing.T) {
	b := setup(t, store.SQLite, Options{})
	ooo := b.rep(t, "away@desk.test", func(r *store.Rep) { r.OutOfOfficeUntil = monday10.Add(48 * time.Hour) })
	off := b.rep(t, "off@desk.test", func(r *store.Rep) { r.Active = false })
	l := b.lead(t, "x@acme.test")
	if o, _ := b.svc.Assign(b.ctx, l.ID, 1, ""); !o.Pooled {
		t.Fatalf("want pool, got %+v", o)
	}
	// A scan while nobody is back changes nothing.
	if res, err := b.svc.Scan(b.ctx); err != nil || res.FromPool != 0 {
		t.Fatalf("scan: %+v, %v", res, err)
	}
	// The inactive rep comes back: the next scan places the lead.
	off.Active = true
	if err := b.st.UpdateRep(b.ctx, off); err != nil {
		t.Fatal(err)
	}
	if res, err := b.svc.Scan(b.ctx); err != nil || res.FromPool != 1 {
		t.Fatalf("scan: %+v, %v", res, err)
	}
	if got := b.reload(t, l.ID); got.RepID != off.ID {
		t.Errorf("rep = %d, want %d (%d is out of office)", got.RepID, off.ID, ooo.ID)
	}
}

func TestOwnerStickiness(t *testing.T) {
	b := setup(t, store.SQLite, Options{Assign: assign.Config{OwnerSticky: true}})
	b.rep(t, "ann@desk.test")
	bob := b.rep(t, "bob@desk.test")
	c := &store.Customer{Name: "Acme", Domain: "acme.test", OwnerRepID: bob.ID}
	if _, err := b.st.CreateCustomer(b.ctx, c); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		l := b.lead(t, "p"+string(rune('a'+i))+"@acme.test", func(l *store.Lead) { l.CustomerID = c.ID })
		o, err := b.svc.Assign(b.ctx, l.ID, 1, "")
		if err != nil || o.Lead.RepID != bob.ID || o.Decision.Why != "owner" {
			t.Fatalf("lead %d: %+v, %v", i, o, err)
		}
	}
}

func TestDedupe(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		b := setup(t, d, Options{DedupeWindow: 30 * 24 * time.Hour, FreeMailDomains: []string{"gmail.com"}})
		first, err := b.svc.Submit(b.ctx, &store.Lead{ContactEmail: "Ann@Acme.test", Source: "api", ExternalID: "f1"})
		if err != nil || first.MergedInto != 0 {
			t.Fatalf("first: %+v, %v", first, err)
		}
		tests := []struct {
			name       string
			email      string
			external   string
			advance    time.Duration
			wantMerged bool
		}{
			{"same contact", "ann@acme.test", "f2", time.Hour, true},
			{"same company domain", "bob@acme.test", "f3", time.Hour, true},
			{"free mail is not a company", "carl@gmail.com", "f4", 0, false},
			{"another gmail user", "dora@gmail.com", "f5", 0, false},
			{"same gmail user", "carl@gmail.com", "f6", 0, true},
			{"other company", "eve@other.test", "f7", 0, false},
			{"outside the window", "ann@acme.test", "f8", 31 * 24 * time.Hour, false},
		}
		for _, tt := range tests {
			b.clock.Add(tt.advance)
			c, err := b.svc.Submit(b.ctx, &store.Lead{ContactEmail: tt.email, Source: "api", ExternalID: tt.external})
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if (c.MergedInto != 0) != tt.wantMerged {
				t.Errorf("%s: merged into %d, want merged=%v", tt.name, c.MergedInto, tt.wantMerged)
			}
			if tt.wantMerged && c.Lead.Status != store.LeadMerged {
				t.Errorf("%s: status %s", tt.name, c.Lead.Status)
			}
		}
		// The first lead's history shows both merges.
		if got := b.kinds(t, first.Lead.ID); !slices.Equal(got, []string{"created", "merged", "merged"}) {
			t.Errorf("first lead history = %v", got)
		}
		// Submitting the same external id again changes nothing.
		again, err := b.svc.Submit(b.ctx, &store.Lead{ContactEmail: "bob@acme.test", Source: "api", ExternalID: "f3"})
		if err != nil || again.New || again.MergedInto != 0 {
			t.Errorf("repeat: %+v, %v", again, err)
		}
		if got := b.kinds(t, first.Lead.ID); len(got) != 3 {
			t.Errorf("repeat added events: %v", got)
		}
		// Only standalone leads were sent to assignment.
		var ids []int64
		for _, p := range b.sink.assigns(t) {
			ids = append(ids, p.LeadID)
		}
		if len(ids) != 5 {
			t.Errorf("lead:assign for %v, want the 5 standalone leads", ids)
		}
	})
}

func TestOnLeadCreated(t *testing.T) {
	b := setup(t, store.SQLite, Options{DedupeWindow: time.Hour})
	a := b.lead(t, "x@acme.test", func(l *store.Lead) { l.Domain = "acme.test" })
	if err := b.svc.OnLeadCreated(b.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	dup := b.lead(t, "y@acme.test", func(l *store.Lead) { l.Domain = "acme.test" })
	if err := b.svc.OnLeadCreated(b.ctx, dup.ID); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.OnLeadCreated(b.ctx, dup.ID); err != nil {
		t.Fatal(err)
	}
	if got := b.reload(t, dup.ID).Status; got != store.LeadMerged {
		t.Errorf("duplicate status = %s", got)
	}
	if got := b.sink.assigns(t); len(got) != 1 || got[0].LeadID != a.ID || got[0].Attempt != 1 {
		t.Errorf("enqueued %+v", got)
	}
}

func TestSLA(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		b := setup(t, d, Options{SLAContact: 2 * time.Hour, SLAReassign: 4 * time.Hour,
			Assign: assign.Config{RespectWorkingHours: true}})
		berlin := func(r *store.Rep) { r.Timezone, r.WorkingHours = "Europe/Berlin", "mon-fri 09:00-17:00" }
		ann := b.rep(t, "ann@desk.test", berlin)
		// Monday 15:30 UTC = 16:30 in Berlin: half an hour of Ann's day left.
		b.clock.Set(time.Date(2024, 1, 15, 15, 30, 0, 0, time.UTC))
		l := b.lead(t, "c@cust.test")
		o, err := b.svc.Assign(b.ctx, l.ID, 1, "")
		if err != nil || o.Lead.RepID != ann.ID {
			t.Fatalf("route: %+v, %v", o, err)
		}
		bob := b.rep(t, "bob@desk.test", berlin)
		remindAt, reassignAt := b.svc.Deadlines(ann, o.Lead.AssignedAt)
		ber, _ := time.LoadLocation("Europe/Berlin")
		if want := time.Date(2024, 1, 16, 10, 30, 0, 0, ber); !remindAt.Equal(want) {
			t.Errorf("remind at %s, want %s (working hours only)", remindAt.In(ber), want)
		}
		if want := time.Date(2024, 1, 16, 14, 30, 0, 0, ber); !reassignAt.Equal(want) {
			t.Errorf("reassign at %s, want %s", reassignAt.In(ber), want)
		}
		if err := b.svc.ScheduleSLA(b.ctx, o.Lead, ann, o.Round); err != nil {
			t.Fatal(err)
		}
		if got := b.sink.slaChecks(t); len(got) != 2 || !got[0].DueAt.Equal(remindAt) || !got[1].DueAt.Equal(reassignAt) {
			t.Fatalf("sla checks %+v", got)
		}

		// Early (a task run before its time) does nothing.
		if r, err := b.svc.CheckSLA(b.ctx, l.ID, 1, tasks.SLAStageRemind); err != nil || r.Action != SLANone {
			t.Fatalf("early: %+v, %v", r.Action, err)
		}
		b.clock.Set(remindAt)
		r, err := b.svc.CheckSLA(b.ctx, l.ID, 1, tasks.SLAStageRemind)
		if err != nil || r.Action != SLARemind || r.Rep.ID != ann.ID {
			t.Fatalf("remind: %+v, %v", r.Action, err)
		}
		if err := b.svc.RecordReminder(b.ctx, l.ID, ann.ID); err != nil {
			t.Fatal(err)
		}
		if r, _ := b.svc.CheckSLA(b.ctx, l.ID, 1, tasks.SLAStageRemind); r.Action != SLANone {
			t.Error("second reminder in the same round")
		}

		b.clock.Set(reassignAt)
		r, err = b.svc.CheckSLA(b.ctx, l.ID, 1, tasks.SLAStageReassign)
		if err != nil || r.Action != SLAReassign || r.Moved.Lead.RepID != bob.ID || r.Moved.Round != 2 {
			t.Fatalf("reassign: %+v, %v", r, err)
		}
		if got := b.kinds(t, l.ID); !slices.Equal(got, []string{"created", "assigned", "reminder", EventSLABreach, "reassigned"}) {
			t.Errorf("history = %v", got)
		}
		if got := b.sink.assigns(t); len(got) != 1 || got[0].Attempt != 2 {
			t.Errorf("lead:assign for the new rep: %+v", got)
		}
		// The old round's checks are stale now.
		if r, _ := b.svc.CheckSLA(b.ctx, l.ID, 1, tasks.SLAStageReassign); r.Action != SLANone {
			t.Error("stale check acted")
		}
		// Contacted leads are left alone.
		if err := b.svc.SetStatus(b.ctx, l.ID, store.LeadContacted, 0, ""); err != nil {
			t.Fatal(err)
		}
		b.clock.Add(30 * 24 * time.Hour)
		if r, _ := b.svc.CheckSLA(b.ctx, l.ID, 2, tasks.SLAStageReassign); r.Action != SLANone {
			t.Error("contacted lead reassigned")
		}
	})
}

func TestSLANobodyElseGoesToPool(t *testing.T) {
	b := setup(t, store.SQLite, Options{SLAContact: time.Hour, SLAReassign: time.Hour})
	ann := b.rep(t, "ann@desk.test")
	l := b.lead(t, "c@cust.test")
	if _, err := b.svc.Assign(b.ctx, l.ID, 1, ""); err != nil {
		t.Fatal(err)
	}
	b.clock.Add(3 * time.Hour)
	r, err := b.svc.CheckSLA(b.ctx, l.ID, 1, tasks.SLAStageReassign)
	if err != nil || r.Action != SLAReassign || !r.Moved.Pooled {
		t.Fatalf("%+v, %v", r, err)
	}
	got := b.reload(t, l.ID)
	if got.Status != store.LeadUnassigned || got.RepID != 0 {
		t.Fatalf("lead %s rep %d, want in the pool", got.Status, got.RepID)
	}
	// The scan does not hand it straight back to the rep who let it lapse.
	if res, _ := b.svc.Scan(b.ctx); res.FromPool != 0 {
		t.Errorf("scan gave the lead back to rep %d", ann.ID)
	}
	// The daily digest delegates it all the same: never forgotten.
	dg, err := b.svc.Compile(b.ctx, time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC))
	if err != nil || len(dg.Delegated) != 1 || len(dg.Unassigned) != 0 {
		t.Fatalf("digest: delegated %d unassigned %d, %v", len(dg.Delegated), len(dg.Unassigned), err)
	}
}

func TestScanReassignsFromUnavailableRep(t *testing.T) {
	b := setup(t, store.SQLite, Options{})
	ann := b.rep(t, "ann@desk.test")
	l := b.lead(t, "c@cust.test")
	if _, err := b.svc.Assign(b.ctx, l.ID, 1, ""); err != nil {
		t.Fatal(err)
	}
	bob := b.rep(t, "bob@desk.test")
	ann.OutOfOfficeUntil = monday10.Add(7 * 24 * time.Hour)
	if err := b.st.UpdateRep(b.ctx, ann); err != nil {
		t.Fatal(err)
	}
	res, err := b.svc.Scan(b.ctx)
	if err != nil || res.Unavailable != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	if got := b.reload(t, l.ID).RepID; got != bob.ID {
		t.Errorf("rep = %d, want %d", got, bob.ID)
	}
}

func TestApplyLinkAction(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		b := setup(t, d, Options{SLAContact: time.Hour, SLAReassign: time.Hour})
		ann := b.rep(t, "ann@desk.test")
		l := b.lead(t, "c@cust.test")
		if _, err := b.svc.Assign(b.ctx, l.ID, 1, ""); err != nil {
			t.Fatal(err)
		}
		bob := b.rep(t, "bob@desk.test")

		if _, err := b.svc.ApplyLinkAction(b.ctx, l.ID, ActionAccept, bob.ID); !errors.Is(err, ErrNotYours) {
			t.Errorf("bob accepting ann's lead: %v", err)
		}
		for range 2 {
			if _, err := b.svc.ApplyLinkAction(b.ctx, l.ID, ActionAccept, ann.ID); err != nil {
				t.Fatal(err)
			}
		}
		b.clock.Add(time.Hour)
		if r, _ := b.svc.CheckSLA(b.ctx, l.ID, 1, tasks.SLAStageRemind); r.Action != SLANone {
			t.Error("accepted lead got a reminder")
		}
		o, err := b.svc.ApplyLinkAction(b.ctx, l.ID, ActionNotMine, ann.ID)
		if err != nil || o.Lead.RepID != bob.ID {
			t.Fatalf("not mine: %+v, %v", o, err)
		}
		if _, err := b.svc.ApplyLinkAction(b.ctx, l.ID, ActionNotMine, ann.ID); err != nil {
			t.Errorf("repeated not mine: %v", err)
		}
		if _, err := b.svc.ApplyLinkAction(b.ctx, l.ID, ActionContacted, ann.ID); !errors.Is(err, ErrNotYours) {
			t.Errorf("old owner marking contacted: %v", err)
		}
		o, err = b.svc.ApplyLinkAction(b.ctx, l.ID, ActionContacted, bob.ID)
		if err != nil || o.Lead.Status != store.LeadContacted {
			t.Fatalf("contacted: %+v, %v", o, err)
		}
		// The click is the lead's first human contact.
		if o.Lead.FirstContactVia != store.ContactViaClick || o.Lead.FirstContactAt.IsZero() {
			t.Errorf("first contact after the click: %s via %q; want now via click", o.Lead.FirstContactAt, o.Lead.FirstContactVia)
		}
		if _, err := b.svc.ApplyLinkAction(b.ctx, l.ID, "delete", bob.ID); !errors.Is(err, ErrUnknownAction) {
			t.Errorf("unknown action: %v", err)
		}
		want := []string{"created", "assigned", EventAccepted, "reassigned", store.LeadEventContacted}
		if got := b.kinds(t, l.ID); !slices.Equal(got, want) {
			t.Errorf("history = %v, want %v", got, want)
		}
	})
}

func TestCompile(t *testing.T) {
	b := setup(t, store.SQLite, Options{SLAContact: time.Hour})
	ann := b.rep(t, "ann@desk.test", func(r *store.Rep) { r.Capacity = 2 })
	var ids []int64
	for i := range 3 {
		l := b.lead(t, "c"+string(rune('a'+i))+"@cust.test")
		ids = append(ids, l.ID)
		if _, err := b.svc.Assign(b.ctx, l.ID, 1, ""); err != nil {
			t.Fatal(err)
		}
	}
	b.clock.Add(2 * time.Hour)
	if err := b.svc.SetStatus(b.ctx, ids[1], store.LeadContacted, 0, ""); err != nil {
		t.Fatal(err)
	}
	dg, err := b.svc.Compile(b.ctx, time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(dg.New) != 3 || len(dg.Unassigned) != 1 || len(dg.Stale) != 1 || dg.Stale[0].Lead.ID != ids[0] {
		t.Errorf("new %d unassigned %d stale %d", len(dg.New), len(dg.Unassigned), len(dg.Stale))
	}
	if len(dg.Reps) != 1 || dg.Reps[0].Rep.ID != ann.ID || len(dg.Reps[0].Leads) != 2 || !dg.Reps[0].Leads[0].Overdue {
		t.Errorf("rep lists %+v", dg.Reps)
	}
}

func TestSeedReps(t *testing.T) {
	b := setup(t, store.SQLite, Options{})
	seeds := []RepSeed{
		{Name: "Ann", Email: "ann@desk.test", Active: true, Weight: 2, Capacity: 10, Territories: []string{"DE"},
			Timezone: "Europe/Berlin", Days: []string{"mon", "tue"}, Start: "09:00", End: "17:00"},
		{Name: "Bob", Email: "bob@desk.test", Active: true},
	}
	c, u, err := SeedReps(b.ctx, b.st, seeds)
	if err != nil || c != 2 || u != 0 {
		t.Fatalf("first seed: %d %d %v", c, u, err)
	}
	seeds[0].Capacity = 12
	if c, u, err = SeedReps(b.ctx, b.st, seeds); err != nil || c != 0 || u != 2 {
		t.Fatalf("second seed: %d %d %v", c, u, err)
	}
	r, err := b.st.RepByEmail(b.ctx, "ann@desk.test")
	if err != nil || r.Capacity != 12 || r.WorkingHours != "mon,tue 09:00-17:00" || r.Timezone != "Europe/Berlin" {
		t.Errorf("ann = %+v, %v", r, err)
	}
	if _, _, err := SeedReps(b.ctx, b.st, []RepSeed{{Email: "x@desk.test", Days: []string{"mon"}, Start: "9", End: "10"}}); err == nil {
		t.Error("bad hours: want error")
	}
}

func TestHooksForStoreWriters(t *testing.T) {
	b := setup(t, store.SQLite, Options{})
	ann := b.rep(t, "ann@desk.test", func(r *store.Rep) { r.Capacity = 1 })
	bob := b.rep(t, "bob@desk.test", func(r *store.Rep) { r.Capacity = 1 })
	l1, l2, l3 := b.lead(t, "a@x.test"), b.lead(t, "b@y.test"), b.lead(t, "c@z.test")
	for _, l := range []*store.Lead{l1, l2, l3} {
		if _, err := b.svc.Assign(b.ctx, l.ID, 1, ""); err != nil {
			t.Fatal(err)
		}
	}
	// The API closes l1 through the store, then calls the hook.
	if err := b.st.SetLeadStatus(b.ctx, l1.ID, store.LeadLost, 0, "no budget"); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.OnLeadClosed(b.ctx, l1.ID); err != nil {
		t.Fatal(err)
	}
	if got := b.reload(t, l3.ID); got.Status != store.LeadAssigned {
		t.Fatalf("pool lead after a close: %s", got.Status)
	}
	// The API reassigns l2 through the store, then calls the hook.
	cur := b.reload(t, l2.ID)
	to := ann.ID
	if cur.RepID == ann.ID {
		to = bob.ID
	}
	if ok, err := b.st.AssignLead(b.ctx, l2.ID, cur.RepID, to, "manager"); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := b.svc.OnLeadReassigned(b.ctx, l2.ID); err != nil {
		t.Fatal(err)
	}
	as := b.sink.assigns(t)
	if last := as[len(as)-1]; last.LeadID != l2.ID || last.Attempt != 2 {
		t.Errorf("last lead:assign %+v, want lead %d round 2", last, l2.ID)
	}
	if o, err := b.svc.Assign(b.ctx, l2.ID, 2, "reassigned"); err != nil || !o.Assigned || o.Lead.RepID != to {
		t.Errorf("route round 2: %+v, %v", o, err)
	}
}
