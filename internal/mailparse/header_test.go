package mailparse

import "testing"

func TestStripComments(t *testing.T) {
	tests := []struct {
		in, wantRest, wantFirst string
	}{
		{"pete(his account)@silly.test(his host)", "pete@silly.test", "his account"},
		{"nsb", "nsb", ""},
		{"a@b.example (Anna (the boss))", "a@b.example", "Anna (the boss)"},
		{`"x(y)"@q.example`, `"x(y)"@q.example`, ""},
		{"unclosed (comment@x.example", "unclosed", "comment@x.example"},
	}
	for _, tt := range tests {
		rest, first := stripComments(tt.in)
		if rest != tt.wantRest || first != tt.wantFirst {
			t.Errorf("stripComments(%q) = %q, %q; want %q, %q", tt.in, rest, first, tt.wantRest, tt.wantFirst)
		}
	}
}
