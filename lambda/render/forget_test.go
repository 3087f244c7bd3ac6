package render

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
	"github.com/cogmail/cogmail/templates"
)

// A tenant version no longer served must not stay in the renderer: with
// tenants from S3, versions come and go for the life of a warm function.
func TestForgetLetsGoOfOneTenant(t *testing.T) {
	r, tn := fixture(t)
	other, err := tenant.NewStore(templates.FS).Get("acme")
	require.NoError(t, err)
	for _, x := range []*tenant.Tenant{tn, other} {
		for _, k := range []trigger.Kind{trigger.Reset, trigger.Invite} {
			_, err := r.Render(Message{Kind: k, Tenant: x, Locale: language.German, Expiry: time.Hour, Code: "{####}", Username: "{username}"})
			require.NoError(t, err)
		}
	}
	require.NotZero(t, held(r, tn))
	before := held(r, other)

	r.Forget(tn)

	assert.Zero(t, held(r, tn), "nothing of the forgotten tenant is kept")
	assert.Equal(t, before, held(r, other), "other tenants' forms stay")
	_, err = r.Render(Message{Kind: trigger.Reset, Tenant: tn, Locale: language.German, Expiry: time.Hour, Code: "{####}"})
	assert.NoError(t, err, "a forgotten tenant still renders, prepared anew")
}

// held counts what r keeps for t: its view and its compiled forms.
func held(r *Renderer, t *tenant.Tenant) int {
	n := 0
	if _, ok := r.tenants.Load(t); ok {
		n++
	}
	r.compiled.Range(func(k, _ any) bool {
		if k.(compiledKey).tenant == t {
			n++
		}
		return true
	})
	return n
}
