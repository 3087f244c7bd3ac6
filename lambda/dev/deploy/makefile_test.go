package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMakeHelp keeps `make` and `make help` honest: a bare make runs nothing
// but the list, and the list names every target a person may type.
func TestMakeHelp(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed: " + err.Error())
	}
	root := moduleRoot(t)
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	require.NoError(t, err)

	var phony []string
	for _, m := range regexp.MustCompile(`(?m)^\.PHONY:(.*)$`).FindAllStringSubmatch(string(makefile), -1) {
		phony = append(phony, strings.Fields(m[1])...)
	}
	require.NotEmpty(t, phony, "the Makefile declares no .PHONY targets")

	for _, args := range [][]string{nil, {"help"}} {
		cmd := exec.Command("make", append([]string{"--no-print-directory", "-C", root}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "make %v: %s", args, out)
		listed := map[string]bool{}
		for _, line := range strings.Split(string(out), "\n") {
			if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(line, "  ") {
				listed[f[0]] = true
			}
		}
		for _, target := range phony {
			assert.True(t, listed[target], "make %v does not list the .PHONY target %q (add `## what it does` to its line)", args, target)
		}
	}
}

// `sam build` runs `make build-<logical id>` for every function whose
// Metadata says BuildMethod makefile: each has its target.
func TestMakefileBuildsEveryFunction(t *testing.T) {
	makefile, err := os.ReadFile(filepath.Join(moduleRoot(t), "Makefile"))
	require.NoError(t, err)
	var functions []string
	for name, body := range resourceBlocks(t, readTemplate(t).text()) {
		if hasLine(body, `Type: AWS::Serverless::Function`) {
			require.True(t, hasLine(body, `BuildMethod: makefile`), "%s is not built by the Makefile", name)
			functions = append(functions, name)
		}
	}
	assert.Subset(t, functions, []string{"CogmailFunction", "PageFunction", "NotifierFunction", "SenderFunction"})
	for _, name := range functions {
		assert.Regexp(t, `(?m)^build-`+regexp.QuoteMeta(name)+`:`, string(makefile), "the Makefile has no target build-%s", name)
	}
}
