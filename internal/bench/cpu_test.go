package bench

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/proc"
)

func TestParseMachineBusy(t *testing.T) {
	tests := []struct {
		name    string
		stat    string
		want    time.Duration
		wantErr bool
	}{
		{
			// user nice system idle iowait irq softirq steal guest guest_nice
			name: "idle and iowait left out, guest not added twice",
			stat: "cpu  500 20 300 9000 700 10 40 30 100 0\ncpu0 250 10 150 4500 350 5 20 15 50 0\n",
			want: (500 + 20 + 300 + 10 + 40 + 30) * 10 * time.Millisecond,
		},
		{name: "a core, not the total", stat: "cpu0 1 2 3 4 5 6 7 8 9 10\n", wantErr: true},
		{name: "short", stat: "cpu  1 2 3\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMachineBusy(tt.stat)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestTreeCPU runs a shell that burns CPU in a child that exits (reaped:
// its parent's cutime) and then in a child that stays (a live
// descendant), and reads the tree's time from the real /proc.
func TestTreeCPU(t *testing.T) {
	const burn = `i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done`
	cmd := exec.Command("sh", "-c", "("+burn+"); echo reaped; sh -c '"+burn+"; echo live; exec cat'; :")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	for _, want := range []string{"reaped", "live"} {
		if !lines.Scan() || lines.Text() != want {
			t.Fatalf("shell said %q (%v), want %q", lines.Text(), lines.Err(), want)
		}
	}

	snap, err := snapshotProcs()
	if err != nil {
		t.Fatal(err)
	}
	shell, ok := snap[cmd.Process.Pid]
	if !ok {
		t.Fatalf("the shell %d is not in the snapshot", cmd.Process.Pid)
	}
	var live []int
	for pid, st := range snap {
		if st.PPID == cmd.Process.Pid {
			live = append(live, pid)
		}
	}
	if len(live) != 1 {
		t.Fatalf("the shell has %d live children, want 1", len(live))
	}
	reaped := proc.Ticks(shell.CUTime + shell.CSTime)
	liveCPU := proc.Ticks(snap[live[0]].UTime + snap[live[0]].STime)
	if reaped == 0 || liveCPU == 0 {
		t.Fatalf("the burns took no CPU ticks (reaped %v, live %v): make them longer", reaped, liveCPU)
	}
	got := snap.treeCPU(cmd.Process.Pid)
	if want := proc.Ticks(shell.UTime+shell.STime) + reaped + liveCPU; got != want {
		t.Errorf("treeCPU = %v, want the shell's own %v + reaped %v + live child %v", got,
			proc.Ticks(shell.UTime+shell.STime), reaped, liveCPU)
	}
	if snap.treeCPU(-1) != 0 {
		t.Errorf("treeCPU of no process is not zero")
	}
}

func TestMachineBusyAndProcessCPU(t *testing.T) {
	before, err := machineBusy()
	if err != nil {
		t.Fatal(err)
	}
	self, err := proc.ProcessCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Burn at least two ticks of this process's own CPU.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		if now, _ := proc.ProcessCPU(os.Getpid()); now-self >= 20*time.Millisecond {
			break
		}
		_ = strings.Repeat("x", 1<<12)
	}
	after, err := machineBusy()
	if err != nil {
		t.Fatal(err)
	}
	if now, _ := proc.ProcessCPU(os.Getpid()); now-self < 20*time.Millisecond {
		t.Fatalf("this process used %v of CPU in a minute of burning", now-self)
	}
	if after <= before {
		t.Errorf("the machine's busy time went from %v to %v while this process burned CPU", before, after)
	}
}

func TestPartyCPU(t *testing.T) {
	ms := time.Millisecond
	before := PartyCPU{Salesdesk: 100 * ms, Dovecot: 50 * ms, Redis: 10 * ms, Bench: 20 * ms, Machine: 1000 * ms}
	after := PartyCPU{Salesdesk: 500 * ms, Dovecot: 150 * ms, Redis: 60 * ms, Bench: 70 * ms, Postgres: 40 * ms, Machine: 1900 * ms}
	got := after.Sub(before).PerMail(100)
	want := PartyCPU{Salesdesk: 4 * ms, Dovecot: 1 * ms, Redis: ms / 2, Bench: ms / 2, Postgres: ms * 4 / 10, Machine: 9 * ms}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got.Other() != 2600*time.Microsecond {
		t.Errorf("Other = %v, want 2.6ms", got.Other())
	}
	if s := got.String(); s != "salesdesk=4.00 dovecot=1.00 redis=0.50 bench=0.50 postgres=0.40 other=2.60 machine=9.00" {
		t.Errorf("String = %q", s)
	}
}
