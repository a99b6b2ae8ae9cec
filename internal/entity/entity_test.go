package entity

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"salesdesk/internal/mailparse"
)

// refNow is Wednesday 12 March 2025, 10:00 in Berlin.
var berlin = mustLoc("Europe/Berlin")
var refNow = time.Date(2025, 3, 12, 10, 0, 0, 0, berlin)

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone(name, 3600)
	}
	return l
}

func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, berlin)
}

func TestOrderNumbers(t *testing.T) {
	tests := []struct {
		name    string
		subject string
		body    string
		want    []string
	}{
		{name: "keyword and code", subject: "Order SO-48213 status", body: "where is order SO-48213?", want: []string{"SO-48213"}},
		{name: "PO number", body: "our purchase order 4500012345 for bearings", want: []string{"4500012345"}},
		{name: "hash", body: "where is my order??? placed it 2 weeks ago #10234", want: []string{"10234"}},
		{name: "order no.", body: "Order no. FN-20931 was placed on 2 March", want: []string{"FN-20931"}},
		{name: "two orders", body: "PO 8821 and PO 8830 are late", want: []string{"8821", "8830"}},
		{name: "prefix code dedup", body: "ref. ORD-77120, order 77120", want: []string{"ORD-77120"}},
		{name: "quantity is not an order", body: "we need 5000 units of the order of magnitude", want: nil},
		{name: "quoted history ignored", body: "thanks\n> your order 99999 shipped", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExtractText(tt.subject, tt.body, Options{Now: refNow}).OrderNumbers
			if !slices.Equal(got, tt.want) {
				t.Errorf("OrderNumbers = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOrderNumbersCustomPattern(t *testing.T) {
	o := Options{Now: refNow, OrderPatterns: []*regexp.Regexp{regexp.MustCompile(`\bACME(\d{6})\b`)}}
	got := ExtractText("", "see ACME123456 and SO-48213", o).OrderNumbers
	if !slices.Equal(got, []string{"123456"}) {
		t.Errorf("OrderNumbers = %q, want [123456]", got)
	}
}

func TestUrgency(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		want     Priority
		wantRush bool
	}{
		{name: "rush", body: "Can you rush order 8813?", want: PriorityHigh, wantRush: true},
		{name: "asap", body: "need prices ASAP please", want: PriorityHigh, wantRush: true},
		{name: "expedite", body: "We need to expedite SO-30017.", want: PriorityHigh, wantRush: true},
		{name: "line down", body: "our production line is down, the pump failed", want: PriorityHigh},
		{name: "no rush", body: "No rush, whenever you have time.", want: PriorityLow},
		{name: "plain", body: "Please send the invoice.", want: PriorityNormal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ExtractText("", tt.body, Options{Now: refNow})
			if e.Urgency != tt.want || e.Rush != tt.wantRush {
				t.Errorf("Urgency, Rush = %s, %v (cues %q), want %s, %v", e.Urgency, e.Rush, e.UrgencyCues, tt.want, tt.wantRush)
			}
		})
	}
}

func TestRequestedTimes(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []TimeSpan // Text not compared
	}{
		{name: "next weekday at pm", body: "Could we meet next Tuesday at 3pm?", want: []TimeSpan{{Start: at(2025, 3, 18, 15, 0)}}},
		{name: "next friday is next week", body: "How about next Friday 10:00?", want: []TimeSpan{{Start: at(2025, 3, 21, 10, 0)}}},
		{name: "bare weekday", body: "Thursday 10:00 CET suits me", want: []TimeSpan{{Start: at(2025, 3, 13, 10, 0)}}},
		{name: "tomorrow clock", body: "can we do a quick call tomorrow 10:00?", want: []TimeSpan{{Start: at(2025, 3, 13, 10, 0)}}},
		{name: "day month", body: "a call on 12 March at 14:30 please", want: []TimeSpan{{Start: at(2025, 3, 12, 14, 30)}}},
		{name: "month day range", body: "our call on Dec 3, 2pm-3pm", want: []TimeSpan{{Start: at(2025, 12, 3, 14, 0), End: at(2025, 12, 3, 15, 0)}}},
		{name: "iso date", body: "Deliver on 2025-04-02 please", want: []TimeSpan{{Start: at(2025, 4, 2, 0, 0), End: at(2025, 4, 3, 0, 0), AllDay: true}}},
		{name: "weekday and date", body: "we meet on Tuesday 18 March at 11:00", want: []TimeSpan{{Start: at(2025, 3, 18, 11, 0)}}},
		{name: "range between", body: "please call me back today between 2 and 4pm", want: []TimeSpan{{Start: at(2025, 3, 12, 14, 0), End: at(2025, 3, 12, 16, 0)}}},
		{name: "morning", body: "Are you free Monday morning?", want: []TimeSpan{{Start: at(2025, 3, 17, 9, 0), End: at(2025, 3, 17, 12, 0)}}},
		{name: "past date means next year", body: "see you on 5 January", want: []TimeSpan{{Start: at(2026, 1, 5, 0, 0), End: at(2026, 1, 6, 0, 0), AllDay: true}}},
		{name: "time alone later today", body: "call at 2pm ok for u?", want: []TimeSpan{{Start: at(2025, 3, 12, 14, 0)}}},
		{name: "ordinal", body: "Would you have time when I'm in town on the 15th?", want: []TimeSpan{{Start: at(2025, 3, 15, 0, 0), End: at(2025, 3, 16, 0, 0), AllDay: true}}},
		{name: "slash us", body: "deliver 4/2/2025", want: []TimeSpan{{Start: at(2025, 4, 2, 0, 0), End: at(2025, 4, 3, 0, 0), AllDay: true}}},
		{name: "no times", body: "Please send 500 units of order 4471 by truck.", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExtractText("", tt.body, Options{Now: refNow}).RequestedTimes
			if len(got) != len(tt.want) {
				t.Fatalf("RequestedTimes = %+v, want %+v", got, tt.want)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if !g.Start.Equal(w.Start) || !g.End.Equal(w.End) || g.AllDay != w.AllDay {
					t.Errorf("span %d = %v..%v allDay=%v (%q), want %v..%v allDay=%v", i, g.Start, g.End, g.AllDay, g.Text, w.Start, w.End, w.AllDay)
				}
			}
		})
	}
}

