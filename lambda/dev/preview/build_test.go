package preview

import (
	"context"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/check"
	_ "github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/trigger"
	"github.com/cogmail/cogmail/templates"
)

func quiet() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// shipped is the handler the Lambda builds, from the embedded templates.
func shipped() *handler.Handler {
	return handler.Setup(context.Background(), func(string) string { return "" }, quiet())
}

// signedPart is what a link's signature covers that changes with the clock.
var signedPart = regexp.MustCompile(`\b(exp|sig)=[A-Za-z0-9_-]+`)

func unsigned(email string) string { return signedPart.ReplaceAllString(email, "$1=…") }

var darkQuery = regexp.MustCompile(`(?i)prefers-color-scheme\s*:\s*dark`)

// The gallery holds check's whole matrix, in its order, and every entry's
// files, the light one exactly the email check rendered.
func TestGalleryHasEveryCell(t *testing.T) {
	h := shipped()
	rows, err := check.Run(h)
	require.NoError(t, err)
	g := Build(h, "the embedded templates")
	require.NoError(t, g.InputErr)
	require.Len(t, g.Entries, len(rows))
	assert.Zero(t, g.Failed())

	index, ok := g.File("index.html")
	require.True(t, ok)
	page := string(index)
	langs := map[string]bool{}
	for i, e := range g.Entries {
		langs[e.Language] = true
		t.Run("case="+e.Anchor(), func(t *testing.T) {
			r := rows[i]
			assert.Equal(t, [5]any{r.Tenant, r.Language, r.Kind, r.Outcome, r.Chars}, [5]any{e.Tenant, e.Language, e.Kind, e.Outcome, e.Chars})
			assert.Equal(t, r.Lang, e.Lang)
			assert.True(t, strings.Contains(page, `id="`+e.Anchor()+`"`), "no entry in the index")
			if e.Outcome == "cognito-default" {
				assert.Empty(t, e.Light)
				return
			}
			assert.Equal(t, "mail/"+e.Tenant+"/"+e.Language+"/"+e.Name()+".html", e.Light)
			assert.Equal(t, strings.TrimSuffix(e.Light, ".html")+"-dark.html", e.Dark)
			light, ok := g.File(e.Light)
			require.True(t, ok)
			// Rendered twice, a second apart at worst: the links' expiry
			// and signature may differ, nothing else may.
			assert.Equal(t, unsigned(r.Message.EmailMessage), unsigned(string(light)))
			dark, ok := g.File(e.Dark)
			require.True(t, ok)
			assert.True(t, strings.Contains(page, `src="`+e.Light+`"`), "no light frame in the index")
			assert.True(t, strings.Contains(page, `src="`+e.Dark+`"`), "no dark frame in the index")
			assert.Equal(t, darkQuery.Match(light), e.HasDark)
			if e.HasDark {
				assert.NotEqual(t, string(light), string(dark))
				assert.NotRegexp(t, darkQuery, string(dark), "every dark rule is unconditional in the twin")
			}
			assert.Contains(t, string(dark), darkMeta)
			if !e.Kind.Notice() && e.Variant != check.Sender {
				assert.Empty(t, e.TextPart, "a Custom Message answer has no text part")
				return
			}
			assert.Equal(t, strings.TrimSuffix(e.Light, ".html")+".txt", e.TextPart)
			text, ok := g.File(e.TextPart)
			require.True(t, ok)
			assert.Equal(t, r.Text, string(text))
			assert.True(t, strings.Contains(page, `<a href="`+e.TextPart+`">`), "no link to the text part in the index")
		})
	}
	assert.True(t, langs["en-XA"], "the pseudo-locale is shown")
	notices := map[string]bool{}
	for _, e := range g.Entries {
		if e.Kind.Notice() {
			notices[e.Name()] = true
		}
	}
	assert.Len(t, notices, 10, "every notice, those with a report link also without: %v", notices)
	var custom, sent int
	for _, e := range g.Entries {
		switch {
		case e.Variant == check.Sender:
			sent++
			assert.Contains(t, e.SentBy(), "custom-email-sender mode", e.Anchor())
		case !e.Kind.Notice():
			custom++
			assert.Contains(t, e.SentBy(), "custom-message mode", e.Anchor())
		}
	}
	assert.Equal(t, custom, sent, "every Custom Message email in either mode")
	assert.True(t, strings.Contains(page, "<dt>sent by</dt><dd>the sender function, through SES (custom-email-sender mode)</dd>"))

	t.Run("case=written to disk", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, g.Write(dir))
		for _, e := range g.Entries {
			for _, f := range []string{e.Light, e.Dark, e.TextPart} {
				if f != "" {
					assert.FileExists(t, filepath.Join(dir, filepath.FromSlash(f)))
				}
			}
		}
		// A second gallery replaces the first's emails, stale ones included.
		stale := filepath.Join(dir, "mail", "gone", "en", "reset.html")
		require.NoError(t, os.MkdirAll(filepath.Dir(stale), 0o755))
		require.NoError(t, os.WriteFile(stale, []byte("old"), 0o644))
		require.NoError(t, g.Write(dir))
		assert.NoFileExists(t, stale)
	})
	t.Run("case=another mail folder is left alone", func(t *testing.T) {
		dir := t.TempDir()
		mine := filepath.Join(dir, "mail", "inbox.txt")
		require.NoError(t, os.MkdirAll(filepath.Dir(mine), 0o755))
		require.NoError(t, os.WriteFile(mine, []byte("mine"), 0o644))
		assert.ErrorContains(t, g.Write(dir), "not an earlier gallery's")
		assert.FileExists(t, mine)
	})
}

