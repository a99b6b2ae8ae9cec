package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"salesdesk/config"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
)

// importEnv is a config file pointing at a fresh SQLite database, and the
// CSV files of one test.
type importEnv struct {
	dir, config, dsn string
	notified         []string
}

func newImportEnv(t *testing.T) *importEnv {
	t.Helper()
	e := &importEnv{dir: t.TempDir()}
	e.dsn = storetest.SQLiteDSN(t, "salesdesk.db")
	e.config = e.write(t, "salesdesk.yaml", "database:\n  dsn: \""+e.dsn+"\"\n")
	return e
}

func (e *importEnv) write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// run runs `salesdesk import` with a notifier that records its calls.
func (e *importEnv) run(t *testing.T, args ...string) (code int, out, errOut string) {
	t.Helper()
	var o, eo bytes.Buffer
	fake := func(context.Context, config.Config, *store.Store) (statusNotify, func(), error) {
		return func(_ context.Context, id int64, from, to string) error {
			e.notified = append(e.notified, from+"->"+to)
			return nil
		}, func() {}, nil
	}
	code = importCommand(context.Background(), append([]string{"-c", e.config}, args...), stdio{in: strings.NewReader(""), out: &o, err: &eo}, fake)
	return code, o.String(), eo.String()
}

func (e *importEnv) store(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), e.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestImportCommand(t *testing.T) {
	e := newImportEnv(t)
	customers := e.write(t, "customers.csv", "Customer No,Company,Colour\nC-1,Acme,blue\nC-2,Globex,red\n")
	orders := e.write(t, "orders.csv", "Order No,Customer,Status,Total\nSO-1,C-1,confirmed,10.00\nSO-2,C-2,pending,5\n")
	bad := e.write(t, "bad.csv", "Order No,Customer,Status\nSO-3,C-1,confirmed\nSO-4,C-404,confirmed\nSO-5,C-1,lost\n")

	code, out, errOut := e.run(t, "customers", customers)
	if code != 0 || !strings.Contains(out, "customers: 2 rows, 2 created, 0 updated, 0 unchanged") || !strings.Contains(out, "ignored columns: Colour") {
		t.Fatalf("customers: code %d\n%s%s", code, out, errOut)
	}
	// Flags after the arguments work too.
	if code, out, errOut := e.run(t, "orders", orders, "--skip-bad"); code != 0 || !strings.Contains(out, "2 created") {
		t.Fatalf("orders: code %d\n%s%s", code, out, errOut)
	}

	code, out, errOut = e.run(t, "orders", bad)
	if code != 1 || !strings.Contains(out, "row 3: customer \"C-404\"") || !strings.Contains(out, "row 4: status") ||
		!strings.Contains(errOut, "2 bad rows, nothing imported") {
		t.Errorf("bad file: code %d\n%s%s", code, out, errOut)
	}
	st := e.store(t)
	if _, err := st.OrderByNumber(context.Background(), "SO-3"); err == nil {
		t.Error("SO-3 imported from a file with bad rows")
	}

	code, out, _ = e.run(t, "--skip-bad", "orders", bad)
	if code != 0 || !strings.Contains(out, "1 created") || !strings.Contains(out, "2 bad rows skipped") || !strings.Contains(out, "row 4: status") {
		t.Errorf("--skip-bad: code %d\n%s", code, out)
	}

	// Re-import: nothing changes, nobody is mailed.
	code, out, _ = e.run(t, "orders", orders)
	if code != 0 || !strings.Contains(out, "0 created, 0 updated, 2 unchanged") || len(e.notified) != 0 {
		t.Errorf("re-import: code %d notified %v\n%s", code, e.notified, out)
	}

	// A status change mails the customer, unless told not to.
	changed := e.write(t, "changed.csv", "number,customer,status\nSO-1,C-1,shipped\n")
	code, out, _ = e.run(t, "orders", changed)
	if code != 0 || !strings.Contains(out, "order SO-1: confirmed -> shipped") || !slices.Equal(e.notified, []string{"confirmed->shipped"}) {
		t.Errorf("status change: code %d notified %v\n%s", code, e.notified, out)
	}
	changed = e.write(t, "changed2.csv", "number,customer,status\nSO-1,C-1,delivered\n")
	if code, _, _ := e.run(t, "--no-notify", "orders", changed); code != 0 || len(e.notified) != 1 {
		t.Errorf("--no-notify: code %d notified %v", code, e.notified)
	}
}

func TestImportCommandUsage(t *testing.T) {
	e := newImportEnv(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no arguments", nil, 2, "usage: salesdesk import"},
		{"unknown kind", []string{"widgets", "x.csv"}, 2, `unknown kind "widgets"`},
		{"missing file", []string{"orders", filepath.Join(e.dir, "nope.csv")}, 1, "no such file"},
		{"bad header", []string{"orders", e.write(t, "h.csv", "customer\nC-1\n")}, 1, "required column number is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := e.run(t, tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("code %d, stderr %q; want %d and %q", code, errOut, tt.wantCode, tt.wantErr)
			}
		})
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	b := &importProgress{w: &buf, label: "orders"}
	b.update(1e6, 4e6) // drawn: the first update
	b.update(2e6, 4e6) // skipped: within 100ms
	b.update(4e6, 4e6) // drawn: the last one always is, and ends the line
	b.done()           // the line is already ended
	out := buf.String()
	if !strings.Contains(out, "orders") || !strings.Contains(out, "(1.0/4.0 MB") || !strings.Contains(out, "(4.0/4.0 MB") {
		t.Errorf("bar = %q, want the label, 1.0/4.0 MB and 4.0/4.0 MB", out)
	}
	if strings.Contains(out, "2.0/4.0") {
		t.Errorf("bar = %q: drew 2.0/4.0 within 100ms of 1.0/4.0", out)
	}
	if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("bar = %q, want one line ended after 4.0/4.0 MB", out)
	}

	// An import that stops early still ends the line, once.
	buf.Reset()
	b = &importProgress{w: &buf, label: "orders"}
	b.update(1e6, 4e6)
	b.done()
	if out := buf.String(); !strings.Contains(out, "1.0/4.0 MB") || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("stopped bar = %q, want 1.0/4.0 MB and one newline", out)
	}

	// A size not known draws the bytes read.
	buf.Reset()
	b = &importProgress{w: &buf, label: "orders"}
	b.update(3e6, 0)
	b.done()
	if out := buf.String(); !strings.Contains(out, "3.0 MB") {
		t.Errorf("bar without a size = %q, want 3.0 MB", out)
	}

	var nilBar *importProgress
	nilBar.done()                     // no bar when stderr is not a terminal
	(&importProgress{w: &buf}).done() // nor when nothing was imported
	if isTerminal(&buf) {
		t.Error("a buffer is a terminal")
	}
}
