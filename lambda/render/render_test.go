package render

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	_ "github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
	"github.com/cogmail/cogmail/templates"
)

func fixture(t testing.TB) (*Renderer, *tenant.Tenant) {
	t.Helper()
	r, err := New(templates.FS)
	require.NoError(t, err)
	tn, err := tenant.NewStore(templates.FS).Get(tenant.DefaultID)
	require.NoError(t, err)
	return r, tn
}

// The compiled form must write exactly what executing the template writes,
// for any values: it is what every warm invocation sends.
func FuzzCompiledEqualsExecuted(f *testing.F) {
	f.Add("Ana", "{####}", "{username}", "https://app.example.com/r?username=a%2Bb&tenant=t&code={####}", uint8(0), uint8(0))
	f.Add("", "{####}", "{username}", "", uint8(1), uint8(13))
	f.Add("<b>O'Neil</b> & +1", `{#"#}`, "a<b>&c", `https://x.example/?a="'<>+&`, uint8(2), uint8(14))
	f.Add("\u00a0\u200d\u202eZoë 李", "\x00", "\xff", "\u2028", uint8(6), uint8(9))
	r, tn := fixture(f)
	langs := append(tn.SupportedLanguages(), pseudo)
	f.Fuzz(func(t *testing.T, name, code, username, link string, kindIndex, langIndex uint8) {
		m := Message{Kind: trigger.Kinds[int(kindIndex)%len(trigger.Kinds)], Tenant: tn,
			Locale: langs[int(langIndex)%len(langs)], Expiry: time.Hour,
			Name: truncate(cleanName(name), MaxNameRunes), Code: code, Username: username}
		if kinds[m.Kind].links {
			m.Link = link
		}
		c, err := r.compiledFor(m)
		require.NoError(t, err, "the built-in templates must compile")
		want, err := r.execute(m)
		require.NoError(t, err)
		assert.Equal(t, want.HTML, c.fill(m))
		assert.Equal(t, want.Subject, c.subject)
		assert.Equal(t, want.Lang, c.lang)
	})
}

func TestCompiledFormsAreCached(t *testing.T) {
	r, tn := fixture(t)
	m := Message{Kind: trigger.Reset, Tenant: tn, Locale: language.German, Expiry: time.Hour, Name: "Ana", Code: "{####}", Link: "https://a.example/"}
	c1, err := r.compiledFor(m)
	require.NoError(t, err)
	m.Name, m.Link = "Zoë", "https://b.example/"
	c2, err := r.compiledFor(m)
	require.NoError(t, err)
	assert.Same(t, c1, c2, "same tenant, kind, language, expiry and present values: one compiled form")
	m.Name = ""
	c3, err := r.compiledFor(m)
	require.NoError(t, err)
	assert.NotSame(t, c1, c3, "a missing name changes the template's branches")
	m.Locale = language.French
	c4, err := r.compiledFor(m)
	require.NoError(t, err)
	assert.NotSame(t, c3, c4)
}

func TestRenderLanguageAndDirection(t *testing.T) {
	r, tn := fixture(t)
	for _, tc := range []struct {
		locale  string
		lang    string
		dir     string
		heading string
	}{
		{"en", "en", "ltr", "Reset your password"},
		{"ar", "ar", "rtl", ""},
		{"he", "he", "rtl", ""},
		{"ja", "ja", "ltr", ""},
		{"pt-BR", "pt-BR", "ltr", ""},
		{ownLanguage(t), "en", "ltr", "Reset your password"}, // no catalog: the tenant default
	} {
		t.Run("case="+tc.locale, func(t *testing.T) {
			email, err := r.Render(Message{Kind: trigger.Reset, Tenant: tn, Locale: language.MustParse(tc.locale),
				Code: "{####}", Link: "https://app.example.com/r?code={####}", Expiry: time.Hour})
			require.NoError(t, err)
			assert.Equal(t, tc.lang, email.Lang)
			assert.Contains(t, email.HTML, `<html lang="`+tc.lang+`" dir="`+tc.dir+`">`)
			if tc.dir == "rtl" {
				assert.Contains(t, email.HTML, "text-align:right")
			}
			if tc.heading != "" {
				assert.Contains(t, email.HTML, tc.heading)
			} else {
				assert.NotContains(t, email.HTML, "Reset your password", "the language's own text")
			}
		})
	}
}

// Every message in every shipped language and the pseudo-locale passes the
// gate, with and without a link.
func TestEveryKindAndLanguagePassesTheGate(t *testing.T) {
	r, tn := fixture(t)
	for _, k := range trigger.Kinds {
		for _, tag := range append(tn.SupportedLanguages(), pseudo) {
			for _, link := range []string{"", "https://app.example.com/r?username=u&code={####}"} {
				if link != "" && !kinds[k].links || k == trigger.Invite && link != "" {
					continue
				}
				m := Message{Kind: k, Tenant: tn, Locale: tag, Name: "Ana", Code: "{####}", Username: "{username}", Link: link, Expiry: 24 * time.Hour}
				email, err := r.Render(m)
				require.NoError(t, err, "%s %s", k, tag)
				err = gate.Check(gate.Message{TriggerSource: k.Source(), CodeParameter: "{####}", UsernameParameter: "{username}",
					EmailSubject: email.Subject, EmailMessage: email.HTML, SMSMessage: email.SMS})
				assert.NoError(t, err, "%s %s link=%v", k, tag, link != "")
			}
		}
	}
}

