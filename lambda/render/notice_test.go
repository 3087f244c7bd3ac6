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
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

const reportLink = "https://app.example.com/report?username=d2f4&tenant=default&exp=1&sig=a-b_c"

// noticeAt is a notice at 09:05 UTC on 4 May 2026: 18:05 in Tokyo.
func noticeAt(k trigger.Kind, tn *tenant.Tenant, lang string, link string) Message {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	return Message{Kind: k, Tenant: tn, Locale: language.MustParse(lang), Name: "Ana", Link: link, Expiry: 168 * time.Hour,
		When: time.Date(2026, 5, 4, 9, 5, 0, 0, time.UTC), Zone: tokyo}
}

// Every notice, with and without a report link, in every language of the
// default tenant and the pseudo-locale, has a text part written for people
// and passes the notifier's gate.
func TestNoticesRender(t *testing.T) {
	r, tn := fixture(t)
	for _, lang := range append(tn.SupportedLanguages(), pseudo) {
		for _, k := range trigger.Notices {
			for _, link := range []string{reportLink, ""} {
				t.Run("case="+lang.String()+"/"+string(k)+"/link="+map[bool]string{true: "yes", false: "no"}[link != ""], func(t *testing.T) {
					m := noticeAt(k, tn, lang.String(), link)
					email, err := r.Render(m)
					require.NoError(t, err)
					require.NoError(t, gate.CheckNotice(email.Subject, email.HTML, email.Text))
					assert.Empty(t, email.SMS, "a notice has no SMS")
					assert.Contains(t, email.HTML, `<html lang="`+email.Lang+`" dir="`+direction(language.MustParse(email.Lang))+`">`)
					assert.Contains(t, email.Text, tn.Brand.ProductName)
					assert.Contains(t, email.Text, "2026", "the time the notice tells of")
					assert.Contains(t, email.Text, "18", "in the reader's zone")
					assert.Contains(t, email.Text, "Asia/Tokyo")
					assert.Contains(t, email.Text, "Ana", "notices go to verified addresses: they greet by name")

					reported := k.Reportable() && link != ""
					assert.Equal(t, reported, strings.Contains(email.HTML, `href="`+htmlAttrEscape(link)+`"`), "the button and the link as text")
					if link != "" {
						assert.Equal(t, reported, strings.Contains(email.Text, "\n"+link+"\n"), "the link alone on its line")
					}
					// As the text part writes them: a French no-break space is a space there.
					unknown := cleanLine(wordsOf(t, r, tn, lang).text("notice.unknown"))
					assert.Equal(t, k.Reportable() && link == "", strings.Contains(email.Text, unknown), "what to do without a link")
					assert.Equal(t, k == trigger.AdminReset, strings.Contains(email.Text, cleanLine(wordsOf(t, r, tn, lang).text("adminreset.ignore"))))
					assertPlainText(t, email.Text)
				})
			}
		}
	}
}

// assertPlainText checks a text part reads as text: no markup or
// entities, short paragraphs one blank line apart, no trailing spaces, no
// invisible characters, one line break at the end.
func assertPlainText(t *testing.T, text string) {
	t.Helper()
	assert.True(t, strings.HasSuffix(text, "\n") && !strings.HasSuffix(text, "\n\n"), "ends in one line break")
	assert.NotContains(t, text, "\n\n\n", "one blank line between paragraphs")
	assert.NotContains(t, text, "\r")
	for _, bad := range []string{"<p", "<a", "</", "&amp;", "&#", "&lt;", "&gt;", "&quot;"} {
		assert.NotContains(t, text, bad)
	}
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n")
		assert.Equal(t, strings.TrimSpace(line), line, "trimmed: %q", line)
		assert.True(t, gate.Fits(line), "no invisible characters: %q", line)
	}
}

func htmlAttrEscape(s string) string { return strings.ReplaceAll(s, "&", "&amp;") }

func wordsOf(t *testing.T, r *Renderer, tn *tenant.Tenant, lang language.Tag) *words {
	t.Helper()
	view, err := r.tenantView(tn)
	require.NoError(t, err)
	w, err := r.words(view, lang, tn.DefaultLanguage())
	require.NoError(t, err)
	return w
}

// The English text part, whole: what a reader of the text part sees.
func TestNoticeTextReads(t *testing.T) {
	r, tn := fixture(t)
	email, err := r.Render(noticeAt(trigger.Changed, tn, "en", reportLink))
	require.NoError(t, err)
	assert.Equal(t, `Example App

Your password was changed

Hi Ana,

The password of your Example App account was changed on 2026-05-04 at 18:05 (Asia/Tokyo).

If this was you, there is nothing else to do.

If this was not you, someone else may have access to your account. Secure it now:

`+reportLink+`

The link works for 7 days.

For your security, we never send passwords by email.

Questions? Write to support@example.com.
This email is about the Example App account linked to this address.
`, email.Text)
	assert.Equal(t, "Your Example App password was changed", email.Subject)
	assert.Equal(t, "en", email.Lang)
}

