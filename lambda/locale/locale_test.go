package locale

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	_ "github.com/cogmail/cogmail/lambda/dev/golden"
)

// shippedOr is tag where an operator has shipped it, else what a user
// asking for it gets: the tests hold whatever languages were added.
func shippedOr(tag, otherwise string) string {
	if slices.Contains(Shipped, tag) {
		return tag
	}
	return otherwise
}

func TestMatch(t *testing.T) {
	m, err := NewMatcher(Shipped)
	require.NoError(t, err)
	// A language cogmail ships no catalog for (Swedish is the example in
	// templates/README.md's "Add a language").
	unshipped := ""
	for _, tag := range []string{"sv", "fi", "da", "nb", "is"} {
		if unshipped == "" && !slices.Contains(Shipped, tag) {
			unshipped = tag
		}
	}
	require.NotEmpty(t, unshipped, "every candidate is shipped: add another")
	for _, tc := range []struct {
		in   string
		want string // "" for no match
	}{
		{"en", "en"}, {"pt_BR", "pt-BR"}, {"PT-br", "pt-BR"}, {"pt-PT", "pt-PT"}, {"pt_pt", "pt-PT"},
		{"zh-TW", "zh-Hant"}, {"zh-HK", "zh-Hant"}, {"zh-MO", "zh-Hant"}, {"zh_hk", "zh-Hant"}, {"zh-Hant-HK", "zh-Hant"}, {"zh-CN", "zh-Hans"}, {"zh", "zh-Hans"},
		{"iw", "he"}, {"he-IL", shippedOr("he-IL", "he")}, {"ar-EG", shippedOr("ar-EG", "ar")},
		{"de-AT", shippedOr("de-AT", "de")}, {"en-GB", shippedOr("en-GB", "en")},
		{"es-419", shippedOr("es-419", "es")}, {"fr-CA", shippedOr("fr-CA", "fr")}, {"ja-JP", shippedOr("ja-JP", "ja")}, {" ko ", "ko"},
		{"", ""}, {"xx", ""}, {"garbage!!", ""}, {unshipped, ""}, {"und", ""}, {"x-pseudo", ""},
		{"en-US;q=0.9", ""}, {string(make([]byte, 200)), ""},
	} {
		t.Run("case="+tc.in, func(t *testing.T) {
			got, ok := m.Match(tc.in)
			if tc.want == "" {
				assert.False(t, ok, "matched %v", got)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tc.want, got.String())
		})
	}
}

// clientMetadata comes from an unauthenticated caller: it may only choose
// among the tenant's languages.
func TestNegotiate(t *testing.T) {
	m, err := NewMatcher([]string{"en", "de", "fr"})
	require.NoError(t, err)
	de := language.German
	for _, tc := range []struct {
		name, metadata, attribute string
		want                      string
		source                    Source
	}{
		{"metadata wins", "fr", "de", "fr", FromMetadata},
		{"metadata outside the tenant's languages is ignored", "ja", "fr", "fr", FromAttribute},
		{"garbage metadata is ignored", "<script>", "fr-CH", "fr", FromAttribute},
		{"attribute with underscore", "", "de_AT", "de", FromAttribute},
		{"nothing usable: tenant default", "xx", "zz", "de", FromDefault},
		{"nothing at all", "", "", "de", FromDefault},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			got, source := m.Negotiate(tc.metadata, tc.attribute, de)
			assert.Equal(t, tc.want, got.String())
			assert.Equal(t, tc.source, source)
		})
	}
}

// pseudoSpellings are tags whose fallback chain reaches the pseudo-locale,
// or that name English of its region under a script: every one must be
// refused to tenants and answered as English to users.
var pseudoSpellings = []string{
	"en-XA", "en_XA", "EN-xa", " en-XA ", "en-XA-x-test", "en-XA-u-nu-latn", "en-XA-u-rg-uszzzz",
	"en-XA-t-ja", "en-XA-0-abc", "en-Latn-XA", "en-Latn-XA-x-test", "en-latn-xa", "en-Zzzz-XA", "en-Qaaa-XA",
}

// notPseudo are near misses: real languages, or English without the
// pseudo region, that must not be taken for it.
var notPseudo = []string{"en", "en-US", "en-GB", "en-x-xa", "de-XA", "ar-XB", "en-u-rg-xazzzz", "x-en-xa"}

