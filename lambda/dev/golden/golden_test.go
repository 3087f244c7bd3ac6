package golden

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryTestPackageAcceptsUpdate keeps `go test ./... -update` working:
// a test binary that does not link this package fails on the flag.
func TestEveryTestPackageAcceptsUpdate(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	withTests, withFlag := map[string]bool{}, map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		withTests[dir] = true
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), `"github.com/cogmail/cogmail/lambda/dev/golden"`) {
			withFlag[dir] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(withTests) < 10 {
		t.Fatalf("found only %d test packages: is the walk rooted at the module?", len(withTests))
	}
	for dir := range withTests {
		if !withFlag[dir] && filepath.Base(dir) != "golden" {
			t.Errorf("%s: no test file imports lambda/dev/golden; add a flags_test.go like the other packages'", dir)
		}
	}
}
