package plaintext

import "testing"

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		addr  string
		allow bool
		ok    bool
	}{
		{"127.0.0.1:143", false, true},
		{"[::1]:25", false, true},
		{"localhost:25", false, true},
		{"LOCALHOST:25", false, true},
		{"imap.example.com:143", false, false},
		{"10.0.0.5:25", false, false},
		{"localhost.example.com:25", false, false},
		{"imap.example.com:143", true, true},
	} {
		if err := Check(tt.addr, tt.allow); (err == nil) != tt.ok {
			t.Errorf("Check(%q, %v) = %v, want ok=%v", tt.addr, tt.allow, err, tt.ok)
		}
	}
}