// The first message of a form is executed, the later ones filled from its
// compiled form: the same email either way, for every embedded tenant
// (their overrides included), message and language.
func TestFirstMessageIsWhatTheCompiledFormWrites(t *testing.T) {
	r, err := Open(templates.FS)
	require.NoError(t, err)
	store := tenant.NewStore(templates.FS)
	ids, err := store.IDs()
	require.NoError(t, err)
	for _, id := range ids {
		tn, err := store.Get(id)
		require.NoError(t, err)
		for _, k := range trigger.Kinds {
			for _, tag := range tn.SupportedLanguages() {
				m := Message{Kind: k, Tenant: tn, Locale: tag, Name: "Zoë <O'Neil>", Code: "{####}", Username: "{username}",
					Link: "https://app.example.com/r?username=a%2Bb&code={####}", Expiry: time.Hour}
				if !kinds[k].links || k == trigger.Invite {
					m.Link = ""
				}
				first, err := r.Render(m)
				require.NoError(t, err)
				for range 2 {
					again, err := r.Render(m)
					require.NoError(t, err)
					require.Equal(t, first, again, "%s %s %s", id, k, tag)
				}
			}
		}
	}
}

// A fresh renderer serves many messages at once: each template, catalog,
// tenant view and compiled form is made once, and every message is what
// it is alone (run with -race).
func TestConcurrentFirstUse(t *testing.T) {
	store := tenant.NewStore(templates.FS)
	ids, err := store.IDs()
	require.NoError(t, err)
	var messages []Message
	for _, id := range ids {
		tn, err := store.Get(id)
		require.NoError(t, err)
		for _, k := range []trigger.Kind{trigger.Reset, trigger.Invite, trigger.Verify} {
			for _, tag := range tn.SupportedLanguages()[:2] {
				messages = append(messages, Message{Kind: k, Tenant: tn, Locale: tag, Code: "{####}", Username: "{username}", Expiry: time.Hour})
			}
		}
	}
	alone, err := Open(templates.FS)
	require.NoError(t, err)
	want := make([]Email, len(messages))
	for i, m := range messages {
		want[i], err = alone.Render(m)
		require.NoError(t, err)
	}
	r, err := Open(templates.FS)
	require.NoError(t, err)
	var wg sync.WaitGroup
	got := make([][3]Email, len(messages))
	errs := make([][3]error, len(messages))
	for i, m := range messages {
		for j := range 3 { // executed, compiled, filled
			wg.Go(func() { got[i][j], errs[i][j] = r.Render(m) })
		}
	}
	wg.Wait()
	for i := range messages {
		for j := range 3 {
			require.NoError(t, errs[i][j])
			assert.Equal(t, want[i], got[i][j], "%s %s %s", messages[i].Tenant.ID, messages[i].Kind, messages[i].Locale)
		}
	}
}

// The pseudo-locale accents every catalog text: an unaccented word in a
// rendered email is text that did not come from the catalog.
func TestPseudoLocaleFindsHardCodedText(t *testing.T) {
	r, tn := fixture(t)
	data := []string{tn.Brand.ProductName, tn.Brand.SupportEmail, "{####}", "{username}", "Ana"}
	for _, k := range trigger.Kinds {
		email, err := r.Render(Message{Kind: k, Tenant: tn, Locale: pseudo, Name: "Ana", Code: "{####}", Username: "{username}", Expiry: time.Hour})
		require.NoError(t, err)
		for _, text := range visibleText(email.HTML) {
			for _, d := range data {
				text = strings.ReplaceAll(text, d, "")
			}
			if strings.IndexFunc(text, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) >= 0 {
				t.Errorf("%s: text not from the catalog: %q", k, text)
			}
		}
		assert.Contains(t, email.Subject, "[")
	}
}

// visibleText returns the text between tags outside <head>.
func visibleText(html string) []string {
	if i := strings.Index(html, "<body"); i >= 0 {
		html = html[i:]
	}
	var out []string
	for _, chunk := range strings.Split(html, ">") {
		text, _, _ := strings.Cut(chunk, "<")
		if text = strings.TrimSpace(text); text != "" {
			out = append(out, text)
		}
	}
	return out
}

func TestPseudoText(t *testing.T) {
	got := pseudoText("Hi {name}, reset {product}")
	assert.True(t, strings.HasPrefix(got, "[Ĥí {name}, ŕéšéţ {product}"), got)
	assert.True(t, strings.HasSuffix(got, "]"))
	assert.GreaterOrEqual(t, len([]rune(got)), len([]rune("Hi {name}, reset {product}"))*7/5)
}

func TestTexts(t *testing.T) {
	r, tn := fixture(t)
	x, err := r.Texts(tn, language.MustParse("he-IL"))
	require.NoError(t, err)
	assert.Equal(t, "he", x.Lang())
	assert.Equal(t, "rtl", x.Dir())
	assert.NotEqual(t, "reset.heading", x.T("reset.heading"))
	assert.Equal(t, "no.such.key", x.T("no.such.key"))
	x, err = r.Texts(tn, language.Und)
	require.NoError(t, err)
	assert.Equal(t, "en", x.Lang())
}
