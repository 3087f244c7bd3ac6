package tenant

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/templates"
)

// The regular expressions validID and validColor stand for.
var (
	idPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

func sameAsPatterns(t *testing.T, s string) {
	t.Helper()
	assert.Equal(t, idPattern.MatchString(s), validID(s), "validID(%q)", s)
	assert.Equal(t, colorPattern.MatchString(s), validColor(s), "validColor(%q)", s)
}

func TestPatternsAgree(t *testing.T) {
	for _, s := range []string{
		"", "a", "-a", "a-", "acme", "Acme", "default", "a_b", "a b", "é", "a\n",
		strings.Repeat("a", 63), strings.Repeat("a", 64), "0" + strings.Repeat("-", 62),
		"#000000", "#FFffAa", "#00000", "#0000000", "000000", "#00000g", "#00000\n",
	} {
		sameAsPatterns(t, s)
	}
}

func FuzzPatternsAgree(f *testing.F) {
	for _, s := range []string{"acme", "#1a2B3c", "a-0", "-"} {
		f.Add(s)
	}
	f.Fuzz(sameAsPatterns)
}

// The embedded tenants take parseChecked's fast way, not its fallback.
func TestEmbeddedTenantsTakeTheFastWay(t *testing.T) {
	names, err := fs.Glob(templates.FS, "tenants/*/tenant.json")
	require.NoError(t, err)
	require.NotEmpty(t, names)
	for _, name := range names {
		data, err := fs.ReadFile(templates.FS, name)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(data, &doc))
		assert.True(t, new(Tenant).copyFrom(doc), name)
	}
}