func TestSignature(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Signature
	}{
		{
			name: "regards block",
			body: "Please quote 500 bearings.\n\nKind regards\nAnna Kowalski\nProcurement, Baltic Drives Sp. z o.o.\nTel +48 58 123 45 67",
			want: Signature{Name: "Anna Kowalski", Title: "Procurement", Company: "Baltic Drives Sp. z o.o.", Phone: "+48 58 123 45 67"},
		},
		{
			name: "dash delimiter",
			body: "Where is PO 9912?\n-- \nJoachim Weber\nEinkauf\nWeber Hydraulik GmbH\nTel. +49 711 998877\nj.weber@weber.example",
			want: Signature{Name: "Joachim Weber", Title: "Einkauf", Company: "Weber Hydraulik GmbH", Phone: "+49 711 998877", Email: "j.weber@weber.example"},
		},
		{
			name: "pipes",
			body: "Thanks for the quick reply.\n\nBest,\nSiew Ling Tan | Supply Chain Coordinator | Pacific Components Pte Ltd\nM: +65 9123 4567",
			want: Signature{Name: "Siew Ling Tan", Title: "Supply Chain Coordinator", Company: "Pacific Components Pte Ltd", Phone: "+65 9123 4567"},
		},
		{
			name: "first name only",
			body: "What's the ETA on PO 23-0456?\n\nThanks,\nTom",
			want: Signature{Name: "Tom"},
		},
		{
			name: "inline sign-off",
			body: "Hi, where is order 4411?\nThanks, Beth",
			want: Signature{Name: "Beth"},
		},
		{
			name: "none",
			body: "where is my order",
			want: Signature{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExtractText("", tt.body, Options{Now: refNow}).Signature
			if got != tt.want {
				t.Errorf("Signature = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestExtractReadsTheParts checks that Extract takes the signature from
// its own argument and splits nothing itself, and that ExtractText is
// Extract over mailparse's split.
func TestExtractReadsTheParts(t *testing.T) {
	o := Options{Now: refNow}
	got := Extract("", "Please quote 500 bearings.", "Anna Kowalski\nBaltic Drives Sp. z o.o.\nTel +48 58 123 45 67", o)
	if got.Signature.Name != "Anna Kowalski" || got.Signature.Company != "Baltic Drives Sp. z o.o." || got.Signature.Phone != "+48 58 123 45 67" {
		t.Errorf("Signature = %+v", got.Signature)
	}
	// Quoted lines passed as new text are read: the caller split already.
	if got := Extract("", "thanks\n> your order 99999 shipped", "", o).OrderNumbers; !slices.Equal(got, []string{"99999"}) {
		t.Errorf("OrderNumbers = %q, want [99999]", got)
	}
	body := "Where is PO 9912?\n-- \nJoachim Weber\nWeber Hydraulik GmbH\n\nOn Tue, Sales wrote:\n> order 77777"
	newText, _, sig := mailparse.SplitReply(body)
	a, b := ExtractText("", body, o), Extract("", newText, sig, o)
	if !slices.Equal(a.OrderNumbers, b.OrderNumbers) || a.Signature != b.Signature || a.Urgency != b.Urgency {
		t.Errorf("ExtractText = %+v, Extract of the split = %+v", a, b)
	}
}