// Whatever the shipped layout holds, an email with a dark block gets a twin
// that differs and applies it: here a layout given one on purpose.
func TestDarkTwinOfDarkLayout(t *testing.T) {
	fsys := copyFS(t, templates.FS)
	layout := string(fsys["layout.html.tmpl"].Data)
	require.Contains(t, layout, "</head>")
	fsys["layout.html.tmpl"].Data = []byte(strings.Replace(layout, "</head>",
		"<style>@media (prefers-color-scheme: dark){.cm-probe{color:#ffffff}}</style></head>", 1))
	h, err := NewHandler(fsys)
	require.NoError(t, err)
	g := Build(h, "a test")
	for _, e := range g.Entries {
		if e.Light == "" {
			continue
		}
		light, _ := g.File(e.Light)
		dark, _ := g.File(e.Dark)
		assert.True(t, e.HasDark, e.Anchor())
		assert.NotEqual(t, string(light), string(dark), e.Anchor())
		assert.Contains(t, string(dark), "@media all {.cm-probe{color:#ffffff}}", e.Anchor())
	}
}

// A tenant whose subject breaks Cognito's limit is marked in the gallery,
// and the email that would go out instead (the minimal one) is shown.
func TestFailingEmailIsMarked(t *testing.T) {
	overlay := fstest.MapFS{
		"tenants/broken/tenant.json": {Data: []byte(`{
		  "id": "broken", "displayName": "Broken",
		  "links": {"resetUrl": "https://b.example/r", "inviteUrl": "https://b.example/i", "mode": "query",
		            "resetExpiry": "1h", "inviteExpiry": "24h"},
		  "brand": {"productName": "Broken", "primaryColor": "#000000", "buttonTextColor": "#ffffff"},
		  "languages": {"default": "en", "supported": ["en"]}}`)},
		// A subject over Cognito's 140 characters.
		"tenants/broken/locales/en.json": {Data: []byte(`{"mfa.subject": "` + strings.Repeat("Long subject ", 12) + `{product}"}`)},
	}
	h, err := NewHandler(templates.FS, overlay)
	require.NoError(t, err)
	g := Build(h, "a test")
	require.Equal(t, 2, g.Failed(), "in either mode")

	var failed []Entry
	for _, e := range g.Entries {
		if e.Failed() {
			failed = append(failed, e)
		}
	}
	require.Len(t, failed, 2)
	assert.Equal(t, "broken/en/mfa", failed[0].Anchor())
	assert.Contains(t, failed[0].Result(), "FAIL fallback: subject: 162 characters")
	_, ok := g.File(failed[0].Light)
	assert.True(t, ok, "the fallback email is shown")
	assert.Equal(t, "broken/en/mfa-sender", failed[1].Anchor())
	assert.Contains(t, failed[1].Result(), "FAIL unsent: subject: 162 characters")

	index, _ := g.File("index.html")
	page := string(index)
	for _, want := range []string{
		`<article class="mail fail" id="broken/en/mfa">`,
		`<article class="mail fail" id="broken/en/mfa-sender">`,
		`<title>✗ 2 failed · cogmail preview</title>`,
		`<li><a href="#broken/en/mfa">broken/en/mfa</a>: FAIL fallback: subject: 162 characters`,
		`<a href="#broken/en" class="bad">en ✗ 2</a>`,
		`<a href="#broken/en/mfa" class="bad">mfa ✗</a>`,
		`<a href="#broken/en/mfa-sender" class="bad">mfa-sender ✗</a>`,
	} {
		assert.True(t, strings.Contains(page, want), "the index lacks %s", want) // not the whole page
	}
	assert.Equal(t, 2, strings.Count(page, `class="mail fail"`))
}

// copyFS reads fsys into a map a test may edit.
func copyFS(t *testing.T, fsys fs.FS) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, path)
		out[path] = &fstest.MapFile{Data: data}
		return err
	}))
	return out
}

// The text part of a notice, or of a message in sender mode, stands
// beside its HTML, as text: escaped in the index, in its language's
// direction.
func TestTextPartShown(t *testing.T) {
	g := Build(shipped(), "the embedded templates")
	index, _ := g.File("index.html")
	page := string(index)
	var seen int
	for _, e := range g.Entries {
		if e.Tenant != "default" || e.Language != "en" && e.Language != "ar" {
			continue
		}
		if e.Kind == trigger.Invite && e.Variant == check.Sender {
			_, article, ok := strings.Cut(page, `<article class="mail" id="`+e.Anchor()+`">`)
			require.True(t, ok, e.Anchor())
			article, _, _ = strings.Cut(article, "</article>")
			assert.Contains(t, article, template.HTMLEscapeString("\n"+check.SamplePassword+"\n"), "the temporary password, escaped as text")
			assert.Contains(t, article, `<figcaption>text part</figcaption>`)
			seen++
		}
		if e.Kind != trigger.Changed || e.Variant != "" {
			continue
		}
		seen++
		_, article, ok := strings.Cut(page, `<article class="mail" id="`+e.Anchor()+`">`)
		require.True(t, ok, e.Anchor())
		article, _, _ = strings.Cut(article, "</article>")
		assert.Contains(t, article, `<pre class="text" lang="`+e.Lang+`" dir="`+e.Dir+`">`)
		first, _, _ := strings.Cut(e.Text, "\n")
		assert.Contains(t, article, template.HTMLEscapeString(first))
		assert.Contains(t, article, "&amp;tenant=default", "the report link, escaped as text")
	}
	assert.Equal(t, 4, seen)
}
