package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
)

// stdio is where a command reads and writes; tests pass buffers.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// command is one subcommand: it gets its own arguments and returns the
// process exit code.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, io stdio) int
}

func commands() map[string]command {
	return map[string]command{
		"run":           {"run every role in one process (poller, worker, scheduler, web)", runAll},
		"demo":          {"run everything against embedded stand-ins and simulated customer mail", runDemoCommand},
		"worker":        {"run the asynq workers only", runWorker},
		"scheduler":     {"run the periodic-task scheduler only", runScheduler},
		"web":           {"run the dashboard, API and health endpoints only", runWeb},
		"poller":        {"run the IMAP pollers only", runPoller},
		"migrate":       {"apply the database migrations and exit", runMigrate},
		"import":        {"import " + strings.Join(importKindNames(), "|") + " FILE.csv (one transaction; --skip-bad)", runImport},
		"config":        {"config check -c FILE: validate a configuration file", runConfig},
		"hash-password": {"print a bcrypt hash for web.admin.password_hash (password on stdin)", runHashPassword},
		"inspect-mail":  {"print what salesdesk reads from raw mail files, as JSON lines", runInspectMail},
		"classify":      {"classify raw mails or text lines; --eval FILE.tsv scores the model", runClassify},
	}
}

// dispatch runs the subcommand named by args[0].
func dispatch(ctx context.Context, args []string, io stdio) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(io.out, cmds)
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(io.err, "salesdesk: unknown command %q\n\n", args[0])
		usage(io.err, cmds)
		return 2
	}
	return c.run(ctx, args[1:], io)
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("usage: salesdesk COMMAND [flags]\n\ncommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-14s %s\n", n, cmds[n].summary)
	}
	b.WriteString("\nmost commands take -c FILE (or SALESDESK_CONFIG); SALESDESK_* variables override keys.\n")
	io.WriteString(w, b.String())
}

// newFlagSet returns the flag set of a subcommand. Its usage, printed to
// stderr for -h/--help and after a bad flag, is head (the usage line and
// what the command does) followed by every flag with its default.
func newFlagSet(name, head string, io stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), strings.TrimRight(head, "\n"))
		var n int
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(fs.Output(), "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// commandHead is the usage head of the subcommand cmd: "usage: salesdesk
// cmd args" and the command's summary.
func commandHead(cmd, args string) string {
	summary := commands()[cmd].summary
	return fmt.Sprintf("usage: salesdesk %s %s\n\n%s%s.", cmd, args, strings.ToUpper(summary[:1]), summary[1:])
}

// parseFlags parses args into fs. When done is set the command ends with
// code: 0 after -h/--help, 2 after a bad flag; either way the flag package
// has printed the usage.
func parseFlags(fs *flag.FlagSet, args []string) (code int, done bool) {
	switch err := fs.Parse(args); {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		return 0, true
	default:
		return 2, true
	}
}

// importKindNames are the kinds `salesdesk import` reads, sorted.
func importKindNames() []string {
	return slices.Sorted(maps.Keys(importKinds()))
}
