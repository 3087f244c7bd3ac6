package render

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
	"github.com/cogmail/cogmail/templates"
)

// Sender mode's sample values: a real code, and for invitations a
// temporary password and a username that need escaping in HTML.
const (
	sentCode     = "739214"
	sentPassword = `Tq8<r>&"x'Z`
	sentUsername = "ana.o'neil+ops"
	sentLink     = "https://app.example.com/reset?username=d2f4&tenant=default&code=739214&exp=1&sig=a-b_c"
)

// sentAt is kind k in sender mode, with real values and, when the kind has
// one, a link.
func sentAt(k trigger.Kind, tn *tenant.Tenant, lang language.Tag, name string) Message {
	m := Message{Kind: k, Tenant: tn, Locale: lang, Name: name, Code: sentCode, Expiry: time.Hour, Sent: true}
	if k == trigger.Invite {
		m.Code, m.Username = sentPassword, sentUsername
	}
	if kinds[k].links {
		m.Link = sentLink
	}
	return m
}

// must is what gate.CheckSent must find in m's email.
func (m Message) must() []string {
	if m.Kind == trigger.Invite {
		return []string{m.Code, m.Username}
	}
	return []string{m.Code}
}

// Every Custom Message kind in sender mode, with and without its link, in
// every language of the default tenant and the pseudo-locale, has a text
// part written for people with the real values as they are, and passes the
// sender's gate.
func TestSentRender(t *testing.T) {
	r, tn := fixture(t)
	for _, lang := range append(tn.SupportedLanguages(), pseudo) {
		for _, k := range trigger.Kinds {
			for _, withLink := range []bool{true, false} {
				if withLink && !kinds[k].links {
					continue
				}
				t.Run("case="+lang.String()+"/"+string(k)+"/link="+map[bool]string{true: "yes", false: "no"}[withLink], func(t *testing.T) {
					m := sentAt(k, tn, lang, "Ana")
					if !withLink {
						m.Link = ""
					}
					email, err := r.Render(m)
					require.NoError(t, err)
					require.NoError(t, gate.CheckSent(email.Subject, email.HTML, email.Text, m.must()...))
					assert.Empty(t, email.SMS, "the sender sends no SMS")
					assert.Contains(t, email.HTML, `<html lang="`+email.Lang+`" dir="`+direction(language.MustParse(email.Lang))+`">`)
					assert.Contains(t, email.Text, tn.Brand.ProductName)
					assert.Contains(t, email.Text, "\n"+m.Code+"\n", "the code alone on its line, as it is")
					if k == trigger.Invite {
						assert.Contains(t, email.Text, "\n"+sentUsername+"\n")
					}
					assert.Equal(t, k.ProvenDestination(), strings.Contains(email.Text, "Ana"), "a name only to a proven address")
					shown := withLink && k.ProvenDestination()
					assert.Equal(t, shown, strings.Contains(email.Text, "\n"+sentLink+"\n"), "the link alone on its line, where the HTML writes it out too")
					assert.Equal(t, withLink, strings.Contains(email.HTML, `href="`+htmlAttrEscape(sentLink)+`"`), "the button")
					assertPlainText(t, strings.ReplaceAll(email.Text, sentPassword, "password"))
				})
			}
		}
	}
}

// The HTML in sender mode is the Custom Message trigger's with the same
// values: one template, one look, whichever function sends it.
func TestSentHTMLIsTheTriggersHTML(t *testing.T) {
	r, tn := fixture(t)
	for _, k := range trigger.Kinds {
		for _, lang := range []language.Tag{language.English, language.Arabic, pseudo} {
			t.Run("case="+string(k)+"/"+lang.String(), func(t *testing.T) {
				// A name that ends and starts unlike every value: the
				// trigger's greetingName leaves out one that could join a
				// placeholder.
				m := sentAt(k, tn, lang, "Bo")
				sent, err := r.Render(m)
				require.NoError(t, err)
				m.Sent = false
				for range 3 { // executed, compiled, compiled form filled
					answer, err := r.Render(m)
					require.NoError(t, err)
					assert.Equal(t, sent.HTML, answer.HTML)
					assert.Equal(t, sent.Subject, answer.Subject)
					assert.Equal(t, sent.Lang, answer.Lang)
					assert.Empty(t, answer.Text, "a Custom Message answer has no text part")
				}
			})
		}
	}
}

