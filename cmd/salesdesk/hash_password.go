package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// runHashPassword reads one password line from stdin and prints its bcrypt
// hash, for web.admin.password_hash and web.viewers[].password_hash.
func runHashPassword(_ context.Context, args []string, io stdio) int {
	fs := newFlagSet("hash-password", commandHead("hash-password", "< password.txt")+
		"\nThe password is read from stdin, never from flags.", io)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	line, err := bufio.NewReader(io.in).ReadString('\n')
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		fmt.Fprintf(io.err, "hash-password: no password on stdin (%v)\n", err)
		return 1
	}
	if len(password) < 8 {
		fmt.Fprintln(io.err, "hash-password: use at least 8 characters")
		return 1
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		fmt.Fprintf(io.err, "hash-password: %v\n", err)
		return 1
	}
	fmt.Fprintln(io.out, string(hash))
	return 0
}
