package accept_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/internal/accept"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

var checks = map[string]func(*render.Renderer, *tenant.Tenant) error{
	"notices": accept.Notices,
	"sent":    accept.Sent,
}

// Every tenant the build ships passes; a version whose emails break the
// gate in any language does not, for the notifier and the sender alike.
func TestAccept(t *testing.T) {
	r, err := render.New(templates.FS)
	require.NoError(t, err)
	store := tenant.NewStore(templates.FS)
	ids, err := store.IDs()
	require.NoError(t, err)

	acme, err := templates.FS.ReadFile("tenants/acme/tenant.json")
	require.NoError(t, err)
	broken, err := tenant.NewStore(fstest.MapFS{
		"tenants/acme/tenant.json": {Data: acme},
		// Over Cognito's and the gate's size in every email.
		"tenants/acme/footer.tmpl": {Data: []byte(`{{define "footer"}}` + strings.Repeat("Lorem ipsum dolor sit amet. ", 2000) + `{{end}}`)},
	}).Get("acme")
	require.NoError(t, err, "the tenant itself is valid: only its emails are not")

	for name, check := range checks {
		for _, id := range ids {
			t.Run("case="+name+"-shipped-"+id, func(t *testing.T) {
				tn, err := store.Get(id)
				require.NoError(t, err)
				assert.NoError(t, check(r, tn))
			})
		}
		t.Run("case="+name+"-too-long", func(t *testing.T) {
			err := check(r, broken)
			require.Error(t, err)
			assert.Contains(t, err.Error(), " in de: ", "the error says which message and language")
		})
		t.Run("case="+name+"-no-templates", func(t *testing.T) {
			assert.NoError(t, check(nil, broken), "without templates every tenant is alike")
		})
	}
}
