package render

import (
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/locale"
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

// notShipped is the first of tags that cogmail ships no catalog for. The
// tests about languages cogmail lacks must hold when an operator adds one
// the documented way (Swedish is templates/README.md's example).
func notShipped(t *testing.T, tags ...string) string {
	t.Helper()
	for _, tag := range tags {
		if !slices.Contains(locale.Shipped, tag) {
			return tag
		}
	}
	t.Fatalf("every one of %v is shipped: add another candidate", tags)
	return ""
}

// ownLanguage is a left-to-right language only a tenant has, Swedish unless
// it is shipped; rtlOwnLanguage a right-to-left one; variant a regional
// variant of a shipped language, itself not shipped.
func ownLanguage(t *testing.T) string    { return notShipped(t, "sv", "fi", "da", "nb", "is") }
func rtlOwnLanguage(t *testing.T) string { return notShipped(t, "fa", "ur", "yi") }
func variant(t *testing.T) string        { return notShipped(t, "en-GB", "en-AU", "en-IE") }

// langTenant is "globex" (default de; de, en and the languages above) with
// catalogs.
func langTenant(t *testing.T, files fstest.MapFS) *tenant.Tenant {
	t.Helper()
	files["tenants/globex/tenant.json"] = &fstest.MapFile{Data: []byte(globexTenant(ownLanguage(t), rtlOwnLanguage(t), variant(t)))}
	tn, err := tenant.NewStore(files, templates.FS).Get("globex")
	require.NoError(t, err)
	return tn
}

// An email's lang is the language most of its text is in, not the language
// asked for: a tenant catalog with one key leaves it in the fallback.
func TestEmailLangIsWhatMostTextIsIn(t *testing.T) {
	r, _ := fixture(t)
	own, rtl, variant := ownLanguage(t), rtlOwnLanguage(t), variant(t)
	ownCatalog, rtlCatalog := "tenants/globex/locales/"+own+".json", "tenants/globex/locales/"+rtl+".json"
	for _, tc := range []struct {
		name     string
		files    fstest.MapFS
		kind     trigger.Kind
		ask      string
		lang     string
		dir      string
		contains string
	}{
		{own + " catalog with one key: German", fstest.MapFS{ownCatalog: {Data: []byte(`{"reset.heading": "Nytt lösenord"}`)}},
			trigger.Reset, own, "de", "ltr", "Nytt lösenord"},
		{own + " catalog with every reset key: that language", fstest.MapFS{ownCatalog: {Data: englishKeys(t, "reset.", "SV ")}},
			trigger.Reset, own, own, "ltr", "SV Reset your password"},
		{"the same catalog, another message: German", fstest.MapFS{ownCatalog: {Data: englishKeys(t, "reset.", "SV ")}},
			trigger.Invite, own, "de", "ltr", "Willkommen"},
		{"right-to-left " + rtl + " with one key: German, left to right", fstest.MapFS{rtlCatalog: {Data: []byte(`{"reset.heading": "بازنشانی"}`)}},
			trigger.Reset, rtl, "de", "ltr", "بازنشانی"},
		{"no " + rtl + " catalog at all: German", fstest.MapFS{},
			trigger.Reset, rtl, "de", "ltr", "Passwort"},
		{variant + ": English, its parent", fstest.MapFS{},
			trigger.Reset, variant, "en", "ltr", "Reset your password"},
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
	own := ownLanguage(t)
	for _, tc := range []struct {
		name, catalog, lang string
	}{
		{"one page key in " + own + ": German", `{"page.reset.heading": "Nytt lösenord"}`, "de"},
		{"every page key in " + own + ": that language", string(englishKeys(t, "page.", "SV ")), own},
		{"every reset email key in " + own + ", no page key: German", string(englishKeys(t, "reset.", "SV ")), "de"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			tn := langTenant(t, fstest.MapFS{"tenants/globex/locales/" + own + ".json": {Data: []byte(tc.catalog)}})
			x, err := r.Texts(tn, language.MustParse(own))
			require.NoError(t, err)
			assert.Equal(t, tc.lang, x.Lang())
			assert.Equal(t, "ltr", x.Dir())
		})
	}
}
