package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSecurityNamesRealTests keeps SECURITY.md honest: every file it cites
// exists, and every test it names (in parentheses after a file) is declared
// in that file. A defence whose test is renamed or deleted fails here.
func TestSecurityNamesRealTests(t *testing.T) {
	root := moduleRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "SECURITY.md"))
	require.NoError(t, err)
	cite := regexp.MustCompile("`((?:lambda|events)/[^`]+\\.(?:go|json))`(?:\\s+and\\s+`(lambda/[^`]+\\.go)`)?(?:\\s+\\(([^)]*)\\))?")
	matches := cite.FindAllStringSubmatch(string(doc), -1)
	require.NotEmpty(t, matches, "SECURITY.md cites no test files")
	for _, m := range matches {
		files := []string{m[1]}
		if m[2] != "" {
			files = append(files, m[2])
		}
		for _, file := range files {
			src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
			if !assert.NoError(t, err, "SECURITY.md cites %s", file) {
				continue
			}
			for _, name := range regexp.MustCompile("`(Test\\w+)`").FindAllStringSubmatch(m[3], -1) {
				assert.True(t, strings.Contains(string(src), "func "+name[1]+"("),
					"SECURITY.md says %s is in %s", name[1], file)
			}
		}
	}
}
