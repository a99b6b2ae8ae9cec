package mailparse

import "testing"

func TestSendable(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "ann@acme.com", "ann@acme.com"},
		{"case and space", "  Ann@ACME.com ", "ann@acme.com"},
		{"no at sign", "nsb", ""},
		{"comment", "pete(comment)@x(y)", ""},
		{"display name", "Ann <ann@acme.com>", ""},
		{"empty", "", ""},
		{"header injection", "ann@acme.com\r\nBcc: x@y.z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sendable(tt.in); got != tt.want {
				t.Errorf("Sendable(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
