package tenant_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/locale"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
	"github.com/cogmail/cogmail/templates"
)

// loadedTenant writes German-first acme to a layer and loads it, so the
// tenant's matcher and fallback are built the way the Lambda builds them.
func loadedTenant(t *testing.T) *tenant.Tenant {
	acme := valid("acme")
	acme.Languages = tenant.Languages{Default: "de", Supported: []string{"de", "en", "pt-BR", "zh-Hant", "he"}}
	acme.CognitoDefault = []trigger.Kind{trigger.MFA, trigger.Update}
	tn, err := tenant.NewStore(tree(t, acme)).Get("acme")
	require.NoError(t, err)
	return tn
}

func TestNegotiate(t *testing.T) {
	tn := loadedTenant(t)
	tests := []struct {
		name                string
		metadata, attribute string
		want                string
		from                locale.Source
	}{
		{"case=metadata", "en", "de", "en", locale.FromMetadata},
		{"case=metadata with underscore and odd case", "PT_br", "", "pt-BR", locale.FromMetadata},
		{"case=metadata region variant", "en-GB", "", "en", locale.FromMetadata},
		{"case=attribute when metadata is empty", "", "zh-TW", "zh-Hant", locale.FromAttribute},
		{"case=attribute when metadata is unsupported", "ja", "en-US", "en", locale.FromAttribute},
		{"case=attribute when metadata is garbage", "<script>", "iw", "he", locale.FromAttribute},
		{"case=default when nothing matches", "ja", "ko", "de", locale.FromDefault},
		{"case=default when nothing is given", "", "", "de", locale.FromDefault},
		{"case=the pseudo-locale is never chosen", "en-XA", "", "en", locale.FromMetadata},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, from := tn.Negotiate(tc.metadata, tc.attribute)
			assert.Equal(t, language.MustParse(tc.want), got)
			assert.Equal(t, tc.from, from)
			assert.NotEqual(t, locale.Pseudo, got)
		})
	}
}

func TestTenantLanguages(t *testing.T) {
	tn := loadedTenant(t)
	assert.Equal(t, language.German, tn.DefaultLanguage())
	assert.Equal(t, []language.Tag{
		language.German, language.English, language.BrazilianPortuguese,
		language.TraditionalChinese, language.Hebrew,
	}, tn.SupportedLanguages())
}

func TestLeavesToCognito(t *testing.T) {
	tn := loadedTenant(t)
	for _, k := range trigger.Kinds {
		t.Run("case="+string(k), func(t *testing.T) {
			want := k == trigger.MFA || k == trigger.Update
			assert.Equal(t, want, tn.LeavesToCognito(k))
		})
	}
	assert.False(t, tn.LeavesToCognito("mfa "), "no fuzzy matching")

	d, err := tenant.NewStore(templates.FS).Get(tenant.DefaultID)
	require.NoError(t, err)
	for _, k := range trigger.Kinds {
		assert.False(t, d.LeavesToCognito(k), "the default tenant writes every message: %s", k)
	}
}

func TestEmbeddedDefaultLanguages(t *testing.T) {
	d, err := tenant.NewStore(templates.FS).Get(tenant.DefaultID)
	require.NoError(t, err)
	assert.Equal(t, language.English, d.DefaultLanguage())
	var want []language.Tag
	for _, s := range locale.Shipped {
		want = append(want, language.MustParse(s))
	}
	assert.ElementsMatch(t, want, d.SupportedLanguages(), "the default tenant offers every shipped language")
}

// The language matcher is built on first use; run with -race.
func TestNegotiateConcurrently(t *testing.T) {
	tn := loadedTenant(t)
	const n = 50
	got := make([]language.Tag, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			got[i], _ = tn.Negotiate("pt-BR", "")
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		assert.Equal(t, language.BrazilianPortuguese, got[i], "goroutine %d", i)
	}
}
