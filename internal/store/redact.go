package store

import (
	"errors"
	"regexp"
)

var (
	// dsnURLPassword matches the password of a URL's userinfo
	// (postgres://user:PASSWORD@host), also in a URL url.Parse rejects.
	dsnURLPassword = regexp.MustCompile(`(\w://[^/@:\s]*):[^@\s]*@`)
	// dsnKeyPassword matches a password in key=value form (libpq
	// "password=PASSWORD", quoted or not, any case, spaces around '=') and in
	// a URL's query (?password=PASSWORD&...).
	dsnKeyPassword = regexp.MustCompile(`(?i)\b(password|sslpassword)(\s*=\s*)('(?:[^'\\]|\\.)*'|"[^"]*"|[^\s&]+)`)
)

// RedactDSN returns s with every database password in it replaced by
// "xxxxx": URL userinfo (postgres://u:pw@h), URL query parameters and
// key=value pairs (host=h password=pw). s may be a DSN or an error message
// that quotes one.
func RedactDSN(s string) string {
	s = dsnURLPassword.ReplaceAllString(s, "${1}:xxxxx@")
	return dsnKeyPassword.ReplaceAllString(s, "${1}${2}xxxxx")
}

// redactedError hides passwords in an error's text while keeping the
// error chain for errors.Is and errors.As.
type redactedError struct{ err error }

func (e redactedError) Error() string { return RedactDSN(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

// redactErr wraps err so that its message cannot carry a DSN password.
func redactErr(err error) error {
	if err == nil {
		return nil
	}
	var re redactedError
	if errors.As(err, &re) {
		return err
	}
	return redactedError{err}
}
