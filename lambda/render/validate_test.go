package render

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
)

// The shipped catalogs are complete: every language has every key, the
// same tokens and every plural form its language uses.
func TestShippedCatalogsAreComplete(t *testing.T) {
	r, _ := fixture(t)
	assert.NoError(t, r.Validate())
}

func TestCompareCatalog(t *testing.T) {
	en, err := parseCatalog(language.English, []byte(`{"a": "Hi {name}", "b": {"one": "{n} day", "other": "{n} days"}}`))
	require.NoError(t, err)
	for _, tc := range []struct {
		name, lang, json string
		complete         bool
		want             []string
	}{
		{"complete and right", "de", `{"a": "Hallo {name}", "b": {"one": "{n} Tag", "other": "{n} Tage"}}`, true, nil},
		{"missing key", "de", `{"a": "Hallo {name}"}`, true, []string{`missing key "b"`}},
		{"partial is fine for a tenant", "de", `{"a": "Hallo {name}"}`, false, nil},
		{"unknown key", "de", `{"a": "x {name}", "b": {"one": "{n}", "other": "{n}"}, "c": "?"}`, true, []string{`unknown key "c"`}},
		{"dropped token", "de", `{"a": "Hallo"}`, false, []string{`"a" has tokens [], English has [{name}]`}},
		{"text where English has forms", "de", `{"b": "{n} Tage"}`, false, []string{"must be an object of plural forms"}},
		{"Polish needs few and many", "pl", `{"b": {"one": "{n} dzień", "other": "{n} dni"}}`, false, []string{"lacks the plural forms [many few]"}},
		{"Arabic needs six forms", "ar", `{"b": {"one": "{n}", "two": "{n}", "few": "{n}", "many": "{n}", "other": "{n}"}}`, false, []string{"lacks the plural forms [zero]"}},
		{"Japanese needs other only", "ja", `{"b": {"other": "{n}日"}}`, false, nil},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			c, err := parseCatalog(language.MustParse(tc.lang), []byte(tc.json))
			require.NoError(t, err)
			errs := compareCatalog("x.json", c, en, tc.complete)
			if tc.want == nil {
				assert.Empty(t, errs)
				return
			}
			require.Len(t, errs, len(tc.want), "%v", errs)
			for i, want := range tc.want {
				assert.Contains(t, errs[i].Error(), want)
			}
		})
	}
}