func TestNoticeWhen(t *testing.T) {
	r, tn := fixture(t)
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		when time.Time
		zone *time.Location
		want string
	}{
		{"no zone is UTC", time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), nil, "2026-01-02 at 03:04 (UTC)"},
		{"UTC by name", time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), time.UTC, "2026-12-31 at 23:59 (UTC)"},
		{"the reader's zone, across a day", time.Date(2026, 3, 1, 2, 30, 0, 0, time.UTC), newYork, "2026-02-28 at 21:30 (America/New_York)"},
		{"a time given in another zone", time.Date(2026, 7, 1, 12, 0, 0, 0, newYork), time.UTC, "2026-07-01 at 16:00 (UTC)"},
		{"four-digit year", time.Date(987, 6, 5, 4, 3, 0, 0, time.UTC), nil, "0987-06-05 at 04:03 (UTC)"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			email, err := r.Render(Message{Kind: trigger.Recovered, Tenant: tn, Locale: language.English, When: tc.when, Zone: tc.zone})
			require.NoError(t, err)
			assert.Contains(t, email.Text, " on "+tc.want+", ")
			assert.Contains(t, email.HTML, " on "+tc.want+", ")
		})
	}
}

// Text a user wrote reaches the text part cleaned as a subject is, and a
// name that holds one of Cognito's placeholders is left out, as the gate
// refuses them in a notice.
func TestNoticeNames(t *testing.T) {
	r, tn := fixture(t)
	for _, tc := range []struct{ name, greets string }{
		{"Ana\u00a0María", "Hi Ana María,"},
		{"Ana\u202e\u200b <b>&", "Hi Ana <b>&,"},
		{"Ana\nBcc: x@example.com", "Hi Ana Bcc: x@example.com,"},
		{"{####}", ""},
		{"Ana {username}", ""},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			email, err := r.Render(noticeAt(trigger.Changed, tn, "en", reportLink).with(tc.name))
			require.NoError(t, err)
			require.NoError(t, gate.CheckNotice(email.Subject, email.HTML, email.Text))
			if tc.greets == "" {
				assert.NotContains(t, email.Text, "Hi ")
				assert.NotContains(t, email.HTML, "Hi ")
				return
			}
			assert.Contains(t, email.Text, "\n"+tc.greets+"\n")
			assertPlainText(t, email.Text)
		})
	}
}

func (m Message) with(name string) Message { m.Name = name; return m }

func TestNoticeRightToLeftAndPseudo(t *testing.T) {
	r, tn := fixture(t)
	email, err := r.Render(noticeAt(trigger.Recovered, tn, "ar", reportLink))
	require.NoError(t, err)
	assert.Equal(t, "ar", email.Lang)
	assert.Contains(t, email.HTML, `dir="rtl"`)
	assert.Contains(t, email.Text, "\n"+reportLink+"\n")

	email, err = r.Render(noticeAt(trigger.Recovered, tn, pseudo.String(), reportLink))
	require.NoError(t, err)
	assert.Contains(t, email.Subject, "[")
	assert.Contains(t, email.Text, "Îƒ ţĥíš ŵáš", "the text part's words go through the catalog too")
}

// A tenant overrides a notice's templates as any message's: <kind>.html.tmpl
// and <kind>.txt.tmpl for one notice, *.txt.tmpl of no kind for every
// notice's text, and its HTML blocks (footer.tmpl) reach notices too.
func TestNoticeTenantOverrides(t *testing.T) {
	r, def := fixture(t)
	_, err := r.Render(noticeAt(trigger.Changed, def, "en", reportLink)) // the base sets have run
	require.NoError(t, err)
	tn := overrideStore(t, fstest.MapFS{
		"tenants/globex/footer.tmpl":         {Data: []byte(`{{define "footer"}}<p>Globex footer</p>{{end}}`)},
		"tenants/globex/footer.txt.tmpl":     {Data: []byte(`{{define "footer"}}Globex text footer{{end}}`)},
		"tenants/globex/changed.html.tmpl":   {Data: []byte(`{{define "content"}}<h1>{{.K "heading"}}</h1><p>Globex changed</p>{{end}}`)},
		"tenants/globex/changed.txt.tmpl":    {Data: []byte(`{{define "content"}}Globex changed, {{.When}}{{end}}`)},
		"tenants/globex/recovered.html.tmpl": {Data: []byte(`{{define "content"}}<p>Globex recovered</p>{{end}}`)},
		"tenants/globex/never.tmpl":          {Data: []byte(`{{define "never"}}<p>Globex never</p>{{end}}`)},
	})
	changed, err := r.Render(noticeAt(trigger.Changed, tn, "en", reportLink))
	require.NoError(t, err)
	assert.Contains(t, changed.HTML, "<p>Globex changed</p>")
	assert.Contains(t, changed.HTML, "<p>Globex footer</p>")
	assert.Contains(t, changed.Text, "Globex changed, 2026-05-04 at 18:05 (Asia/Tokyo)\n")
	assert.Contains(t, changed.Text, "Globex text footer\n")

	recovered, err := r.Render(noticeAt(trigger.Recovered, tn, "en", reportLink))
	require.NoError(t, err)
	assert.Contains(t, recovered.HTML, "<p>Globex recovered</p>")
	assert.NotContains(t, recovered.HTML, "Globex changed")
	assert.Contains(t, recovered.Text, "\n"+reportLink+"\n", "the base text template")

	adminset, err := r.Render(noticeAt(trigger.AdminSet, tn, "en", reportLink))
	require.NoError(t, err)
	assert.Contains(t, adminset.HTML, "<p>Globex never</p>", "a tenant redefines a block of notice-blocks.html.tmpl")
	assert.Contains(t, adminset.HTML, "This wasn&#39;t me</a>", "the base \"notice\" block")

	reset, err := r.Render(Message{Kind: trigger.Reset, Tenant: tn, Locale: language.English, Code: "{####}", Expiry: time.Hour})
	require.NoError(t, err)
	assert.NotContains(t, reset.HTML, "Globex recovered", "a notice's template stays out of Custom Message emails")
	assert.Contains(t, reset.HTML, "<p>Globex footer</p>")
	assert.Empty(t, reset.Text, "Custom Message kinds have no text part")

	base, err := r.Render(noticeAt(trigger.Changed, def, "en", reportLink))
	require.NoError(t, err)
	assert.NotContains(t, base.HTML+base.Text, "Globex", "the base tenant is untouched")
}

