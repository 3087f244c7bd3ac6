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

// The deploy guide's parameter table is what `sam deploy --guided` asks
// for: every parameter of template.yaml has its row, and every row is a
// parameter.
func TestDeployGuideListsEveryParameter(t *testing.T) {
	var params []string
	for line := range strings.SplitSeq(block(readTemplate(t).text(), "Parameters", 0), "\n") {
		if indentOf(line) == 2 && strings.HasSuffix(line, ":") {
			params = append(params, strings.TrimSuffix(strings.TrimSpace(line), ":"))
		}
	}
	require.NotEmpty(t, params)

	guide, err := os.ReadFile(filepath.Join(moduleRoot(t), "infra", "README.md"))
	require.NoError(t, err)
	text := string(guide)
	start := strings.Index(text, "| Parameter | Value |")
	require.GreaterOrEqual(t, start, 0, "infra/README.md has no parameter table")
	table := text[start:]
	if end := strings.Index(table, "\n\n"); end >= 0 {
		table = table[:end]
	}
	var rows []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(\\w+)` \\|").FindAllStringSubmatch(table, -1) {
		rows = append(rows, m[1])
	}
	assert.ElementsMatch(t, params, rows, "template.yaml's parameters against infra/README.md's table")
}
