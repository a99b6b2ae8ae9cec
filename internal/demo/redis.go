package demo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// Redis kinds.
const (
	RedisServer = "redis-server" // a redis-server child process
	RedisMini   = "miniredis"    // github.com/alicebob/miniredis in process
)

// Redis is the demo's Redis: a private redis-server when one is on PATH,
// else miniredis in this process.
type Redis struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// Kind is RedisServer or RedisMini.
	Kind string

	cmd    *exec.Cmd
	exited chan struct{}
	mini   *miniredis.Miniredis
	stop   chan struct{}
	ticked chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// RedisOptions selects the demo Redis.
type RedisOptions struct {
	// Dir holds the redis-server's log file; required for RedisServer.
	Dir string
	// Kind forces RedisServer or RedisMini; empty picks redis-server when
	// it is on PATH.
	Kind string
}

// StartRedis starts the demo Redis and waits until it answers PING. Close
// stops it.
func StartRedis(ctx context.Context, o RedisOptions) (*Redis, error) {
	kind := o.Kind
	if kind == "" {
		kind = RedisMini
		if _, err := exec.LookPath("redis-server"); err == nil {
			kind = RedisServer
		}
	}
	switch kind {
	case RedisServer:
		// A port picked from a closed listener can be taken again before
		// redis-server binds it; try a few.
		var err error
		for range 3 {
			var r *Redis
			if r, err = startRedisServer(ctx, o.Dir); err == nil {
				return r, nil
			}
		}
		return nil, err
	case RedisMini:
		return startMiniredis()
	}
	return nil, fmt.Errorf("demo: unknown redis kind %q", kind)
}

func startRedisServer(ctx context.Context, dir string) (*Redis, error) {
	if dir == "" {
		return nil, errors.New("demo: redis-server needs a directory")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	// noeviction: asynq's leases must never be evicted (asynq #799).
	cmd := exec.Command("redis-server",
		"--bind", "127.0.0.1",
		"--port", strconv.Itoa(port),
		"--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"),
		"--save", "",
		"--appendonly", "no",
		"--maxmemory-policy", "noeviction",
		"--daemonize", "no",
	)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = nil, nil
	setChildAttrs(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("demo: start redis-server: %w", err)
	}
	r := &Redis{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Kind: RedisServer, cmd: cmd, exited: make(chan struct{})}
	go func() {
		cmd.Wait() //nolint:errcheck // the exit is reported through r.exited
		close(r.exited)
	}()
	if err := r.waitReady(ctx, 10*time.Second); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func startMiniredis() (*Redis, error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("demo: start miniredis: %w", err)
	}
	r := &Redis{Addr: m.Addr(), Kind: RedisMini, mini: m, stop: make(chan struct{}), ticked: make(chan struct{})}
	m.SetTime(time.Now())
	go r.tick()
	return r, nil
}

// tick advances miniredis's clock with the wall clock: it expires keys only
// when told to, and asynq's leases, unique locks and server heartbeats
// depend on expiry.
func (r *Redis) tick() {
	defer close(r.ticked)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-r.stop:
			return
		case now := <-t.C:
			r.mini.SetTime(now)
			r.mini.FastForward(now.Sub(last))
			last = now
		}
	}
}

// waitReady polls PING until redis-server answers, exits or the timeout
// passes.
func (r *Redis) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if pong(r.Addr) {
			return nil
		}
		select {
		case <-r.exited:
			return fmt.Errorf("demo: redis-server on %s exited at start", r.Addr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("demo: redis-server on %s did not answer within %v", r.Addr, timeout)
		}
	}
}

func pong(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}

// Close stops the Redis: SIGTERM to redis-server (SIGKILL after 5 s), or
// miniredis and its clock. A second Close is harmless.
func (r *Redis) Close() error {
	r.closeOnce.Do(func() {
		if r.mini != nil {
			close(r.stop)
			<-r.ticked
			r.mini.Close()
			return
		}
		if err := r.cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
			r.closeErr = fmt.Errorf("demo: stop redis-server: %w", err)
		}
		select {
		case <-r.exited:
		case <-time.After(5 * time.Second):
			r.cmd.Process.Kill() //nolint:errcheck // best effort after the grace period
			<-r.exited
		}
	})
	return r.closeErr
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("demo: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
