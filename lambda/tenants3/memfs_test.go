package tenants3

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The folder behaves as any fs.FS (fstest.TestFS: Open, ReadDir, Stat,
// Glob, ReadFile and their errors).
func TestMemFS(t *testing.T) {
	fsys, err := newMemFS(map[string][]byte{
		"tenant.json":       []byte(`{"id":"acme"}`),
		"locales/de.json":   []byte(`{}`),
		"locales/en.json":   []byte(`{"a":"b"}`),
		"reset.html.tmpl":   []byte(`{{define "x"}}{{end}}`),
		"deep/er/down.tmpl": []byte(`x`),
	})
	require.NoError(t, err)
	require.NoError(t, fstest.TestFS(fsys, "tenant.json", "locales/de.json", "locales/en.json", "reset.html.tmpl", "deep/er/down.tmpl"))

	names, err := fs.Glob(fsys, "locales/*.json")
	require.NoError(t, err)
	assert.Equal(t, []string{"locales/de.json", "locales/en.json"}, names)

	t.Run("case=read-only", func(t *testing.T) {
		data, err := fs.ReadFile(fsys, "tenant.json")
		require.NoError(t, err)
		data[0] = 'X'
		again, err := fs.ReadFile(fsys, "tenant.json")
		require.NoError(t, err)
		assert.Equal(t, `{"id":"acme"}`, string(again), "a caller's change to what it read is its own")
	})
	t.Run("case=missing", func(t *testing.T) {
		_, err := fs.ReadFile(fsys, "locales/fr.json")
		assert.ErrorIs(t, err, fs.ErrNotExist)
		_, err = fs.ReadDir(fsys, "nothing")
		assert.ErrorIs(t, err, fs.ErrNotExist)
		_, err = fs.Stat(fsys, "nothing")
		assert.ErrorIs(t, err, fs.ErrNotExist)
	})
	t.Run("case=a file and a folder", func(t *testing.T) {
		_, err := newMemFS(map[string][]byte{"locales": nil, "locales/de.json": nil})
		assert.Error(t, err)
	})
	t.Run("case=empty", func(t *testing.T) {
		empty, err := newMemFS(map[string][]byte{})
		require.NoError(t, err)
		assert.NoError(t, fstest.TestFS(empty))
	})
}
