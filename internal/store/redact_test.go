package store

import (
	"context"
	"strings"
	"testing"
)

func TestRedactDSN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sqlite:/var/lib/salesdesk.db", "sqlite:/var/lib/salesdesk.db"},
		{"postgres://u:s3cret@h:5432/db", "postgres://u:xxxxx@h:5432/db"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{`parse "postgres://u:s3cret@h:port/db": invalid port`, `parse "postgres://u:xxxxx@h:port/db": invalid port`},
		{"postgres://h/db?user=u&password=s3cret&sslmode=disable", "postgres://h/db?user=u&password=xxxxx&sslmode=disable"},
		{"host=h user=u password=s3cret dbname=d", "host=h user=u password=xxxxx dbname=d"},
		{"host=h PASSWORD = s3cret dbname=d", "host=h PASSWORD = xxxxx dbname=d"},
		{`host=h password='s3 cr\'et' dbname=d`, "host=h password=xxxxx dbname=d"},
		{"sslpassword=s3cret", "sslpassword=xxxxx"},
	}
	for _, tt := range tests {
		if got := RedactDSN(tt.in); got != tt.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestOpenErrorsHidePassword opens DSNs that fail in different places
// (unsupported form, unparsable URL, unreachable server) and checks that
// the password appears in no error message.
func TestOpenErrorsHidePassword(t *testing.T) {
	const pw = "s3cretPW"
	for _, dsn := range []string{
		"host=127.0.0.1 port=1 user=u password=" + pw + " dbname=d",
		"host=127.0.0.1 password='" + pw + "'",
		"postgres://u:" + pw + "@127.0.0.1:notaport/db",
		"postgres://u:" + pw + "@127.0.0.1:1/db?connect_timeout=5",
		"postgres://u@127.0.0.1:1/db?password=" + pw + "&connect_timeout=5",
	} {
		_, err := Open(context.Background(), dsn)
		if err == nil {
			t.Errorf("Open(%q) succeeded, want error", RedactDSN(dsn))
			continue
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("Open error shows the password: %v", err)
		}
	}
}
