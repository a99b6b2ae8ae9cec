package proc

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Persistence is what a Redis keeps when it is killed.
type Persistence int

const (
	// InMemory keeps nothing: no snapshot, no append-only file.
	InMemory Persistence = iota
	// AppendOnly fsyncs every write to an append-only file in the
	// Redis's directory, so a restart with its data finds all of it.
	AppendOnly
)

// Redis is a throwaway redis-server on a free loopback port with its own
// directory, never the machine's shared server. It runs with
// maxmemory-policy noeviction, as salesdesk asks of a production Redis.
type Redis struct {
	Addr        string
	dir         string
	port        int
	persistence Persistence
	cmd         *exec.Cmd
}

// StartRedis starts redis-server with its data and log in dir.
func StartRedis(ctx context.Context, dir string, p Persistence) (*Redis, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	r := &Redis{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir, port: port, persistence: p}
	return r, r.Start(ctx)
}

// Start starts redis-server again on the same port and directory after
// Kill, and waits until it answers PING.
func (r *Redis) Start(ctx context.Context) error {
	data := filepath.Join(r.dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return err
	}
	args := []string{"--bind", "127.0.0.1", "--port", strconv.Itoa(r.port), "--dir", data, "--save", "",
		"--maxmemory-policy", "noeviction", "--protected-mode", "yes", "--logfile", filepath.Join(r.dir, "redis.log")}
	if r.persistence == AppendOnly {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	r.cmd = exec.Command("redis-server", args...)
	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	c := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer c.Close()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		err := c.Ping(ctx).Err()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			r.Kill()
			return fmt.Errorf("redis-server on %s did not answer: %w", r.Addr, err)
		}
	}
}

// Kill stops redis-server with SIGKILL: with AppendOnly, what it had
// written survives; a second Kill is harmless.
func (r *Redis) Kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

// Restart kills redis-server and starts it again on the same port, with
// its data or, when keep is false, with an empty data directory.
func (r *Redis) Restart(ctx context.Context, keep bool) error {
	r.Kill()
	if !keep {
		if err := os.RemoveAll(filepath.Join(r.dir, "data")); err != nil {
			return err
		}
	}
	return r.Start(ctx)
}

// FreePort is a loopback TCP port nothing listens on right now.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
