package entity

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzExtract feeds arbitrary mail text to the extraction of order
// numbers, codes, items, urgency, requested times and the signature: what
// a customer writes decides order lookups and meeting times. Whatever the
// input it must not panic, must give the same answer twice, and every
// requested time must quote the mail's own words and end after it
// starts, and every item must have a positive quantity.
func FuzzExtract(f *testing.F) {
	f.Add("Where is my order SO-48213?", "Hello, where is order SO-48213 and PO 4711-A? Please expedite!", "Ann Buyer\nAcme GmbH\n+49 30 1234567")
	f.Add("Quote", "We need 500 x M8 bolts, 20 pcs of HX-220 and 3 boxes of washers.", "")
	f.Add("Meeting", "Could we meet on Tuesday 14:00-15:30 or 18.03.2025 at 9 am? Or next Monday afternoon.", "")
	f.Add("", "am 3. März um 10 Uhr, le 4 mars à 15h", "--\nDr. Sabine Hoffmann\nEinkauf")
	f.Add("SO-", "SO-SO-SO-1 so-2 #3 İstanbul ǅ 31.02.2025 25:99 12/31/99999", "\x00\xff")
	f.Fuzz(func(t *testing.T, subject, newText, signature string) {
		o := Options{Now: refNow}
		a := Extract(subject, newText, signature, o)
		if b := Extract(subject, newText, signature, o); !reflect.DeepEqual(a, b) {
			t.Fatalf("two runs differ:\n%+v\n%+v", a, b)
		}
		msg := newText
		if len(msg) > maxMessageBytes {
			msg = msg[:maxMessageBytes]
		}
		for _, ts := range a.RequestedTimes {
			if !strings.Contains(msg, ts.Text) {
				t.Fatalf("requested time %+v quotes %q, not in the mail", ts, ts.Text)
			}
			if !ts.End.IsZero() && ts.End.Before(ts.Start) {
				t.Fatalf("requested time %+v ends before it starts", ts)
			}
		}
		for _, it := range a.Items {
			if it.Quantity <= 0 {
				t.Fatalf("item %+v has no positive quantity", it)
			}
		}
	})
}
