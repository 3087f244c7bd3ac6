package render

import (
	"io/fs"
	"maps"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/trigger"
	"github.com/cogmail/cogmail/templates"
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
		// zero, one and two may say their one number in words, as ICU allows;
		// few, many and other stand for many numbers and must show it.
		{"Arabic zero, one and two in words", "ar", `{"b": {"zero": "لا أيام", "one": "يوم واحد", "two": "يومان", "few": "{n} أيام", "many": "{n} يومًا", "other": "{n} يوم"}}`, false, nil},
		{"Hebrew one and two in words", "he", `{"b": {"one": "יום", "two": "יומיים", "many": "{n} יום", "other": "{n} ימים"}}`, false, nil},
		{"English one in words", "en", `{"b": {"one": "a day", "other": "{n} days"}}`, false, nil},
		{"other without the number", "en", `{"b": {"one": "{n} day", "other": "days"}}`, false, []string{`"b" (other) has tokens [], English has [{n}]`}},
		{"few without the number", "ar", `{"b": {"zero": "{n}", "one": "{n}", "two": "{n}", "few": "أيام", "many": "{n}", "other": "{n}"}}`, false, []string{`"b" (few) has tokens []`}},
		{"many without the number", "pl", `{"b": {"one": "{n} dzień", "few": "{n} dni", "many": "dni", "other": "{n} dnia"}}`, false, []string{`"b" (many) has tokens []`}},
		{"French one is 0 and 1: it must show the number", "fr", `{"b": {"one": "un jour", "many": "{n} jours", "other": "{n} jours"}}`, false, []string{`"b" (one) lacks {n}, but fr uses this form for [0 1]`}},
		{"Russian one is 1, 21, 31…", "ru", `{"b": {"one": "день", "few": "{n} дня", "many": "{n} дней", "other": "{n} дня"}}`, false, []string{`"b" (one) lacks {n}, but ru uses this form for [1 21 31]`}},
		{"one in words still keeps other tokens", "en", `{"b": {"one": "a day {x}", "other": "{n} days"}}`, false, []string{`"b" (one) has tokens [{x}]`}},
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

// shippedWith is the embedded templates with some files replaced.
func shippedWith(t *testing.T, files fstest.MapFS) fstest.MapFS {
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

// A shipped catalog's problems name the file and the line and column, or
// the key; empty texts are refused.
func TestShippedCatalogProblemsSayWhere(t *testing.T) {
	for _, tc := range []struct {
		name, file, data string
		want             []string // each appears exactly once
	}{
		{"syntax error", "locales/de.json", "{\n  \"greeting\": \"Hallo {name},\",\n  }", []string{
			"locales/de.json:3:3: invalid character '}' looking for beginning of object key string"}},
		{"trailing data", "locales/de.json", `{"greeting": "Hallo {name},"} x`, []string{"locales/de.json:1:31: data after the catalog's object"}},
		{"not an object", "locales/de.json", `["Hallo"]`, []string{"locales/de.json: a catalog must be a JSON object"}},
		{"unknown plural form, a key given twice, a number", "locales/de.json",
			`{"a": {"one": "x", "fwe": "y", "other": "z"}, "b": "1", "b": "2", "c": 3}`, []string{
				`locales/de.json: "a": unknown plural form "fwe"; did you mean "few"?`,
				`locales/de.json: "b": given twice`,
				`locales/de.json: "c": must be text or an object of plural forms`}},
		{"empty English text", "locales/en.json", "", []string{`locales/en.json: "reset.heading" is empty`}},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			data := tc.data
			if tc.name == "empty English text" {
				b, err := fs.ReadFile(templates.FS, "locales/en.json")
				require.NoError(t, err)
				data = strings.Replace(string(b), `"Reset your password"`, `" "`, 1)
			}
			r, err := New(shippedWith(t, fstest.MapFS{tc.file: {Data: []byte(data)}}))
			if err == nil {
				err = r.Validate()
			}
			require.Error(t, err)
			for _, want := range tc.want {
				assert.Equal(t, 1, strings.Count(err.Error(), want), "want once %q in\n%v", want, err)
			}
		})
	}
}

// A tenant's files are named by their path in the tenant's folder; a shared
// template that breaks every message is reported once.
func TestTenantFileProblemsSayWhere(t *testing.T) {
	r, _ := fixture(t)
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  []string // each appears exactly once
	}{
		{"syntax error", fstest.MapFS{"tenants/globex/locales/de.json": {Data: []byte("{\"reset.heading\": \"x\"\n\"reset.button\": \"y\"}")}},
			[]string{"tenants/globex/locales/de.json:2:1: invalid character '\"' after object key:value pair"}},
		{"unknown key", fstest.MapFS{"tenants/globex/locales/de.json": {Data: []byte(`{"reset.headline": "x"}`)}},
			[]string{`tenants/globex/locales/de.json: unknown key "reset.headline"; did you mean "reset.heading"?`}},
		{"unknown key far from any", fstest.MapFS{"tenants/globex/locales/sv.json": {Data: []byte(`{"welcome": "x"}`)}},
			[]string{`tenants/globex/locales/sv.json: unknown key "welcome"`}},
		{"empty text", fstest.MapFS{"tenants/globex/locales/de.json": {Data: []byte(`{"reset.heading": ""}`)}},
			[]string{`tenants/globex/locales/de.json: "reset.heading" is empty`}},
		{"white space only", fstest.MapFS{"tenants/globex/locales/sv.json": {Data: []byte(`{"reset.button": " \n\t"}`)}},
			[]string{`tenants/globex/locales/sv.json: "reset.button" is empty`}},
		{"empty plural form", fstest.MapFS{"tenants/globex/locales/de.json": {Data: []byte(`{"reset.expires.hours": {"one": "", "other": "{n} Stunden"}}`)}},
			[]string{`tenants/globex/locales/de.json: "reset.expires.hours" (one) is empty`}},
		{"shared template", fstest.MapFS{"tenants/globex/footer.tmpl": {Data: []byte("\n{{define \"footer\"}}{{if}}{{end}}")}},
			[]string{"tenants/globex/footer.tmpl:2: missing value for if"}},
		{"every problem at once", fstest.MapFS{
			"tenants/globex/locales/de.json": {Data: []byte(`{"reset.heading": "", "reset.headline": "x"}`)},
			"tenants/globex/locales/sv.json": {Data: []byte(`{`)},
		}, []string{
			`tenants/globex/locales/de.json: "reset.heading" is empty`,
			`tenants/globex/locales/de.json: unknown key "reset.headline"`,
			`tenants/globex/locales/sv.json: unexpected EOF`}},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			tn := overrideStore(t, tc.files)
			_, err := r.Render(Message{Kind: trigger.Reset, Tenant: tn, Code: "{####}", Expiry: time.Hour})
			require.Error(t, err)
			assert.Equal(t, err, r.CheckTenant(tn), "the same error, for cogmail check")
			for _, want := range tc.want {
				assert.Equal(t, 1, strings.Count(err.Error(), want), "want once %q in\n%v", want, err)
			}
			assert.NotContains(t, err.Error(), "tenant globex:", "the path says it")
		})
	}
}
