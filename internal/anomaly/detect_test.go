package anomaly

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// subjects lists the findings as "KIND SUBJECT COUNT" for comparison.
func subjects(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Kind+" "+f.Subject+" "+strconv.Itoa(f.Count))
	}
	return out
}

func TestComplaints(t *testing.T) {
	tests := []struct {
		name  string
		cs    []Complaint
		limit int
		want  []string
	}{
		{"none", nil, 3, nil},
		{"below", []Complaint{{CustomerID: 7}, {CustomerID: 7}}, 3, nil},
		{"at threshold", []Complaint{{CustomerID: 7}, {CustomerID: 7}, {CustomerID: 7}}, 3, []string{"anomaly_complaints customer:7 3"}},
		{"per account, sorted", []Complaint{{CustomerID: 9}, {CustomerID: 7}, {CustomerID: 9}, {CustomerID: 7}, {CustomerID: 8}}, 2,
			[]string{"anomaly_complaints customer:7 2", "anomaly_complaints customer:9 2"}},
		{"unknown senders are no account", []Complaint{{CustomerID: 0}, {CustomerID: 0}, {CustomerID: 0}}, 2, nil},
		{"disabled", []Complaint{{CustomerID: 7}, {CustomerID: 7}, {CustomerID: 7}}, -1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Complaints(tc.cs, tc.limit)
			if !slices.Equal(subjects(got), tc.want) {
				t.Errorf("got %q, want %q", subjects(got), tc.want)
			}
			for _, f := range got {
				if f.CustomerID == 0 || f.Severity == "" || f.Title == "" {
					t.Errorf("finding incomplete: %+v", f)
				}
			}
		})
	}
}

func TestForeignLookups(t *testing.T) {
	tests := []struct {
		name  string
		ls    []ForeignLookup
		limit int
		want  []string
	}{
		{"one lookup", []ForeignLookup{{Sender: "eve@x.example", CustomerID: 4, OrderID: 1}}, 2, nil},
		{"one sender, two accounts", []ForeignLookup{{Sender: "eve@x.example", CustomerID: 4, OrderID: 1}, {Sender: "Eve@X.example", CustomerID: 5, OrderID: 2}}, 2,
			[]string{"anomaly_foreign_sender sender:eve@x.example 2"}},
		{"one account, two senders", []ForeignLookup{{Sender: "eve@x.example", CustomerID: 4, OrderID: 1}, {Sender: "mal@y.example", CustomerID: 4, OrderID: 1}}, 2,
			[]string{"anomaly_foreign_account customer:4 2"}},
		{"both", []ForeignLookup{{Sender: "eve@x.example", CustomerID: 4, OrderID: 1}, {Sender: "eve@x.example", CustomerID: 4, OrderID: 2}}, 2,
			[]string{"anomaly_foreign_sender sender:eve@x.example 2", "anomaly_foreign_account customer:4 2"}},
		{"threshold 3", []ForeignLookup{{Sender: "eve@x.example", CustomerID: 4, OrderID: 1}, {Sender: "eve@x.example", CustomerID: 4, OrderID: 2}}, 3, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ForeignLookups(tc.ls, tc.limit)
			if !slices.Equal(subjects(got), tc.want) {
				t.Errorf("got %q, want %q", subjects(got), tc.want)
			}
		})
	}
}

func TestInboundSpike(t *testing.T) {
	tests := []struct {
		name     string
		current  int
		previous []int
		factor   float64
		min      int
		want     bool
	}{
		{"2 vs 0 is no spike", 2, []int{0, 0, 0}, 3, 20, false},
		{"flood after silence", 25, []int{0, 0, 0}, 3, 20, true},
		{"no history, enough mail", 20, nil, 3, 20, true},
		{"usual day", 100, []int{90, 110, 100}, 3, 20, false},
		{"just below factor", 299, []int{100, 100, 100}, 3, 20, false},
		{"at factor", 300, []int{100, 100, 100}, 3, 20, true},
		{"below minimum", 19, []int{1, 1, 1}, 3, 20, false},
		{"empty window", 0, []int{0}, 3, 0, false},
		{"disabled", 1000, []int{1}, -1, 20, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := InboundSpike(tc.current, tc.previous, tc.factor, tc.min)
			if ok != tc.want {
				t.Fatalf("spike = %v, want %v (%+v)", ok, tc.want, f)
			}
			if ok && (f.Kind != KindInboundSpike || f.Count != tc.current || f.DedupeKey(time.Time{}, time.Hour) == "") {
				t.Errorf("finding %+v", f)
			}
			// Never a ratio against an empty baseline.
			quiet := slices.Max(append([]int{0}, tc.previous...)) == 0
			if ok && quiet && (!strings.Contains(f.Title, "no earlier data") || strings.Contains(f.Title, "times")) {
				t.Errorf("quiet history, title %q", f.Title)
			}
			if ok && !quiet && !strings.Contains(f.Title, "times the usual") {
				t.Errorf("title %q names no ratio", f.Title)
			}
		})
	}
}

