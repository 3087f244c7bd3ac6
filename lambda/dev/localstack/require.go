package localstack

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cogmail/cogmail/lambda/dev/rie"
)

// Require skips t, saying why, when the local stack cannot run here: no node
// on PATH, or cognito-local not installed under infra/local. Everything else
// it needs is the test's to build, and a failure to.
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH: the local stack needs Node.js")
	}
	root, err := rie.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, nodeModule, "package.json")); err != nil {
		t.Skipf("%s is missing: run make node-deps", nodeModule)
	}
}
