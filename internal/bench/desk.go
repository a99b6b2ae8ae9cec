package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"
)

// Redis is a throwaway redis-server on a free loopback port: no
// persistence, noeviction, never the machine's shared server.
type Redis struct {
	Addr string
	cmd  *exec.Cmd
}

// StartRedis starts redis-server with its log in dir.
func StartRedis(ctx context.Context, dir string) (*Redis, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	r := &Redis{Addr: fmt.Sprintf("127.0.0.1:%d", port)}
	r.cmd = exec.Command("redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", dir,
		"--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction", "--protected-mode", "yes",
		"--logfile", filepath.Join(dir, "redis.log"))
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	c := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer c.Close()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		err := c.Ping(ctx).Err()
		if err == nil {
			return r, nil
		}
		if time.Now().After(deadline) {
			r.Stop()
			return nil, fmt.Errorf("redis-server on %s did not answer: %w", r.Addr, err)
		}
	}
}

// Stop kills redis-server; its data is thrown away.
func (r *Redis) Stop() {
	if r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// DeskConfig is what the benchmark's salesdesk configuration needs.
type DeskConfig struct {
	RedisAddr    string
	DSN          string
	SMTPAddr     string
	IMAPAddr     string
	IMAPUser     string
	IMAPPassword string
	Concurrency  int // worker.concurrency; 0 keeps the default
}

// YAML is the configuration file: the defaults, except for the services
// of the run and two reps who are always working and never full, so that
// every quote request becomes an assigned lead.
func (c DeskConfig) YAML() (string, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte("bench-admin-password"), bcrypt.MinCost)
	if err != nil {
		return "", err
	}
	worker := ""
	if c.Concurrency > 0 {
		worker = fmt.Sprintf("worker:\n  concurrency: %d\n", c.Concurrency)
	}
	return fmt.Sprintf(`log:
  level: warn
redis:
  addr: %s
database:
  dsn: %q
%sweb:
  listen: 127.0.0.1:0
  base_url: http://desk.bench.example
  admin:
    username: admin
    password_hash: %q
  link_secret: %q
smtp:
  addr: %s
  tls: none
  from: Bench Sales <sales@desk.bench.example>
mailboxes:
  - name: sales
    addr: %s
    tls: none
    username: %s
    password: %q
routing:
  triage_address: triage@desk.bench.example
  team_address: team@desk.bench.example
leads:
  respect_working_hours: false
  manager_address: manager@desk.bench.example
  reps:
    - name: Rita Rep
      email: rita@desk.bench.example
      capacity: 1000000
    - name: Sam Rep
      email: sam@desk.bench.example
      capacity: 1000000
`, c.RedisAddr, c.DSN, worker, hash, strings.Repeat("b", 40), c.SMTPAddr, c.IMAPAddr, c.IMAPUser, c.IMAPPassword), nil
}

// Process is one salesdesk process of the run.
type Process struct {
	Role string
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
}

// StartProcess starts `bin role -c config [extra...]`, logging to logPath,
// without the SALESDESK_* variables of the benchmark's environment (the
// desk reads its configuration from the file alone).
func StartProcess(bin, config, role, logPath string, extra ...string) (*Process, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{role, "-c", config}, extra...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SALESDESK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", role, err)
	}
	p := &Process{Role: role, cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		log.Close()
		close(p.done)
	}()
	return p, nil
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// PeakRSS is the process's peak resident memory so far (VmHWM), in bytes.
func (p *Process) PeakRSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM for pid %d", p.cmd.Process.Pid)
}

// CPUTime is the user and system CPU time the process has used so far.
func (p *Process) CPUTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: state is field 3, utime 14 and stime 15.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", p.cmd.Process.Pid)
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on Linux.
const clockTicks = 100

// Stop sends SIGTERM and waits for the process to end (SIGKILL after
// 30 s).
func (p *Process) Stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}