func TestFindingsNameAccounts(t *testing.T) {
	cs := []Complaint{{CustomerID: 7, Customer: "Acme GmbH"}, {CustomerID: 7}, {CustomerID: 7, Customer: "Acme GmbH"}}
	got := Complaints(cs, 3)
	if len(got) != 1 || got[0].Title != "Acme GmbH complained 3 times" || strings.Contains(got[0].Detail, "7") {
		t.Errorf("complaints = %+v", got)
	}
	ls := []ForeignLookup{{Sender: "eve@x.example", CustomerID: 4, OrderID: 1}, {Sender: "mal@y.example", CustomerID: 4, OrderID: 2}}
	got = ForeignLookups(ls, 2)
	if len(got) != 1 || got[0].Title != "Strangers asked about orders of account #4 2 times" {
		t.Errorf("lookups without a name = %+v", got)
	}
}

func TestBounceRate(t *testing.T) {
	tests := []struct {
		name          string
		sent, bounced int
		rate          float64
		min           int
		want          bool
	}{
		{"small sample", 5, 5, 0.2, 20, false},
		{"healthy", 100, 3, 0.2, 20, false},
		{"at rate", 100, 20, 0.2, 20, true},
		{"above rate", 40, 30, 0.2, 20, true},
		{"nothing sent", 0, 0, 0.2, 0, false},
		{"disabled", 100, 100, -1, 20, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := BounceRate(tc.sent, tc.bounced, tc.rate, tc.min)
			if ok != tc.want {
				t.Fatalf("alert = %v, want %v (%+v)", ok, tc.want, f)
			}
			if ok && (f.Kind != KindBounceRate || f.Count != tc.bounced) {
				t.Errorf("finding %+v", f)
			}
		})
	}
}

func TestSenderFlood(t *testing.T) {
	tests := []struct {
		name   string
		counts map[string]int
		limit  int
		ignore []string
		want   []string
	}{
		{"people", map[string]int{"ann@a.example": 3, "bob@b.example": 5}, 20, nil, nil},
		{"loop", map[string]int{"ann@a.example": 3, "autoreply@b.example": 40}, 20, nil,
			[]string{"anomaly_sender_flood sender:autoreply@b.example 40"}},
		{"case folded together", map[string]int{"Loop@B.example": 10, "loop@b.example": 10}, 20, nil,
			[]string{"anomaly_sender_flood sender:loop@b.example 20"}},
		{"worst first", map[string]int{"a@x.example": 25, "b@x.example": 50}, 20, nil,
			[]string{"anomaly_sender_flood sender:b@x.example 50", "anomaly_sender_flood sender:a@x.example 25"}},
		{"ignored", map[string]int{"monitor@ourco.example": 500}, 20, []string{"Monitor@ourco.example"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SenderFlood(tc.counts, tc.limit, tc.ignore)
			if !slices.Equal(subjects(got), tc.want) {
				t.Errorf("got %q, want %q", subjects(got), tc.want)
			}
		})
	}
}

func TestDedupeKeyBucket(t *testing.T) {
	f := Finding{Kind: KindSenderFlood, Subject: "sender:a@x.example"}
	day := 24 * time.Hour
	morning := time.Date(2025, 3, 14, 0, 5, 0, 0, time.UTC)
	evening := time.Date(2025, 3, 14, 23, 55, 0, 0, time.UTC)
	next := time.Date(2025, 3, 15, 0, 5, 0, 0, time.UTC)
	if f.DedupeKey(morning, day) != f.DedupeKey(evening, day) {
		t.Errorf("same day, different keys: %s %s", f.DedupeKey(morning, day), f.DedupeKey(evening, day))
	}
	if f.DedupeKey(evening, day) == f.DedupeKey(next, day) {
		t.Errorf("next day, same key %s", f.DedupeKey(next, day))
	}
	if got, want := f.DedupeKey(evening, day), "anomaly:anomaly_sender_flood:sender:a@x.example:2025-03-14T00:00Z"; got != want {
		t.Errorf("key = %s, want %s", got, want)
	}
	if f.DedupeKey(evening, 15*time.Minute) == f.DedupeKey(evening.Add(-15*time.Minute), 15*time.Minute) {
		t.Error("15-minute buckets collapse")
	}
}

func TestDetectDefaults(t *testing.T) {
	a := Activity{
		Complaints:      []Complaint{{CustomerID: 1}, {CustomerID: 1}, {CustomerID: 1}, {CustomerID: 2}},
		ForeignLookups:  []ForeignLookup{{Sender: "eve@x.example", CustomerID: 3, OrderID: 10}},
		Inbound:         19,
		InboundBefore:   []int{0, 0},
		InboundBySender: map[string]int{"loop@y.example": 19},
		Sent:            20,
		Bounced:         4,
	}
	want := []string{"anomaly_complaints customer:1 3", "anomaly_bounce_rate outbound 4"}
	if got := subjects(Detect(a, Config{})); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
