package mailer

import (
	"os"
	"path/filepath"
	"testing"
)

// checkGolden compares a rendering with testdata/NAME.golden, or rewrites
// the file under -update.
func checkGolden(t *testing.T, name string, got Rendered) {
	t.Helper()
	text := "Subject: " + got.Subject + "\n\n--- text ---\n" + got.Text + "\n--- html ---\n" + got.HTML
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if text != string(want) {
		t.Errorf("%s differs from the rendering; diff it with -update and git diff.\ngot:\n%s", path, text)
	}
}
