package render

import (
	"encoding/json"
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

// globexTenant is the tenant.json of "globex": default de; de, en and more.
func globexTenant(more ...string) string {
	supported, _ := json.Marshal(append([]string{"de", "en"}, more...))
	return `{
  "id": "globex", "displayName": "Globex",
  "links": {"resetUrl": "https://globex.example/reset", "inviteUrl": "https://globex.example/invite",
            "mode": "query", "resetExpiry": "1h", "inviteExpiry": "24h"},
  "brand": {"productName": "Globex", "primaryColor": "#000000", "buttonTextColor": "#ffffff"},
  "languages": {"default": "de", "supported": ` + string(supported) + `}
}`
}

// overrideStore holds "globex", with overrides, over the embedded tenants;
// besides de and en it has ownLanguage.
func overrideStore(t *testing.T, files fstest.MapFS) *tenant.Tenant {
	t.Helper()
	files["tenants/globex/tenant.json"] = &fstest.MapFile{Data: []byte(globexTenant(ownLanguage(t)))}
	tn, err := tenant.NewStore(files, templates.FS).Get("globex")
	require.NoError(t, err)
	return tn
}

func render(t *testing.T, r *Renderer, tn *tenant.Tenant, k trigger.Kind, lang string) Email {
	t.Helper()
	email, err := r.Render(Message{Kind: k, Tenant: tn, Locale: language.MustParse(lang), Code: "{####}",
		Username: "{username}", Link: "https://globex.example/reset?code={####}", Expiry: time.Hour})
	require.NoError(t, err)
	return email
}

func TestTenantOverrides(t *testing.T) {
	r, def := fixture(t)
	// Render the base first: the tenant's templates are clones made after the
	// base ones have run.
	render(t, r, def, trigger.Reset, "en")

	own := ownLanguage(t)
	tn := overrideStore(t, fstest.MapFS{
		"tenants/globex/locales/de.json":          {Data: []byte(`{"reset.heading": "Globex-Passwort neu setzen"}`)},
		"tenants/globex/locales/" + own + ".json": {Data: []byte(`{"reset.button": "Välj ett nytt lösenord"}`)},
		"tenants/globex/reset.html.tmpl":          {Data: []byte(`{{define "content"}}<h1>{{.K "heading"}}</h1><p>{{.Code}}</p>{{end}}`)},
		"tenants/globex/footer.tmpl":              {Data: []byte(`{{define "footer"}}<p>Globex footer</p>{{end}}`)},
	})

	t.Run("case=one key overridden, the rest inherited", func(t *testing.T) {
		email := render(t, r, tn, trigger.Invite, "de")
		assert.Contains(t, email.HTML, "Willkommen", "base German for keys the tenant leaves alone")
		email = render(t, r, tn, trigger.Reset, "de")
		assert.Contains(t, email.HTML, "<h1>Globex-Passwort neu setzen</h1>")
	})
	t.Run("case=one message's template overridden, the others untouched", func(t *testing.T) {
		email := render(t, r, tn, trigger.Reset, "de")
		assert.NotContains(t, email.HTML, "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"margin:24px 0;\">", "no button in the override")
		email = render(t, r, tn, trigger.SignUp, "de")
		assert.Contains(t, email.HTML, "margin:24px 0;", "sign-up keeps the base content")
	})
	t.Run("case=one block overridden in every message", func(t *testing.T) {
		for _, k := range []trigger.Kind{trigger.Reset, trigger.Invite, trigger.MFA} {
			assert.Contains(t, render(t, r, tn, k, "en").HTML, "<p>Globex footer</p>", k)
		}
	})
	t.Run("case=a language only the tenant has: its keys, then the tenant default, then English", func(t *testing.T) {
		email := render(t, r, tn, trigger.SignUp, own)
		assert.Equal(t, "de", email.Lang, "written in German, and saying so")
		assert.Contains(t, email.HTML, `lang="de"`)
		assert.Contains(t, email.HTML, "E-Mail-Adresse", "keys the tenant's "+own+" lacks come from the tenant default, German")
	})
	t.Run("case=the base tenant is untouched", func(t *testing.T) {
		email := render(t, r, def, trigger.Reset, "de")
		assert.NotContains(t, email.HTML, "Globex")
	})
}

func TestBrokenTenantOverrides(t *testing.T) {
	r, _ := fixture(t)
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"unknown key", fstest.MapFS{"tenants/globex/locales/de.json": {Data: []byte(`{"reset.headline": "x"}`)}}, `unknown key "reset.headline"`},
		{"dropped token", fstest.MapFS{"tenants/globex/locales/de.json": {Data: []byte(`{"reset.sms": "Ihr Code"}`)}}, "tokens"},
		{"not JSON", fstest.MapFS{"tenants/globex/locales/de.json": {Data: []byte(`{`)}}, "locales/de.json"},
		{"template does not parse", fstest.MapFS{"tenants/globex/footer.tmpl": {Data: []byte(`{{define "footer"}}{{if}}{{end}}`)}}, "footer.tmpl"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			tn := overrideStore(t, tc.files)
			_, err := r.Render(Message{Kind: trigger.Reset, Tenant: tn, Code: "{####}", Expiry: time.Hour})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "globex")
		})
	}
}
