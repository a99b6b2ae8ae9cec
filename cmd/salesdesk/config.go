package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"salesdesk/config"
)

// configFlag registers -c on fs and returns a function that yields the
// chosen path: -c, else $SALESDESK_CONFIG, else "" (embedded defaults).
func configFlag(fs *flag.FlagSet) func() string {
	path := fs.String("c", "", "configuration file (default $SALESDESK_CONFIG; none: built-in defaults plus SALESDESK_* variables)")
	return func() string {
		if *path != "" {
			return *path
		}
		return os.Getenv(config.EnvConfigPath)
	}
}

// loadConfig loads the configuration and, when validate is set, validates
// it, printing every problem with its key.
func loadConfig(path string, validate bool, stderr io.Writer) (config.Config, bool) {
	cfg, err := config.Load(path)
	if err == nil && validate {
		if ps := cfg.Validate(); len(ps) > 0 {
			err = config.Problems(ps)
		}
	}
	if err != nil {
		var ps config.Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				fmt.Fprintln(stderr, p.Error())
			}
		} else {
			fmt.Fprintln(stderr, err)
		}
		return config.Config{}, false
	}
	return cfg, true
}

// runConfig implements `salesdesk config check -c FILE`.
func runConfig(_ context.Context, args []string, io stdio) int {
	fs := newFlagSet("config check", commandHead("config", "check [-c FILE]"), io)
	path := configFlag(fs)
	if len(args) == 0 || args[0] != "check" {
		// -h/--help, or a bad flag, before the verb.
		if code, done := parseFlags(fs, args); done {
			return code
		}
		fs.Usage()
		return 2
	}
	if code, done := parseFlags(fs, args[1:]); done {
		return code
	}
	problems := config.Check(path())
	if len(problems) == 0 {
		fmt.Fprintln(io.out, "ok")
		return 0
	}
	for _, p := range problems {
		fmt.Fprintln(io.out, p)
	}
	return 1
}
