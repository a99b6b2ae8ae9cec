package chaos

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

// Redis is a throwaway redis-server on a free loopback port with its own
// data directory and append-only file, never the machine's shared one.
type Redis struct {
	Addr string
	dir  string
	port int
	cmd  *exec.Cmd
}

// StartRedis starts redis-server with its data in dir.
func StartRedis(ctx context.Context, dir string) (*Redis, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r := &Redis{Addr: fmt.Sprintf("127.0.0.1:%d", port), dir: dir, port: port}
	return r, r.start(ctx)
}

func (r *Redis) start(ctx context.Context) error {
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		return err
	}
	r.cmd = exec.Command("redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(r.port), "--dir", r.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--maxmemory-policy", "noeviction",
		"--protected-mode", "yes", "--logfile", filepath.Join(r.dir, "..", fmt.Sprintf("redis-%d.log", r.port)))
	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	c := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer c.Close()
	deadline := time.Now().Add(time.Minute)
	for {
		if err := c.Ping(ctx).Err(); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not answer: %w", r.Addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Kill stops redis-server with SIGKILL: what it had fsynced to its
// append-only file survives.
func (r *Redis) Kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
	}
}

// Restart kills redis-server and starts it again, with its data or, when
// keep is false, with an empty data directory.
func (r *Redis) Restart(ctx context.Context, keep bool) error {
	r.Kill()
	if !keep {
		if err := os.RemoveAll(r.dir); err != nil {
			return err
		}
	}
	return r.start(ctx)
}
