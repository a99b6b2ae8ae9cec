// Package plaintext decides whether an unencrypted connection to a mail
// server may be made: only to this machine (a loopback relay or a test
// server), or where the operator allowed it explicitly.
package plaintext

import (
	"fmt"
	"net"
	"strings"
)

// IsLoopback reports whether addr (host:port or a host) names this
// machine only: "localhost" or a loopback IP address.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Check returns an error unless a connection without TLS to addr is
// acceptable: addr is loopback, or allow (allow_plaintext) is set.
func Check(addr string, allow bool) error {
	if allow || IsLoopback(addr) {
		return nil
	}
	return fmt.Errorf("tls none to %s, which is not loopback, would send the password in clear; use starttls or implicit (or allow_plaintext for a test rig)", addr)
}
