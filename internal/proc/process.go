package proc

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is one salesdesk role run as its own OS process,
// `bin role -c config [extra...]`, logging to a file; it can be started
// again after Stop or Kill.
type Process struct {
	Role                 string
	bin, config, logPath string
	extra                []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// NewProcess describes `bin role -c config [extra...]`, appending its
// output to logPath.
func NewProcess(bin, config, role, logPath string, extra ...string) *Process {
	return &Process{Role: role, bin: bin, config: config, logPath: logPath, extra: extra}
}

// StartProcess is NewProcess and Start.
func StartProcess(bin, config, role, logPath string, extra ...string) (*Process, error) {
	p := NewProcess(bin, config, role, logPath, extra...)
	return p, p.Start()
}

// Start starts the process.
func (p *Process) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	log, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	cmd := Command(p.bin, append([]string{p.Role, "-c", p.config}, p.extra...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start %s: %w", p.Role, err)
	}
	p.cmd, p.done = cmd, make(chan struct{})
	go func(done chan struct{}) {
		cmd.Wait()
		log.Close()
		close(done)
	}(p.done)
	return nil
}

// Stop sends SIGTERM, lets the role shut down and waits for the exit
// (SIGKILL after 30 s). Stopping a stopped process is harmless.
func (p *Process) Stop() {
	cmd, done := p.current()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// Kill sends SIGKILL and waits for the exit: no shutdown, tasks in
// flight stay active in Redis.
func (p *Process) Kill() {
	if cmd, done := p.current(); cmd != nil {
		cmd.Process.Kill()
		<-done
	}
}

// Exited reports whether the process was started and has ended.
func (p *Process) Exited() bool {
	_, done := p.current()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

func (p *Process) current() (*exec.Cmd, chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return nil, nil
	}
	return p.cmd, p.done
}

func (p *Process) pid() (int, error) {
	cmd, _ := p.current()
	if cmd == nil {
		return 0, fmt.Errorf("%s not started", p.Role)
	}
	return cmd.Process.Pid, nil
}

// PeakRSS is the process's peak resident memory so far (VmHWM), in bytes.
func (p *Process) PeakRSS() (int64, error) {
	pid, err := p.pid()
	if err != nil {
		return 0, err
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM for pid %d", pid)
}

// CPUTime is the user and system CPU time the process has used so far.
func (p *Process) CPUTime() (time.Duration, error) {
	pid, err := p.pid()
	if err != nil {
		return 0, err
	}
	return ProcessCPU(pid)
}

// Command is exec.Command for the salesdesk binary with the SALESDESK_*
// variables of the caller's environment removed: the desk reads its
// configuration from the file alone (and refuses variables that name no
// key, such as the tests' own knobs).
func Command(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SALESDESK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}
