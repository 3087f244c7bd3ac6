package render

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
	"github.com/cogmail/cogmail/templates"
)

// englishKeys is a catalog of English's keys with the given prefix, each
// text marked with mark: a stand-in translation with the right tokens.
func englishKeys(t *testing.T, prefix, mark string) []byte {
	t.Helper()
	data, err := fs.ReadFile(templates.FS, "locales/en.json")
	require.NoError(t, err)
	var en map[string]any
	require.NoError(t, json.Unmarshal(data, &en))
	out := map[string]any{}
	for key, v := range en {
		if !strings.HasPrefix(key, prefix) {
			continue
		}
		switch v := v.(type) {
		case string:
			out[key] = mark + v
		case map[string]any:
			forms := map[string]string{}
			for f, text := range v {
				forms[f] = mark + text.(string)
			}
			out[key] = forms
		}
	}
	require.NotEmpty(t, out, "English has keys starting %q", prefix)
	b, err := json.Marshal(out)
	require.NoError(t, err)
	return b
}

// langTenant is "globex" (default de; de, en, sv, fa, en-GB) with catalogs.
func langTenant(t *testing.T, files fstest.MapFS) *tenant.Tenant {
	t.Helper()
	files["tenants/globex/tenant.json"] = &fstest.MapFile{Data: []byte(strings.Replace(overrideTenant,
		`"supported": ["de", "en", "sv"]`, `"supported": ["de", "en", "sv", "fa", "en-GB"]`, 1))}
	tn, err := tenant.NewStore(files, templates.FS).Get("globex")
	require.NoError(t, err)
	return tn
}

// An email's lang is the language most of its text is in, not the language
// asked for: a tenant catalog with one key leaves it in the fallback.
func TestEmailLangIsWhatMostTextIsIn(t *testing.T) {
	r, _ := fixture(t)
	for _, tc := range []struct {
		name     string
		files    fstest.MapFS
		kind     trigger.Kind
		ask      string
		lang     string
		dir      string
		contains string
	}{
		{"sv catalog with one key: German", fstest.MapFS{"tenants/globex/locales/sv.json": {Data: []byte(`{"reset.heading": "Nytt lösenord"}`)}},
			trigger.Reset, "sv", "de", "ltr", "Nytt lösenord"},
		{"sv catalog with every reset key: Swedish", fstest.MapFS{"tenants/globex/locales/sv.json": {Data: englishKeys(t, "reset.", "SV ")}},
			trigger.Reset, "sv", "sv", "ltr", "SV Reset your password"},
		{"the same catalog, another message: German", fstest.MapFS{"tenants/globex/locales/sv.json": {Data: englishKeys(t, "reset.", "SV ")}},
			trigger.Invite, "sv", "de", "ltr", "Willkommen"},
		{"right-to-left fa with one key: German, left to right", fstest.MapFS{"tenants/globex/locales/fa.json": {Data: []byte(`{"reset.heading": "بازنشانی"}`)}},
			trigger.Reset, "fa", "de", "ltr", "بازنشانی"},
		{"no fa catalog at all: German", fstest.MapFS{},
			trigger.Reset, "fa", "de", "ltr", "Passwort"},
		{"en-GB: English, its parent", fstest.MapFS{},
			trigger.Reset, "en-GB", "en", "ltr", "Reset your password"},
		{"German tenant overrides in German: German", fstest.MapFS{"tenants/globex/locales/de.json": {Data: []byte(`{"reset.heading": "Neues Passwort"}`)}},
			trigger.Reset, "de", "de", "ltr", "Neues Passwort"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			tn := langTenant(t, tc.files)
			for _, withLink := range []string{"", "https://globex.example/reset?code={####}"} {
				email, err := r.Render(Message{Kind: tc.kind, Tenant: tn, Locale: language.MustParse(tc.ask), Code: "{####}",
					Username: "{username}", Link: withLink, Expiry: time.Hour})
				require.NoError(t, err)
				assert.Equal(t, tc.lang, email.Lang)
				assert.Contains(t, email.HTML, `<html lang="`+tc.lang+`" dir="`+tc.dir+`">`)
				assert.Contains(t, email.HTML, tc.contains)
			}
		})
	}
}

// Pages speak as the emails do: lang is where most page.* texts come from.
func TestTextsLangIsWhatMostTextIsIn(t *testing.T) {
	r, _ := fixture(t)
	for _, tc := range []struct {
		name, catalog, lang string
	}{
		{"one page key in sv: German", `{"page.reset.heading": "Nytt lösenord"}`, "de"},
		{"every page key in sv: Swedish", string(englishKeys(t, "page.", "SV ")), "sv"},
		{"every reset email key in sv, no page key: German", string(englishKeys(t, "reset.", "SV ")), "de"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			tn := langTenant(t, fstest.MapFS{"tenants/globex/locales/sv.json": {Data: []byte(tc.catalog)}})
			x, err := r.Texts(tn, language.MustParse("sv"))
			require.NoError(t, err)
			assert.Equal(t, tc.lang, x.Lang())
			assert.Equal(t, "ltr", x.Dir())
		})
	}
}
