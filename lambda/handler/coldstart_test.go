package handler_test

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// A cold start validates nothing the function ships with (Setup): the
// build's tests and `cogmail check` do, through Validate, which parses and
// checks every embedded template, catalog and tenant. They pass it.
func TestSetupLeavesValidationToCheck(t *testing.T) {
	h := handler.Setup(context.Background(), func(string) string { return "" }, quietLogger())
	require.NoError(t, h.Validate())
}

// embeddedWith is the embedded templates with some files replaced.
func embeddedWith(t *testing.T, files fstest.MapFS) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(templates.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates.FS, name)
		out[name] = &fstest.MapFile{Data: data}
		return err
	}))
	maps.Copy(out, files)
	return out
}

// What a cold start no longer checks, Validate still finds, every problem
// at once: a template or a catalog that does not parse, an invalid
// embedded tenant. A message that meets a broken template still gets the
// minimal email with its code.
func TestValidateFindsWhatColdStartDefers(t *testing.T) {
	tenantJSON, err := fs.ReadFile(templates.FS, "tenants/default/tenant.json")
	require.NoError(t, err)
	color := `"primaryColor": "`
	require.Contains(t, string(tenantJSON), color)
	fsys := embeddedWith(t, fstest.MapFS{
		"reset.html.tmpl":             {Data: []byte(`{{define "content"}}{{if}}{{end}}`)},
		"locales/de.json":             {Data: []byte(`{"reset.heading": `)},
		"tenants/default/tenant.json": {Data: []byte(strings.Replace(string(tenantJSON), color, color+"not a colour", 1))},
	})
	r, err := render.Open(fsys)
	require.NoError(t, err, "a cold start parses none of them")
	logs := new(bytes.Buffer)
	h := handler.New(handler.Config{
		Renderer: r, Tenants: tenant.NewStore(tenant.Checked(fsys)), Keyring: keys.Development(),
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	})

	err = h.Validate()
	require.Error(t, err)
	for _, want := range []string{"reset.html.tmpl:1: missing value for if", "locales/de.json", "tenants/default/tenant.json: brand.primaryColor"} {
		assert.Contains(t, err.Error(), want)
	}

	_, a := invoke(t, h, readEvent(t, "forgot-password"))
	assert.Contains(t, a.email(), "{####}")
	assert.Equal(t, "fallback", lastLog(t, logs.String()).Outcome)
}
