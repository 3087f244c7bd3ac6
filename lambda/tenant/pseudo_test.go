package tenant_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/locale"
)

// Every spelling of the pseudo-locale: its fallback chain reaches en-XA, or
// it is English of the pseudo region under a script. `cogmail check` must
// not pass a tenant listing one, and a user asking for one must get English.
var pseudoSpellings = []string{
	"en-XA", "en-xa", "EN-XA", "en_XA", "en-XA-x-test", "en-XA-u-nu-latn", "en-XA-u-rg-uszzzz",
	"en-XA-t-ja", "en-Latn-XA", "en-Latn-XA-x-test", "en-Zzzz-XA",
}

func TestPseudoLocaleRefusedToTenants(t *testing.T) {
	for _, s := range pseudoSpellings {
		t.Run("case="+s, func(t *testing.T) {
			tn := valid("acme")
			tn.Languages.Supported = []string{"en", s}
			err := tn.Validate()
			require.Error(t, err)
			got := problems(err)
			require.Len(t, got, 1, "one problem expected: %v", err)
			assert.True(t, strings.HasPrefix(got[0].Error(), "languages.supported[1]: the pseudo-locale is for tests only"), "%q", got[0])
			assert.Contains(t, got[0].Error(), s)
		})
	}
}

func TestPseudoLocaleNeverNegotiated(t *testing.T) {
	tn := loadedTenant(t)
	for _, s := range pseudoSpellings {
		t.Run("case="+s, func(t *testing.T) {
			for _, got := range []language.Tag{first(tn.Negotiate(s, "")), first(tn.Negotiate("", s))} {
				assert.Equal(t, language.English, got, "as if the user asked for English")
				assert.False(t, locale.IsPseudo(got))
			}
		})
	}
}

func first(tag language.Tag, _ locale.Source) language.Tag { return tag }