func TestIsPseudo(t *testing.T) {
	for _, s := range pseudoSpellings {
		t.Run("case=pseudo "+s, func(t *testing.T) {
			tag, err := language.Parse(strings.TrimSpace(s))
			require.NoError(t, err)
			assert.True(t, IsPseudo(tag))
		})
	}
	for _, s := range notPseudo {
		t.Run("case=real "+s, func(t *testing.T) {
			tag, err := language.Parse(s)
			require.NoError(t, err)
			assert.False(t, IsPseudo(tag))
		})
	}
}

// A user asking for the pseudo-locale, in any spelling, gets what asking
// for English gives: English where the tenant has it, else the next input
// or the tenant's default; never a pseudo tag, even where a (refused)
// list names one.
func TestPseudoIsNeverNegotiated(t *testing.T) {
	withEnglish, err := NewMatcher(Shipped)
	require.NoError(t, err)
	without, err := NewMatcher([]string{"de", "fr"})
	require.NoError(t, err)
	for _, s := range pseudoSpellings {
		t.Run("case="+s, func(t *testing.T) {
			got, ok := withEnglish.Match(s)
			require.True(t, ok)
			assert.Equal(t, "en", got.String())
			assert.False(t, IsPseudo(got))

			tag, source := without.Negotiate(s, "fr", language.German)
			assert.Equal(t, "fr", tag.String(), "as if the metadata asked for English")
			assert.Equal(t, FromAttribute, source)
			tag, source = without.Negotiate("", s, language.German)
			assert.Equal(t, "de", tag.String())
			assert.Equal(t, FromDefault, source)
		})
	}
}

func TestChain(t *testing.T) {
	for _, tc := range []struct {
		tag, def string
		want     []string
	}{
		{"pt-BR", "en", []string{"pt-BR", "pt", "en"}},
		{"pt-PT", "es", []string{"pt-PT", "pt", "es", "en"}},
		{"de", "fr", []string{"de", "fr", "en"}},
		{"en", "en", []string{"en"}},
		{"zh-Hant", "en", []string{"zh-Hant", "en"}},
	} {
		t.Run("case="+tc.tag, func(t *testing.T) {
			var got []string
			for _, tag := range Chain(language.MustParse(tc.tag), language.MustParse(tc.def)) {
				got = append(got, tag.String())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestNewMatcherRejects(t *testing.T) {
	_, err := NewMatcher(nil)
	assert.Error(t, err)
	_, err = NewMatcher([]string{"en", "not a tag"})
	assert.ErrorContains(t, err, "not a tag")
}

// Match answers a supported language itself without building the matcher
// (exact): the answer must be the one the matcher gives, in every order of
// languages that share one, or that Unicode's data relates.
func TestExactMatchIsTheMatchers(t *testing.T) {
	groups := [][]string{
		{"pt", "pt-BR", "pt-PT", "en"}, {"zh", "zh-Hans", "zh-Hant", "zh-TW"}, {"en", "en-GB", "en-US", "de"},
		{"sr", "sr-Latn", "sr-Cyrl", "hr"}, {"es", "es-419", "es-MX", "pt"}, {"no", "nb", "nn", "da"},
		{"ms", "id", "zsm", "en"}, {"fil", "tl", "en", "es"}, {"he", "yi", "ar", "en"}, {"hi", "ur", "pa", "pa-Arab"},
	}
	lists := [][]string{Shipped}
	for _, g := range groups {
		lists = append(lists, permutations(g)...)
	}
	tried := 0
	for _, list := range lists {
		m, err := NewMatcher(list)
		require.NoError(t, err)
		reference := language.NewMatcher(m.tags)
		for _, tag := range m.tags {
			got, ok := m.exact(tag)
			if !ok {
				continue // the matcher decides
			}
			tried++
			_, index, confidence := reference.Match(tag)
			require.NotEqual(t, language.No, confidence)
			require.Equal(t, m.tags[index], got, "%s among %v", tag, list)
		}
	}
	assert.Greater(t, tried, len(lists), "the fast way is taken")
}

func permutations(a []string) [][]string {
	if len(a) <= 1 {
		return [][]string{slices.Clone(a)}
	}
	var out [][]string
	for i := range a {
		rest := slices.Concat(a[:i], a[i+1:])
		for _, p := range permutations(rest) {
			out = append(out, append([]string{a[i]}, p...))
		}
	}
	return out
}
