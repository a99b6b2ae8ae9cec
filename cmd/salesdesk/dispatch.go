package main

import (
	"context"
	"fmt"
	"io"
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
		"import":        {"import customers|contacts|orders FILE.csv (one transaction; --skip-bad)", runImport},
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
