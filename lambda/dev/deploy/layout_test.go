package deploy

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeLayout keeps README's Layout table a map of the whole tree: every
// Go package under lambda/ (but testdata) and every folder of templates/,
// events/ and infra/ is listed, or sits inside a listed folder that says what
// it holds. A tenant folder added the documented way sits inside
// templates/tenants, so it never breaks this.
func TestReadmeLayout(t *testing.T) {
	root := moduleRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	section := string(readme)
	start := strings.Index(section, "## Layout")
	require.GreaterOrEqual(t, start, 0, "README.md has no Layout section")
	section = section[start:]
	if end := strings.Index(section[len("## Layout"):], "\n## "); end >= 0 {
		section = section[:len("## Layout")+end]
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([^`]+)`").FindAllStringSubmatch(section, -1) {
		listed[strings.TrimSuffix(m[1], "/")] = true
	}
	covered := func(dir string) bool {
		for d := dir; d != "." && d != "/"; d = filepath.Dir(d) {
			if listed[filepath.ToSlash(d)] && (d == dir || !strings.HasPrefix(dir, "lambda/")) {
				return true
			}
		}
		return false
	}

	var missing []string
	for _, top := range []string{"lambda", "templates", "events", "infra"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				return nil
			}
			switch d.Name() {
			case "testdata", "node_modules":
				return filepath.SkipDir
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if rel == "lambda" || rel == "lambda/cmd" || rel == "lambda/internal" {
				return nil // folders of folders: their children are listed
			}
			if strings.HasPrefix(rel, "lambda/") && !hasGo(path) {
				return nil
			}
			if !covered(rel) {
				missing = append(missing, rel)
			}
			return nil
		})
		require.NoError(t, err)
	}
	assert.Empty(t, missing, "README.md's Layout table does not list these folders")
}

func hasGo(dir string) bool {
	matches, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	return len(matches) > 0
}
