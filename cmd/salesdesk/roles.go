package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
)

// Role names, in start order; they stop in reverse.
const (
	roleWeb       = "web"
	roleWorker    = "worker"
	roleScheduler = "scheduler"
	rolePoller    = "poller"
)

func runAll(ctx context.Context, args []string, io stdio) int {
	return runRoles(ctx, "run", args, io, roleWeb, roleWorker, roleScheduler, rolePoller)
}
func runWorker(ctx context.Context, args []string, io stdio) int {
	return runRoles(ctx, roleWorker, args, io, roleWorker)
}
func runScheduler(ctx context.Context, args []string, io stdio) int {
	return runRoles(ctx, roleScheduler, args, io, roleScheduler)
}
func runWeb(ctx context.Context, args []string, io stdio) int {
	return runRoles(ctx, roleWeb, args, io, roleWeb)
}
func runPoller(ctx context.Context, args []string, io stdio) int {
	return runRoles(ctx, rolePoller, args, io, rolePoller)
}

// runRoles parses the common flags, loads the configuration and runs the
// roles until ctx ends (SIGINT/SIGTERM) or one of them fails.
func runRoles(ctx context.Context, name string, args []string, io stdio, roles ...string) int {
	fs := newFlagSet(name, commandHead(name, "[-c FILE]"), io)
	path := configFlag(fs)
	profile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (for scripts/bench e2e)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if *profile != "" {
		stopProfile, err := startCPUProfile(*profile)
		if err != nil {
			fmt.Fprintf(io.err, "salesdesk %s: %v\n", name, err)
			return 1
		}
		defer stopProfile()
	}
	cfg, ok := loadConfig(path(), true, io.err)
	if !ok {
		return 1
	}
	a, err := newApp(ctx, cfg, io.err)
	if err != nil {
		fmt.Fprintf(io.err, "salesdesk %s: %v\n", name, err)
		return 1
	}
	defer a.close()
	if err := a.run(ctx, roles...); err != nil {
		a.log.Error("stopped with an error", "command", name, "error", err)
		return 1
	}
	a.log.Info("stopped", "command", name)
	return 0
}

// startCPUProfile starts a CPU profile into path; the returned function
// stops it and closes the file.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// run builds every role first (so a bad setting fails before anything
// starts), then runs them until ctx ends or one fails; the others are then
// stopped and waited for.
func (a *app) run(ctx context.Context, roles ...string) error {
	// The poller role is built first so that the web role, built after it,
	// can report each mailbox on /readyz.
	built := make([]func(context.Context) error, len(roles))
	order := make([]int, 0, len(roles))
	for i, r := range roles {
		if r == rolePoller {
			order = append([]int{i}, order...)
		} else {
			order = append(order, i)
		}
	}
	for _, i := range order {
		fn, err := a.role(ctx, roles[i])
		if err != nil {
			return fmt.Errorf("%s: %w", roles[i], err)
		}
		built[i] = fn
	}
	if m := a.metricsServer(roles); m != nil {
		built = append(built, m)
		roles = append(slices.Clip(roles), "metrics")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for i, fn := range built {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", roles[i], err))
				mu.Unlock()
			}
			// Any role ending stops the others: a process that runs half
			// its roles would look alive while work piles up.
			cancel()
		}()
	}
	a.log.Info("salesdesk started", "roles", strings.Join(roles, ","))
	wg.Wait()
	return errors.Join(errs...)
}

// role returns the run function of one role.
func (a *app) role(ctx context.Context, name string) (func(context.Context) error, error) {
	switch name {
	case roleWorker:
		return a.workerRole(ctx)
	case roleScheduler:
		return a.schedulerRole(ctx)
	case roleWeb:
		return a.webRole(ctx)
	case rolePoller:
		return a.pollerRole(ctx)
	}
	return nil, fmt.Errorf("unknown role %q", name)
}
