package main

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestHelp asks every subcommand for --help and -h: each exits 0 and
// prints its usage line and every one of its flags.
func TestHelp(t *testing.T) {
	tests := []struct {
		cmd       string
		wantFlags []string
	}{
		{"run", []string{"-c", "-cpuprofile"}},
		{"demo", []string{"-listen", "-rate", "-duration", "-keep", "-seed", "-redis", "-log-level"}},
		{"worker", []string{"-c", "-cpuprofile"}},
		{"scheduler", []string{"-c", "-cpuprofile"}},
		{"web", []string{"-c", "-cpuprofile"}},
		{"poller", []string{"-c", "-cpuprofile"}},
		{"migrate", []string{"-c"}},
		{"import", []string{"-c", "-skip-bad", "-no-notify"}},
		{"config", []string{"-c"}},
		{"hash-password", nil},
		{"inspect-mail", []string{"-max-bytes"}},
		{"classify", []string{"-text", "-eval", "-model", "-save-model", "-min-confidence"}},
	}
	var covered []string
	for _, tt := range tests {
		covered = append(covered, tt.cmd)
		for _, help := range []string{"--help", "-h"} {
			t.Run(tt.cmd+" "+help, func(t *testing.T) {
				var out, errs bytes.Buffer
				code := dispatch(context.Background(), []string{tt.cmd, help}, stdio{in: strings.NewReader(""), out: &out, err: &errs})
				got := out.String() + errs.String()
				if code != 0 {
					t.Errorf("exit %d, want 0; output:\n%s", code, got)
				}
				if !strings.Contains(got, "usage: salesdesk "+tt.cmd) {
					t.Errorf("output does not name the command:\n%s", got)
				}
				for _, f := range tt.wantFlags {
					if !strings.Contains(got, "  "+f+" ") && !strings.Contains(got, "  "+f+"\n") {
						t.Errorf("output does not list flag %s:\n%s", f, got)
					}
				}
			})
		}
	}
	if want := slices.Sorted(maps.Keys(commands())); !slices.Equal(slices.Sorted(slices.Values(covered)), want) {
		t.Errorf("test covers %v, commands are %v", covered, want)
	}
}

// TestTopLevelHelp: salesdesk --help lists every subcommand and every kind
// of import.
func TestTopLevelHelp(t *testing.T) {
	for _, args := range [][]string{nil, {"help"}, {"-h"}, {"--help"}} {
		var out, errs bytes.Buffer
		if code := dispatch(context.Background(), args, stdio{out: &out, err: &errs}); code != 0 {
			t.Errorf("%v: exit %d, want 0", args, code)
		}
		for name := range commands() {
			if !strings.Contains(out.String(), "  "+name+" ") {
				t.Errorf("%v: usage does not list %s:\n%s", args, name, out.String())
			}
		}
		for _, kind := range []string{"customers", "contacts", "orders", "leads"} {
			if !strings.Contains(out.String(), kind) {
				t.Errorf("%v: usage does not list import kind %s:\n%s", args, kind, out.String())
			}
		}
	}
}
