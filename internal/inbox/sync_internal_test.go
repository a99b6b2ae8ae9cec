package inbox

import (
	"testing"
	"time"
)

func TestMessageID(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"brackets", "Message-ID: <a.1@example.com>\r\nSubject: x\r\n\r\nbody", "a.1@example.com"},
		{"lower case name", "message-id: <b@example.com>\r\n\r\n", "b@example.com"},
		{"folded", "Subject: x\r\nMessage-ID:\r\n <c@example.com>\r\n\r\n", "c@example.com"},
		{"no brackets", "Message-ID: d@example.com\r\n\r\n", "d@example.com"},
		{"missing", "Subject: x\r\n\r\nMessage-ID: <in-body@example.com>\r\n", ""},
		{"header only, no body", "Message-ID: <e@example.com>\r\n", "e@example.com"},
		{"malformed line after it", "Message-ID: <f@example.com>\r\nbroken line\r\n\r\n", "f@example.com"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := messageID([]byte(tt.raw)); got != tt.want {
				t.Fatalf("messageID = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	b := newBackoff(time.Second, time.Minute)
	ceilings := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60}
	for i, c := range ceilings {
		ceiling := c * time.Second
		d := b.next()
		if d < ceiling/2 || d > ceiling {
			t.Fatalf("attempt %d: %v, want within [%v, %v]", i, d, ceiling/2, ceiling)
		}
	}
	b.reset()
	if d := b.next(); d > time.Second {
		t.Fatalf("after reset: %v, want at most 1s", d)
	}
}
