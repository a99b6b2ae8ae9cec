// Package proc runs salesdesk as the operator does, for the tests and
// tools that need the real binary: a throwaway redis-server, the binary
// built once, its configuration file and its role processes, started,
// stopped and killed. The chaos run, the end-to-end benchmark and the
// process tests of cmd/salesdesk all use it.
package proc
