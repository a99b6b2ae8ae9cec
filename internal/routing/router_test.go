package routing

import (
	"strings"
	"testing"
)

func TestForwardedBody(t *testing.T) {
	gmail := "see below, can you help?\n\n---------- Forwarded message ---------\nFrom: Ann <ann@acme.example>\nDate: Mon, 3 Mar 2026 at 10:02\nSubject: Invoice 4471\nTo: <sales@desk.example>\n\nHello, we were charged twice for invoice 4471. Please refund the duplicate payment.\n"
	tests := []struct {
		name, newText, text string
		want                string // "" means not a forward to unwrap
	}{
		{"gmail forward with a short note", "see below, can you help?", gmail, "charged twice for invoice 4471"},
		{"apple mail forward", "fyi", "fyi\n\nBegin forwarded message:\n\nFrom: Bob <bob@x.example>\nSubject: cancel\n\nPlease cancel order SO-1.\n", "Please cancel order SO-1."},
		{"a long note is the request itself", strings.Repeat("word ", 20), gmail, ""},
		{"no forward", "where is my order?", "where is my order?\n\n> On Monday we wrote:\n> hello", ""},
		{"marker with nothing after it", "fyi", "fyi\n---------- Forwarded message ---------\nFrom: a@b.example\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := forwardedBody(tt.newText, tt.text)
			if tt.want == "" {
				if ok {
					t.Errorf("unwrapped %q, want no unwrapping", got)
				}
				return
			}
			if !ok || !strings.Contains(got, tt.want) || strings.Contains(got, "From:") {
				t.Errorf("forwardedBody = %q, %v; want the forwarded text containing %q without its headers", got, ok, tt.want)
			}
		})
	}
}