// A tenant's broken notice template fails its notices, named by its path,
// and CheckTenant says so; its Custom Message emails still render.
func TestNoticeBrokenTenantTemplates(t *testing.T) {
	r, _ := fixture(t)
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"text of one notice", fstest.MapFS{"tenants/globex/changed.txt.tmpl": {Data: []byte("\n{{define \"content\"}}{{if}}{{end}}")}}, "tenants/globex/changed.txt.tmpl:2:"},
		{"text of every notice", fstest.MapFS{"tenants/globex/footer.txt.tmpl": {Data: []byte(`{{define "footer"}}{{.Nope}}{{end`)}}, "tenants/globex/footer.txt.tmpl:1:"},
		{"HTML of one notice", fstest.MapFS{"tenants/globex/changed.html.tmpl": {Data: []byte(`{{define "content"}}{{end}`)}}, "tenants/globex/changed.html.tmpl:1:"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			tn := overrideStore(t, tc.files)
			_, err := r.Render(noticeAt(trigger.Changed, tn, "en", reportLink))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			checked := r.CheckTenant(tn)
			require.Error(t, checked)
			assert.Equal(t, err.Error(), checked.Error(), "the same error, to print once")
			assert.Equal(t, 1, strings.Count(checked.Error(), tc.want), "each file once")
			_, err = r.Render(Message{Kind: trigger.Reset, Tenant: tn, Locale: language.English, Code: "{####}", Expiry: time.Hour})
			assert.NoError(t, err, "Custom Message emails do not read notices' templates")
		})
	}
}

// New and Validate parse the notices' templates: each notice needs both.
func TestNoticeTemplatesValidated(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"text layout does not parse", fstest.MapFS{"layout.txt.tmpl": {Data: []byte(`{{define "layout"}}{{end`)}}, "layout.txt.tmpl:1:"},
		{"text template does not parse", fstest.MapFS{"welcome.txt.tmpl": {Data: []byte(`{{define "content"}}{{if}}{{end}}`)}}, "welcome.txt.tmpl:1:"},
		{"notice blocks do not parse", fstest.MapFS{"notice-blocks.html.tmpl": {Data: []byte(`{{define "never"}}{{end`)}}, "notice-blocks.html.tmpl:1:"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			_, err := New(shippedWith(t, tc.files))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	for _, file := range []string{"welcome.txt.tmpl", "adminreset.html.tmpl", "layout.txt.tmpl", "notice-blocks.html.tmpl"} {
		t.Run("case=missing "+file, func(t *testing.T) {
			files := shippedWith(t, nil)
			delete(files, file)
			_, err := New(files)
			require.Error(t, err)
			assert.Contains(t, err.Error(), file)
		})
	}
}

// The notices' HTML blocks live in notice-blocks.html.tmpl, parsed into
// notices' sets only: a Custom Message email's set, which the Custom
// Message function parses on its cold start, holds none of them.
func TestNoticeBlocksStayOutOfCustomMessages(t *testing.T) {
	r, def := fixture(t)
	for _, k := range trigger.Kinds {
		t.Run("case="+string(k), func(t *testing.T) {
			set, err := r.templates.set(k)
			require.NoError(t, err)
			for _, block := range []string{"notice", "never"} {
				assert.Nil(t, set.Lookup(block), "block %q", block)
			}
		})
	}
	_, err := r.Render(noticeAt(trigger.Changed, def, "en", reportLink))
	require.NoError(t, err)
	set, err := r.templates.notice(trigger.Changed)
	require.NoError(t, err)
	assert.NotNil(t, set.html.Lookup("never"), "notices have them")
}
