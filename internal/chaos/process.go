package chaos

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// Process is one salesdesk role run as its own OS process, restartable
// after a SIGKILL.
type Process struct {
	bin, config, role, logPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// NewProcess describes `bin role -c config`, logging to logPath.
func NewProcess(bin, config, role, logPath string) *Process {
	return &Process{bin: bin, config: config, role: role, logPath: logPath}
}

// Start starts the process.
func (p *Process) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	log, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	cmd := Command(p.bin, p.role, "-c", p.config)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start %s: %w", p.role, err)
	}
	p.cmd, p.done = cmd, make(chan struct{})
	go func(done chan struct{}) {
		cmd.Wait()
		log.Close()
		close(done)
	}(p.done)
	return nil
}

// Kill sends SIGKILL and waits for the exit: no shutdown, tasks in
// flight stay active in Redis.
func (p *Process) Kill() { p.signal(os.Kill) }

// Stop sends SIGINT, lets the role shut down and waits for the exit.
func (p *Process) Stop() { p.signal(os.Interrupt) }

func (p *Process) signal(sig os.Signal) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(sig)
	<-done
}

// Command is exec.Command for the salesdesk binary with the SALESDESK_*
// variables of the test's environment removed: the desk reads its
// configuration from the file alone (and refuses variables that name no
// key, such as the test's own knobs).
func Command(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SALESDESK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}