// The invitation's fields read back the real temporary password and
// username exactly, and its text part has them as they are.
func TestSentInvitationReadsBack(t *testing.T) {
	r, tn := fixture(t)
	email, err := r.Render(sentAt(trigger.Invite, tn, language.English, ""))
	require.NoError(t, err)
	var fields []string
	for _, m := range regexp.MustCompile(`(?s)<textarea[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(email.HTML, -1) {
		fields = append(fields, html.UnescapeString(m[1])) // as a browser reads RCDATA
	}
	assert.Equal(t, []string{sentUsername, sentPassword}, fields)
	assert.NotContains(t, email.HTML, sentPassword, "escaped in the HTML")
	assert.Contains(t, email.Text, "\n"+sentPassword+"\n")
}

// A name holding Cognito's placeholder is left out in sender mode, where
// nothing substitutes it and the gate refuses it; the real code in a name
// does no harm.
func TestSentNameNeverCarriesAPlaceholder(t *testing.T) {
	r, tn := fixture(t)
	for _, name := range []string{"{####}", "Ana {username}", "Ana %7B%23%23%23%23%7D"} {
		t.Run("case="+name, func(t *testing.T) {
			m := sentAt(trigger.Reset, tn, language.English, name)
			email, err := r.Render(m)
			require.NoError(t, err)
			assert.NoError(t, gate.CheckSent(email.Subject, email.HTML, email.Text, m.must()...))
			assert.NotContains(t, email.Text, "Ana")
		})
	}
	email, err := r.Render(sentAt(trigger.Reset, tn, language.English, "Ana "+sentCode))
	require.NoError(t, err)
	assert.Contains(t, email.Text, "Ana "+sentCode)
}

// Where the text part leaves the link out (mail to an address nobody has
// proven), its expiry line speaks of the code alone.
func TestSentTextExpiry(t *testing.T) {
	r, tn := fixture(t)
	w := wordsOf(t, r, tn, language.English)
	for _, tc := range []struct {
		kind trigger.Kind
		link bool
		want string
	}{
		{trigger.Reset, true, w.count("reset.expires.hours", 1)},
		{trigger.Reset, false, w.count("code.expires.hours", 1)},
		{trigger.SignUp, true, w.count("code.expires.days", 1)}, // the link is not written out
		{trigger.SignUp, false, w.count("code.expires.days", 1)},
		{trigger.Invite, true, w.count("invite.expires.hours", 1)},
		{trigger.MFA, false, ""},
	} {
		t.Run("case="+string(tc.kind)+map[bool]string{true: "/link", false: ""}[tc.link], func(t *testing.T) {
			m := sentAt(tc.kind, tn, language.English, "")
			if !tc.link {
				m.Link = ""
			}
			email, err := r.Render(m)
			require.NoError(t, err)
			if tc.want == "" {
				assert.NotContains(t, email.Text, "expire")
				return
			}
			assert.Contains(t, email.Text, "\n"+tc.want+"\n")
		})
	}
}

// The Custom Message function never parses a text template: its cold
// start and warm path stay as they were. The first message in sender mode
// parses its kind's text set alone.
func TestCustomMessagesParseNoTextTemplate(t *testing.T) {
	r, err := Open(templates.FS)
	require.NoError(t, err)
	tn, err := tenant.NewStore(templates.FS).Get(tenant.DefaultID)
	require.NoError(t, err)
	acme, err := tenant.NewStore(templates.FS).Get("acme")
	require.NoError(t, err)
	for _, k := range trigger.Kinds {
		for _, t2 := range []*tenant.Tenant{tn, acme} {
			for range 2 {
				_, err := r.Render(Message{Kind: k, Tenant: t2, Locale: language.English, Code: "{####}", Username: "{username}", Expiry: time.Hour})
				require.NoError(t, err)
			}
		}
	}
	assert.Nil(t, r.templates.texts, "no text set made")
	view, err := r.tenantView(acme)
	require.NoError(t, err)
	assert.Nil(t, view.texts, "no tenant text set made")

	_, err = r.Render(sentAt(trigger.Reset, tn, language.English, ""))
	require.NoError(t, err)
	require.NotNil(t, r.templates.texts)
	for k, tt := range r.templates.texts {
		assert.Equal(t, k == trigger.Reset, tt.set != nil, "only the kind sent: %s", k)
	}
}

// A tenant's text templates shape its emails in sender mode: its
// footer.txt.tmpl every text part, its <kind>.txt.tmpl that kind's. A
// broken one fails its emails in sender mode, named by its path, and
// CheckTenant says so once; its Custom Message answers and its notices
// never read a Custom Message kind's text template.
func TestSentTenantTextTemplates(t *testing.T) {
	r, def := fixture(t)
	tn := overrideStore(t, fstest.MapFS{
		"tenants/globex/footer.txt.tmpl": {Data: []byte(`{{define "footer"}}Globex text footer{{end}}`)},
		"tenants/globex/reset.txt.tmpl":  {Data: []byte(`{{define "content"}}Globex reset: {{.Code}}{{end}}`)},
	})
	reset, err := r.Render(sentAt(trigger.Reset, tn, language.English, ""))
	require.NoError(t, err)
	assert.Contains(t, reset.Text, "Globex reset: "+sentCode+"\n")
	assert.Contains(t, reset.Text, "Globex text footer\n")
	signup, err := r.Render(sentAt(trigger.SignUp, tn, language.English, ""))
	require.NoError(t, err)
	assert.NotContains(t, signup.Text, "Globex reset")
	assert.Contains(t, signup.Text, "Globex text footer\n")
	changed, err := r.Render(noticeAt(trigger.Changed, tn, "en", reportLink))
	require.NoError(t, err)
	assert.Contains(t, changed.Text, "Globex text footer\n", "notices too")
	base, err := r.Render(sentAt(trigger.Reset, def, language.English, ""))
	require.NoError(t, err)
	assert.NotContains(t, base.Text, "Globex")

	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"text of one kind", fstest.MapFS{"tenants/globex/reset.txt.tmpl": {Data: []byte("\n{{define \"content\"}}{{if}}{{end}}")}},
			"tenants/globex/reset.txt.tmpl:2:"},
		{"text of every message", fstest.MapFS{"tenants/globex/footer.txt.tmpl": {Data: []byte(`{{define "footer"}}{{end`)}},
			"tenants/globex/footer.txt.tmpl:1:"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			tn := overrideStore(t, tc.files)
			checked := r.CheckTenant(tn)
			require.Error(t, checked)
			assert.Equal(t, 1, strings.Count(checked.Error(), tc.want), "each file once: %v", checked)
			// As a notice's broken template fails every notice: the
			// tenant's text files are one set, checked as one.
			for _, k := range trigger.Kinds {
				_, err := r.Render(sentAt(k, tn, language.English, ""))
				require.Error(t, err, k)
				assert.Contains(t, err.Error(), tc.want)
				assert.Contains(t, checked.Error(), err.Error(), "the same error, to print once")
				m := sentAt(k, tn, language.English, "")
				m.Sent, m.Code, m.Username = false, "{####}", "{username}"
				_, err = r.Render(m)
				assert.NoError(t, err, "Custom Message answers do not read text templates")
			}
		})
	}
}

// New and Validate parse every kind's text template.
func TestSentTemplatesValidated(t *testing.T) {
	_, err := New(shippedWith(t, fstest.MapFS{"mfa.txt.tmpl": {Data: []byte(`{{define "content"}}{{if}}{{end}}`)}}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "mfa.txt.tmpl:1:")
	for _, k := range trigger.Kinds {
		t.Run("case=missing "+string(k)+".txt.tmpl", func(t *testing.T) {
			files := shippedWith(t, nil)
			delete(files, string(k)+".txt.tmpl")
			_, err := New(files)
			require.Error(t, err)
			assert.Contains(t, err.Error(), string(k)+".txt.tmpl")
		})
	}
}

// A warm message in sender mode: both parts executed, as every time.
func BenchmarkSentReset(b *testing.B) {
	r, tn := fixture(b)
	m := sentAt(trigger.Reset, tn, language.English, "Ana")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(m); err != nil {
			b.Fatal(err)
		}
	}
}
