// Command salesdesk-bench runs salesdesk's end-to-end benchmark once (see
// package bench); scripts/bench e2e provides its services and calls it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"

	"salesdesk/internal/bench"
)

func main() {
	var o bench.Options
	flag.StringVar(&o.Bin, "bin", "", "the salesdesk binary")
	flag.StringVar(&o.Dir, "dir", "", "directory for logs, configuration and profiles")
	flag.StringVar(&o.DSN, "dsn", "", "an empty database: sqlite:PATH or postgres://...")
	flag.StringVar(&o.IMAPAddr, "imap", "", "Dovecot host:port")
	flag.StringVar(&o.IMAPPassword, "imap-password", "", "Dovecot's password for any user")
	flag.IntVar(&o.Mails, "mails", 1000, "mails in the mix")
	flag.Float64Var(&o.Rate, "rate", 0, "offered mails per second; 0 appends as fast as possible")
	flag.IntVar(&o.Workers, "workers", 1, "worker processes (more than one splits the roles)")
	flag.IntVar(&o.Pollers, "pollers", 1, "competing poller processes (more than one splits the roles)")
	flag.BoolVar(&o.Split, "split", false, "run poller and worker roles as their own processes")
	flag.IntVar(&o.Concurrency, "concurrency", 0, "worker.concurrency of each worker process; 0 keeps the default")
	flag.IntVar(&o.AppendConns, "append-conns", 4, "IMAP connections appending at once")
	flag.IntVar(&o.NoopTasks, "noop-tasks", 20000, "tasks in asynq's no-op drain")
	flag.BoolVar(&o.CPUProfile, "cpuprofile", false, "each salesdesk process writes a CPU profile into -dir")
	flag.IntVar(&o.DovecotPID, "dovecot-pid", 0, "Dovecot's master process, to count the CPU time of the whole server; 0 leaves it out")
	flag.IntVar(&o.PostgresPID, "postgres-pid", 0, "the local PostgreSQL postmaster, to count the server's CPU time; 0 leaves it out")
	flag.Parse()
	if o.Bin == "" || o.Dir == "" || o.DSN == "" || o.IMAPAddr == "" {
		fmt.Fprintln(os.Stderr, "salesdesk-bench: -bin, -dir, -dsn and -imap are required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o.Log = os.Stderr
	if o.CPUProfile {
		// The benchmark's own CPU (the SMTP sink, the appenders) is part
		// of what the machine spends per mail.
		f, err := os.Create(filepath.Join(o.Dir, "cpu-bench.pprof"))
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "salesdesk-bench: cpu profile: %v\n", err)
			os.Exit(1)
		}
	}
	res, err := bench.Run(ctx, o)
	pprof.StopCPUProfile()
	if err != nil {
		fmt.Fprintf(os.Stderr, "salesdesk-bench: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(res.Check)
	fmt.Printf("cpu_ms_per_mail=%.1f (all salesdesk processes, user+system, from the first APPEND to the last answer) cpu_ms_per_mail_of: %s\n",
		float64(res.CPUPerMail.Microseconds())/1000, res.PartyPerMail)
	fmt.Println(res.Line())
	if !res.Check.OK() {
		os.Exit(3)
	}
}
