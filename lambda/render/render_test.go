package render

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/gate"
	_ "github.com/cogmail/cogmail/lambda/internal/golden"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

func fixture(t testing.TB) (*Renderer, *tenant.Tenant) {
	t.Helper()
	r, err := New(templates.FS)
	require.NoError(t, err)
	tn, err := tenant.Load(templates.FS, tenant.DefaultID)
	require.NoError(t, err)
	return r, tn
}

// The compiled form must write exactly what executing the template writes,
// for any values: it is what every warm invocation sends.
func FuzzCompiledEqualsExecuted(f *testing.F) {
	f.Add("Ana", "{####}", "{username}", "https://app.example.com/r?username=a%2Bb&tenant=t&code={####}", true)
	f.Add("", "{####}", "{username}", "", false)
	f.Add("<b>O'Neil</b> & +1", `{#"#}`, "a<b>&c", `https://x.example/?a="'<>+&`, true)
	f.Add("\u00a0\u200d\u202eZoë 李", "\x00", "\xff", "\u2028", false)
	r, tn := fixture(f)
	f.Fuzz(func(t *testing.T, name, code, username, link string, invite bool) {
		m := message{kind: "reset", tenant: tn, expiry: time.Hour, name: name, code: code, link: link}
		if invite {
			m.kind, m.username, m.expiry = "invite", username, 7*24*time.Hour
		}
		m.name = gate.Truncate(gate.CleanLine(m.name), MaxNameRunes)
		c, err := r.compiled(m)
		require.NoError(t, err, "the built-in templates must compile")
		want, err := r.execute(m)
		require.NoError(t, err)
		assert.Equal(t, want.HTML, c.fill(m))
		assert.Equal(t, want.Subject, c.subject)
	})
}

func TestCompiledFormsAreCached(t *testing.T) {
	r, tn := fixture(t)
	m := message{kind: "reset", tenant: tn, expiry: time.Hour, name: "Ana", code: "{####}", link: "https://a.example/"}
	c1, err := r.compiled(m)
	require.NoError(t, err)
	m.name, m.link = "Zoë", "https://b.example/"
	c2, err := r.compiled(m)
	require.NoError(t, err)
	assert.Same(t, c1, c2, "same tenant, kind, expiry and present values: one compiled form")
	m.name = ""
	c3, err := r.compiled(m)
	require.NoError(t, err)
	assert.NotSame(t, c1, c3, "a missing name changes the template's branches")
}

// A template that puts a value where other escaping applies cannot be
// compiled; it is executed for every message instead, and still right.
func TestUncompilableTemplateIsExecuted(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, name := range []string{"layout.html.tmpl", "invite.html.tmpl", "locales/en.json"} {
		data, err := templates.FS.ReadFile(name)
		require.NoError(t, err)
		fsys[name] = &fstest.MapFile{Data: data}
	}
	fsys["reset.html.tmpl"] = &fstest.MapFile{Data: []byte(
		`{{define "content"}}<a href="https://x.example/?n={{.Name}}">{{.Code}}</a>{{end}}`)}
	r, err := New(fsys)
	require.NoError(t, err)
	_, tn := fixture(t)

	m := message{kind: "reset", tenant: tn, expiry: time.Hour, name: "a b&c", code: "{####}"}
	_, err = r.compiled(m)
	require.Error(t, err)
	email, err := r.Reset(Reset{Tenant: tn, Name: "a b&c", Code: "{####}", LinkExpiry: time.Hour})
	require.NoError(t, err)
	assert.Contains(t, email.HTML, `href="https://x.example/?n=a%20b%26c"`)
}

func TestNewReportsEveryProblem(t *testing.T) {
	fsys := fstest.MapFS{
		"layout.html.tmpl": {Data: []byte(`{{define "layout"}}{{template "content" .}}{{end}}`)},
		"reset.html.tmpl":  {Data: []byte(`{{define "content"}}{{.Nope}{{end}}`)},
		"invite.html.tmpl": {Data: []byte(`{{define "content"}}{{if}}{{end}}`)},
		"locales/en.json":  {Data: []byte(`{"a": {"few": "x"}}`)},
	}
	_, err := New(fsys)
	require.Error(t, err)
	for _, want := range []string{"reset", "invite", "locales/en.json", `"other"`} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestCatalog(t *testing.T) {
	c, err := parseCatalog(language.English, []byte(`{
		"hi": "Hi {name}, {unknown} stays",
		"left": {"one": "{n} day left", "other": "{n} days left"}
	}`))
	require.NoError(t, err)
	for _, tc := range []struct{ name, got, want string }{
		{"fill", c.text("hi", "name", "Ana"), "Hi Ana, {unknown} stays"},
		{"missing key shows the key", c.text("nope"), "nope"},
		{"one", c.count("left", 1), "1 day left"},
		{"other", c.count("left", 7), "7 days left"},
		{"zero is other in English", c.count("left", 0), "0 days left"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.got) })
	}

	// Polish has "few" and "many": the plural data decides, not a table here.
	pl, err := parseCatalog(language.Polish, []byte(`{"left": {"one": "{n} dzień", "few": "{n} dni (few)", "many": "{n} dni (many)", "other": "{n} dnia"}}`))
	require.NoError(t, err)
	assert.Equal(t, "1 dzień", pl.count("left", 1))
	assert.Equal(t, "3 dni (few)", pl.count("left", 3))
	assert.Equal(t, "5 dni (many)", pl.count("left", 5))
	assert.Equal(t, "22 dni (few)", pl.count("left", 22))
}

func TestExpiryUnits(t *testing.T) {
	r, tn := fixture(t)
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{time.Hour, "expire in 1 hour."},
		{30 * time.Minute, "expire in 30 minutes."},
		{90 * time.Minute, "expire in 90 minutes."},
		{2 * time.Hour, "expire in 2 hours."},
		{24 * time.Hour, "expire in 1 day."},
		{36 * time.Hour, "expire in 36 hours."},
		{7 * 24 * time.Hour, "expire in 7 days."},
	} {
		t.Run("case="+tc.d.String(), func(t *testing.T) {
			p := r.page(message{kind: "reset", tenant: tn, expiry: tc.d})
			assert.True(t, strings.HasSuffix(p.Expiry("reset.expires"), tc.want), p.Expiry("reset.expires"))
		})
	}
}

func TestDirection(t *testing.T) {
	for tag, want := range map[string]string{"ar": "rtl", "he": "rtl", "ar-EG": "rtl", "en": "ltr", "ja": "ltr", "fa-IR": "rtl"} {
		assert.Equal(t, want, direction(language.MustParse(tag)), tag)
	}
}

func TestEscapeHTMLMatchesHTMLTemplate(t *testing.T) {
	assert.Equal(t, "a&lt;b&gt;&amp;&#34;&#39;&#43;\uFFFD{####}", escapeHTML("a<b>&\"'+\x00{####}"))
	assert.Equal(t, "plain", escapeHTML("plain"))
}
