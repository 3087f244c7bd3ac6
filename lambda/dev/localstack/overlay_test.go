package localstack

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

func TestWriteOverlay(t *testing.T) {
	dir := t.TempDir()
	links := pageLinks("http://127.0.0.1:8123")
	require.NoError(t, writeOverlay(dir, links))

	t.Run("case=links point at the page server, every other field kept", func(t *testing.T) {
		got, want := readJSON(t, os.DirFS(dir), "tenants/default/tenant.json"), readJSON(t, templates.FS, "tenants/default/tenant.json")
		gotLinks, wantLinks := got["links"].(map[string]any), want["links"].(map[string]any)
		assert.Equal(t, links.Reset, gotLinks["resetUrl"])
		assert.Equal(t, links.Activate, gotLinks["inviteUrl"])
		assert.Equal(t, links.Confirm, gotLinks["verifyUrl"])
		for _, key := range []string{"resetUrl", "inviteUrl", "verifyUrl"} {
			delete(gotLinks, key)
			delete(wantLinks, key)
		}
		assert.Equal(t, want, got)
	})

	t.Run("case=a tenant without a verifyUrl gets none", func(t *testing.T) {
		got := readJSON(t, os.DirFS(dir), "tenants/acme/tenant.json")["links"].(map[string]any)
		assert.Equal(t, links.Reset, got["resetUrl"])
		assert.NotContains(t, got, "verifyUrl")
	})

	t.Run("case=the whole folder is copied", func(t *testing.T) {
		embedded, err := fs.Glob(templates.FS, "tenants/acme/*/*")
		require.NoError(t, err)
		require.NotEmpty(t, embedded)
		for _, name := range append(embedded, "tenants/acme/footer.tmpl") {
			assert.FileExists(t, filepath.Join(dir, filepath.FromSlash(name)))
		}
	})

	// By id, against the embedded tenants: an operator may add one.
	t.Run("case=every embedded tenant is in the overlay and valid for the function", func(t *testing.T) {
		want, err := tenant.NewStore(templates.FS).IDs()
		require.NoError(t, err)
		all, err := tenant.NewStore(os.DirFS(dir)).LoadAll()
		require.NoError(t, err)
		got := make([]string, len(all))
		for i, tn := range all {
			got[i] = tn.ID
		}
		assert.Equal(t, want, got)
	})
}

func readJSON(t *testing.T, fsys fs.FS, name string) map[string]any {
	t.Helper()
	data, err := fs.ReadFile(fsys, name)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	return doc
}
