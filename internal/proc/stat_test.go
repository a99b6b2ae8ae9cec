package proc

import "testing"

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    Stat
		wantErr bool
	}{
		{
			name: "plain",
			line: "4242 (dovecot) S 1 4242 4242 0 -1 4194624 100 200 0 0 17 5 33 11 20 0 1 0 84003 3133440 409\n",
			want: Stat{PPID: 1, UTime: 17, STime: 5, CUTime: 33, CSTime: 11},
		},
		{
			name: "command name with spaces and parentheses",
			line: "77 (imap (x) y) R 4242 77 77 0 -1 0 0 0 0 0 3 4 5 6 20 0 1 0 1 2 3",
			want: Stat{PPID: 4242, UTime: 3, STime: 4, CUTime: 5, CSTime: 6},
		},
		{name: "too short", line: "77 (imap) R 1 2 3", wantErr: true},
		{name: "no name", line: "77 imap R 1", wantErr: true},
		{name: "not a number", line: "77 (imap) R 1 0 0 0 0 0 0 0 0 0 x 4 5 6 20", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStat(tt.line)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
