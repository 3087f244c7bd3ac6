package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/templates"
)

func TestPreviewOut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "gallery")
	for _, run := range []string{"first", "again over the first"} {
		t.Run("case="+run, func(t *testing.T) {
			code, stdout, errOut := cli(t, env(nil), "", "preview", "--out", out)
			require.Equal(t, 0, code, errOut)
			index, err := filepath.Abs(filepath.Join(out, "index.html"))
			require.NoError(t, err)
			assert.Equal(t, index+"\n", stdout, "the index's path, alone")
			assert.Contains(t, errOut, ", 0 failed")
			page, err := os.ReadFile(index)
			require.NoError(t, err)
			assert.Contains(t, string(page), `id="default/en-XA/reset"`)
			assert.FileExists(t, filepath.Join(out, "mail", "default", "ar", "invite-dark.html"))
		})
	}
	t.Run("case=templates that do not parse", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.CopyFS(dir, templates.FS))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "mfa.html.tmpl"), []byte(`{{define "content"}}{{if}}{{end}}`), 0o644))
		code, stdout, errOut := cli(t, env(nil), "", "preview", "--out", t.TempDir(), "-templates", dir)
		assert.Equal(t, 1, code)
		assert.Empty(t, stdout)
		assert.Contains(t, errOut, "mfa.html.tmpl")
	})
}

func TestPreviewUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		say  string
	}{
		{"neither out nor serve", []string{"preview"}, 2, "one of --out DIR or --serve"},
		{"both", []string{"preview", "--out", "x", "--serve", "127.0.0.1:0"}, 2, "one of --out DIR or --serve"},
		{"a public address", []string{"preview", "--serve", "0.0.0.0:8089"}, 2, "not a loopback address"},
		{"any interface", []string{"preview", "--serve", ":8089"}, 2, "not a loopback address"},
		{"no templates folder", []string{"preview", "--serve", "127.0.0.1:0", "-templates", "no-such-folder"}, 1, "not a templates folder"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			code, _, errOut := cli(t, env(nil), "", tc.args...)
			assert.Equal(t, tc.code, code)
			assert.Contains(t, errOut, tc.say)
		})
	}
}

// Serving starts on a loopback port, says where, and stops with its context
// (Ctrl-C, in a terminal).
func TestPreviewServeStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"preview", "--serve", "127.0.0.1:0"}, strings.NewReader(""), &stdout, &stderr, env(nil))
	require.Equal(t, 0, code, stderr.String())
	assert.Regexp(t, `^serving the gallery of .*templates at http://127\.0\.0\.1:\d+/`, stdout.String())
}
