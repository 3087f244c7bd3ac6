package render

import (
	"io/fs"
	"path"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/templates"
)

// agree checks that whatever scanCatalog reads, encoding/json reads the same.
func agree(t testing.TB, data []byte) bool {
	t.Helper()
	got, ok := scanCatalog(data)
	if !ok {
		return false
	}
	want, err := decodeCatalog(language.English, data)
	require.NoError(t, err, "scanCatalog read a catalog encoding/json refuses: %q", data)
	require.Equal(t, want.entries, got, "%q", data)
	return true
}

// Every catalog that ships (and every tenant's) takes the fast way, and
// reads as encoding/json reads it.
func TestScanCatalogReadsEveryShippedCatalog(t *testing.T) {
	var files []string
	require.NoError(t, fs.WalkDir(templates.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(name) == ".json" && path.Base(path.Dir(name)) == "locales" {
			files = append(files, name)
		}
		return err
	}))
	require.NotEmpty(t, files)
	for _, name := range files {
		t.Run("case="+name, func(t *testing.T) {
			data, err := fs.ReadFile(templates.FS, name)
			require.NoError(t, err)
			assert.True(t, agree(t, data), "%s must not need the slow way", name)
		})
	}
}

func TestScanCatalog(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		fast       bool // scanCatalog reads it; otherwise encoding/json decides
	}{
		{"empty object", ` {} `, true},
		{"text and forms", "{\"a\": \"x {n}\",\r\n\t\"b\": {\"one\": \"1\", \"other\": \"n\"}}", true},
		{"escapes", `{"a": "\"\\\/\b\f\n\r\t\u00e9\u4e2d\u0000"}`, true},
		{"escaped key", `{"a\u0062": "x"}`, true},
		{"UTF-8 text", `{"a": "Zoë 李 مرحبا 👋"}`, true},
		{"surrogate pair escape", `{"a": "\ud83d\udc4b"}`, false},
		{"lone surrogate escape", `{"a": "\ud83d"}`, false},
		{"invalid UTF-8", "{\"a\": \"\xff\"}", false},
		{"control character", "{\"a\": \"x\ny\"}", false},
		{"key given twice", `{"a": "x", "a": "y"}`, false},
		{"form given twice", `{"a": {"other": "x", "other": "y"}}`, false},
		{"unknown form", `{"a": {"fwe": "x", "other": "y"}}`, false},
		{"no other", `{"a": {"one": "x"}}`, false},
		{"empty forms", `{"a": {}}`, false},
		{"null", `{"a": null}`, false},
		{"number", `{"a": 3}`, false},
		{"list", `["a"]`, false},
		{"trailing comma", `{"a": "x",}`, false},
		{"trailing data", `{"a": "x"} x`, false},
		{"byte order mark", "\ufeff{}", false},
		{"unterminated", `{"a": "x`, false},
		{"bad escape", `{"a": "\x"}`, false},
		{"short unicode escape", `{"a": "\u12"}`, false},
		{"empty", ``, false},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			assert.Equal(t, tc.fast, agree(t, []byte(tc.json)))
			// Either way, parseCatalog gives encoding/json's answer.
			got, gotErr := parseCatalog(language.English, []byte(tc.json))
			want, wantErr := decodeCatalog(language.English, []byte(tc.json))
			if wantErr != nil {
				assert.Equal(t, wantErr.Error(), gotErr.Error())
				return
			}
			require.NoError(t, gotErr)
			assert.Equal(t, want.entries, got.entries)
		})
	}
}

// Whatever scanCatalog accepts, encoding/json reads the same way.
func FuzzScanCatalog(f *testing.F) {
	en, err := fs.ReadFile(templates.FS, "locales/en.json")
	require.NoError(f, err)
	f.Add(string(en))
	f.Add(`{"a": "\u00e9\"", "b": {"one": "x", "other": "y"}}`)
	f.Add(`{"a\\": "\ud83d\udc4b"}`)
	f.Fuzz(func(t *testing.T, data string) {
		agree(t, []byte(data))
	})
}
