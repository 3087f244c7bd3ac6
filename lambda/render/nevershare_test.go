package render

import (
	"io/fs"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
	"github.com/cogmail/cogmail/templates"
)

// Every email built around a code says, in its own language, that we never
// ask for the code: HTML and text part, with and without a link, for every
// catalog the locales folder has (a language added the documented way is
// covered as it comes). The invitation (its code is a temporary password)
// and the notices (no code) do not.
func TestNeverShareLineInEveryLanguage(t *testing.T) {
	r, tn := fixture(t)
	names, err := fs.Glob(templates.FS, "locales/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, names)
	for _, name := range names {
		tag, err := tagOf(name)
		require.NoError(t, err)
		base, err := r.catalogs.get(tag)
		require.NoError(t, err)
		own, ok := base.entries["code.never_share"]
		require.True(t, ok, "%s lacks code.never_share", name)
		want := own.text
		for _, k := range trigger.Kinds {
			for _, sent := range []bool{false, true} {
				for _, withLink := range []bool{false, true} {
					if withLink && !kinds[k].links {
						continue
					}
					t.Run("case="+tag.String()+"/"+string(k)+"/sent="+boolWord(sent)+"/link="+boolWord(withLink), func(t *testing.T) {
						email := renderForNeverShare(t, r, tn, k, tag, sent, withLink)
						says := k != trigger.Invite
						assert.Equal(t, says, strings.Contains(email.HTML, cleanHTML(template.HTMLEscapeString(want))), "HTML part")
						if sent {
							assert.Equal(t, says, strings.Contains(email.Text, cleanLine(want)), "text part")
						}
					})
				}
			}
		}
		for _, k := range trigger.Notices {
			t.Run("case="+tag.String()+"/"+string(k), func(t *testing.T) {
				email, err := r.Render(noticeAt(k, tn, tag.String(), reportLink))
				require.NoError(t, err)
				assert.NotContains(t, email.HTML, cleanHTML(template.HTMLEscapeString(want)))
				assert.NotContains(t, email.Text, cleanLine(want))
			})
		}
	}
}

// renderForNeverShare renders kind k as the trigger does (placeholders), or
// in sender mode (real values, and a text part).
func renderForNeverShare(t *testing.T, r *Renderer, tn *tenant.Tenant, k trigger.Kind, tag language.Tag, sent, withLink bool) Email {
	t.Helper()
	var m Message
	if sent {
		m = sentAt(k, tn, tag, "Ana")
		if !withLink {
			m.Link = ""
		}
	} else {
		m = Message{Kind: k, Tenant: tn, Locale: tag, Name: "Ana", Code: "{####}", Username: "{username}", Expiry: time.Hour}
		if withLink {
			m.Link = "https://app.example.com/r?username=u&code={####}"
		}
	}
	email, err := r.Render(m)
	require.NoError(t, err)
	return email
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
