package proc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the times in /proc/PID/stat and /proc/stat: 100
// ticks a second on Linux (USER_HZ, not the kernel's HZ).
const userHZ = 100

// Ticks is n ticks of /proc's CPU times as a duration.
func Ticks(n int64) time.Duration { return time.Duration(n) * time.Second / userHZ }

// Stat is what salesdesk's tools read of /proc/PID/stat.
type Stat struct {
	PPID           int
	UTime, STime   int64 // the process's own CPU ticks, every thread
	CUTime, CSTime int64 // of its children that exited and were reaped
}

// ParseStat reads one /proc/PID/stat line. The command name (field 2)
// is in parentheses and may hold spaces and parentheses itself, so the
// fields are counted from the last ')'.
func ParseStat(line string) (Stat, error) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return Stat{}, fmt.Errorf("stat %.40q: no command name", line)
	}
	// f[0] is field 3 (state): ppid is field 4, utime..cstime 14..17.
	f := strings.Fields(line[i+1:])
	if len(f) < 15 {
		return Stat{}, fmt.Errorf("stat %.40q: %d fields after the name", line, len(f))
	}
	var n [5]int64
	for k, field := range []int{4, 14, 15, 16, 17} {
		v, err := strconv.ParseInt(f[field-3], 10, 64)
		if err != nil {
			return Stat{}, fmt.Errorf("stat field %d: %w", field, err)
		}
		n[k] = v
	}
	return Stat{PPID: int(n[0]), UTime: n[1], STime: n[2], CUTime: n[3], CSTime: n[4]}, nil
}

// ReadStat reads /proc/PID/stat of process pid.
func ReadStat(pid int) (Stat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return Stat{}, err
	}
	return ParseStat(string(b))
}

// ProcessCPU is the CPU time (user + system) that process pid itself has
// used so far, without its children.
func ProcessCPU(pid int) (time.Duration, error) {
	s, err := ReadStat(pid)
	if err != nil {
		return 0, err
	}
	return Ticks(s.UTime + s.STime), nil
}
