package main

import (
	"context"
	"fmt"
	"os"

	"salesdesk/internal/mailparse"
)

// runInspectMail prints what salesdesk reads from raw mail, one JSON object
// per message: `salesdesk inspect-mail [FILE...]`, stdin when no file. A
// message that cannot be parsed gives an object with an "error" field and
// the next one follows; the exit status is 1 only when a file cannot be
// read.
func runInspectMail(ctx context.Context, args []string, io stdio) int {
	fs := newFlagSet("inspect-mail", "usage: salesdesk inspect-mail [-max-bytes N] [FILE...]\n\nReads raw mail (a message or an mbox per file; stdin when no file) and prints one JSON object per message.", io)
	maxBytes := fs.Int64("max-bytes", mailparse.DefaultMaxBytes, "largest message read in full; larger ones are marked oversize")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	opts := mailparse.Options{MaxBytes: *maxBytes}
	if fs.NArg() == 0 {
		if err := mailparse.Inspect(io.out, "", io.in, opts); err != nil {
			fmt.Fprintf(io.err, "salesdesk inspect-mail: %v\n", err)
			return 1
		}
		return 0
	}
	code := 0
	for _, name := range fs.Args() {
		if ctx.Err() != nil {
			return 1
		}
		if err := inspectFile(io, name, opts); err != nil {
			fmt.Fprintf(io.err, "salesdesk inspect-mail: %v\n", err)
			code = 1
		}
	}
	return code
}

func inspectFile(io stdio, name string, opts mailparse.Options) error {
	f, err := os.Open(name)
	if err != nil {
		rec := mailparse.InspectRecord{File: name, Error: err.Error()}
		if werr := mailparse.WriteInspectRecord(io.out, rec); werr != nil {
			return werr
		}
		return err
	}
	defer f.Close()
	return mailparse.Inspect(io.out, name, f, opts)
}
