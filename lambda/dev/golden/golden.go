// Package golden compares test output with files under version control, and
// rewrites them when tests run with -update.
//
// The flag lives here, and every test package imports this one, because
// `go test ./... -update` hands the flag to every test binary: a binary that
// does not define it fails.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// Update is true under `go test … -update`.
var Update = flag.Bool("update", false, "rewrite golden files with the output of this run")

// Assert compares got with the file at path; with -update it writes got
// there instead.
func Assert(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./... -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from this run's output (run go test ./... -update and review the diff)\n--- want\n%s\n--- got\n%s", path, clip(want), clip(got))
	}
}

func clip(b []byte) string {
	const max = 4000
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
