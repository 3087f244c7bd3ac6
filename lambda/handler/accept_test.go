package handler_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// Accept is what keeps a broken tenant upload (S3) out of service: every
// tenant the build ships passes it, and a version that would break a
// message in any of its languages does not.
func TestAccept(t *testing.T) {
	h, _ := fixture(t, nil)
	ids, err := tenant.NewStore(templates.FS).IDs()
	require.NoError(t, err)
	for _, id := range ids {
		t.Run("case=shipped-"+id, func(t *testing.T) {
			tn, err := h.Tenants().Get(id)
			require.NoError(t, err)
			assert.NoError(t, h.Accept(tn))
		})
	}

	for _, tc := range []struct {
		name, file, content, want string
	}{
		// Over Cognito's 20,000 characters in every message: the gate.
		{"too-long", "footer.tmpl", `{{define "footer"}}` + strings.Repeat("Lorem ipsum dolor sit amet. ", 800) + `{{end}}`, "reset in de"},
		// A template that does not parse: the tenant's own files.
		{"bad-template", "footer.tmpl", `{{define "footer"}}{{.Nope`, "footer.tmpl"},
		// A catalog that loses the code's placeholder in one language.
		{"catalog", "locales/fr.json", `{"reset.sms": "Code {product}"}`, "fr"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			tn := acmeWith(t, tc.file, tc.content)
			if tn == nil {
				return // refused already by the tenant's own validation
			}
			err := h.Accept(tn)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// acmeWith is the shipped acme tenant with one file replaced, read as a
// tenant from outside the build is: strictly; nil when that refuses it.
func acmeWith(t *testing.T, name, content string) *tenant.Tenant {
	t.Helper()
	files := fstest.MapFS{}
	err := fs.WalkDir(templates.FS, "tenants/acme", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates.FS, p)
		files[p] = &fstest.MapFile{Data: data}
		return err
	})
	require.NoError(t, err)
	files["tenants/acme/"+name] = &fstest.MapFile{Data: []byte(content)}
	tn, err := tenant.NewStore(files).Get("acme")
	if err != nil {
		t.Logf("refused by tenant validation: %v", err)
		return nil
	}
	return tn
}
