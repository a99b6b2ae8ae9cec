package mailparse

import (
	"fmt"
	"testing"
)

func TestReferenceToken(t *testing.T) {
	tests := []struct {
		subject string
		want    string
		wantOK  bool
	}{
		{"Re: Your quote [SD-1234]", "1234", true},
		{"AW: [SD-7KQ2M4] Angebot", "7KQ2M4", true},
		{"[sd-1234] lower case prefix is not ours", "", false},
		{"Re: [SD-] empty", "", false},
		{"SD-1234 without brackets", "", false},
		{"Re: Quote", "", false},
		{"[SD-abc9] lower-case base32 is upper-cased", "ABC9", true},
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			got, ok := ReferenceToken(tt.subject)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ReferenceToken(%q) = %q, %v; want %q, %v", tt.subject, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestThreadKeys(t *testing.T) {
	tests := []struct {
		name string
		m    *Message
		want []string
	}{
		{name: "nil", m: nil, want: nil},
		{name: "in-reply-to first, then references newest first",
			m:    &Message{MessageID: "c", InReplyTo: []string{"b"}, References: []string{"a", "b"}},
			want: []string{"b", "a"}},
		{name: "loop to itself is dropped",
			m:    &Message{MessageID: "x", InReplyTo: []string{"x"}, References: []string{"y", "x", "y"}},
			want: []string{"y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ThreadKeys(tt.m); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ThreadKeys = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestThreadKeysBounded(t *testing.T) {
	raw := "From: a@example.com\nReferences:"
	for i := 0; i < 5000; i++ {
		raw += fmt.Sprintf(" <r%d@example.com>", i%1000)
	}
	raw += "\nIn-Reply-To: <r999@example.com>\n\nbody\n"
	m := mustParse(t, raw)
	if len(m.References) > 50 || m.References[0] != "r0@example.com" || m.References[len(m.References)-1] != "r999@example.com" {
		t.Errorf("References: %d, first %q, last %q", len(m.References), m.References[0], m.References[len(m.References)-1])
	}
	keys := ThreadKeys(m)
	if len(keys) == 0 || len(keys) > 50 || keys[0] != "r999@example.com" {
		t.Errorf("ThreadKeys: %d keys, first %q", len(keys), keys[0])
	}
}
