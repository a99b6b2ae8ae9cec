package bench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/proc"
)

// procSnapshot is every process's /proc/PID/stat at one moment.
type procSnapshot map[int]proc.Stat

// snapshotProcs reads /proc/PID/stat of every process on the machine
// (those that exit while it reads are left out).
func snapshotProcs() (procSnapshot, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	snap := procSnapshot{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if s, err := proc.ReadStat(pid); err == nil {
			snap[pid] = s
		}
	}
	return snap, nil
}

// treeCPU is the CPU time used so far by process root and all its
// descendants, the exited ones included: for root and every live
// descendant its own time plus that of its reaped children. A process
// that has exited but was not reaped yet is still in /proc (a zombie)
// with its own time, so nothing is counted twice or lost as long as the
// tree's processes reap their children (Dovecot's master does, and is
// the parent of every Dovecot process). Zero when root is not running.
func (s procSnapshot) treeCPU(root int) time.Duration {
	if _, ok := s[root]; !ok {
		return 0
	}
	children := map[int][]int{}
	for pid, st := range s {
		children[st.PPID] = append(children[st.PPID], pid)
	}
	var sum int64
	for queue := []int{root}; len(queue) > 0; queue = queue[1:] {
		st := s[queue[0]]
		sum += st.UTime + st.STime + st.CUTime + st.CSTime
		queue = append(queue, children[queue[0]]...)
	}
	return proc.Ticks(sum)
}

// parseMachineBusy reads the first line of /proc/stat ("cpu  user nice
// system idle iowait irq softirq steal guest guest_nice") and returns the
// busy CPU time of all cores together: everything but idle and iowait
// (guest time is already part of user and nice).
func parseMachineBusy(stat string) (time.Duration, error) {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("/proc/stat: first line %.60q is not the cpu total", line)
	}
	var busy int64
	for i, v := range f[1:9] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat cpu field %d: %w", i+1, err)
		}
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return proc.Ticks(busy), nil
}

func machineBusy() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	return parseMachineBusy(string(b))
}

// PartyCPU is the CPU time of each party of a run over the measured
// window: the salesdesk processes, the Dovecot server (its master and
// every child, also those that exited), the run's redis-server, the
// benchmark process itself (the SMTP sink, the appenders, the waiting),
// the PostgreSQL server when it is given and local, and the busy time
// of the whole machine (all cores), which includes the other four and
// whatever else runs on the machine.
type PartyCPU struct {
	Salesdesk, Dovecot, Redis, Bench, Postgres, Machine time.Duration
}

// Other is the machine's busy time that none of the parties used: other
// jobs on the machine (and the kernel's own work for nobody in
// particular). Negative values are rounding of the tick counts.
func (p PartyCPU) Other() time.Duration {
	return p.Machine - p.Salesdesk - p.Dovecot - p.Redis - p.Bench - p.Postgres
}

// Sub is p minus an earlier reading q.
func (p PartyCPU) Sub(q PartyCPU) PartyCPU {
	return PartyCPU{Salesdesk: p.Salesdesk - q.Salesdesk, Dovecot: p.Dovecot - q.Dovecot, Redis: p.Redis - q.Redis,
		Bench: p.Bench - q.Bench, Postgres: p.Postgres - q.Postgres, Machine: p.Machine - q.Machine}
}

// PerMail is each figure divided by mails.
func (p PartyCPU) PerMail(mails int) PartyCPU {
	n := time.Duration(max(mails, 1))
	return PartyCPU{Salesdesk: p.Salesdesk / n, Dovecot: p.Dovecot / n, Redis: p.Redis / n, Bench: p.Bench / n,
		Postgres: p.Postgres / n, Machine: p.Machine / n}
}

// String is the figures in milliseconds as key=value pairs.
func (p PartyCPU) String() string {
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) }
	return fmt.Sprintf("salesdesk=%s dovecot=%s redis=%s bench=%s postgres=%s other=%s machine=%s",
		ms(p.Salesdesk), ms(p.Dovecot), ms(p.Redis), ms(p.Bench), ms(p.Postgres), ms(p.Other()), ms(p.Machine))
}
