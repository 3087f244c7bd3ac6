package render

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/trigger"
)

// renderNamed renders kind in English for a user called name, with
// Cognito's placeholders code and (on invitations) {username}.
func renderNamed(t *testing.T, r *Renderer, m Message, name string) Email {
	t.Helper()
	m.Name = name
	email, err := r.Render(m)
	require.NoError(t, err)
	return email
}

func named(kind trigger.Kind, code string) Message {
	m := Message{Kind: kind, Locale: language.English, Code: code, Expiry: time.Hour}
	if kind.NeedsUsername() {
		m.Username = "{username}"
	}
	return m
}

// Only an address Cognito verified or an administrator set is greeted by
// name: anyone can sign up with a stranger's address and write a message
// as their name.
func TestGreetingOnlyToProvenAddresses(t *testing.T) {
	r, tn := fixture(t)
	const hostile = "Ana - SECURITY ALERT: call +1-555-0100"
	for _, kind := range trigger.Kinds {
		t.Run("case="+string(kind), func(t *testing.T) {
			m := named(kind, "{####}")
			m.Tenant = tn
			email := renderNamed(t, r, m, hostile)
			if kind.ProvenDestination() {
				assert.Contains(t, email.HTML, "Hi Ana - SECURITY ALERT: call &#43;1-555-0100,", "escaped, as any text")
				return
			}
			assert.NotContains(t, email.HTML, "SECURITY ALERT")
			assert.NotContains(t, email.HTML, "Hi ", "no greeting without a name")
			assert.Equal(t, renderNamed(t, r, m, "").HTML, email.HTML, "the email is the one for a user without a name")
		})
	}
}

// A name never carries a placeholder into the body: Cognito would fill in
// the code there (cognito-local only the first one, before the button), and
// an escaped one would make the gate refuse the whole email. Such a name is
// left out; the email is the one for a user without a name.
func TestNameNeverCarriesAPlaceholder(t *testing.T) {
	r, tn := fixture(t)
	for _, tc := range []struct {
		name, code string
		kind       trigger.Kind
	}{
		{"{####}", "{####}", trigger.Reset},
		{"Ana {####}", "{####}", trigger.Invite},
		{"{username}", "{####}", trigger.Invite},
		{"%7B%23%23%23%23%7D", "{####}", trigger.Reset},
		{"%7b####%7d", "{####}", trigger.Reset},
		{"%7Busername%7D", "{####}", trigger.Invite},
		{"Ana {###", "{####}", trigger.Reset},
		{"Ana ####", "####", trigger.Reset},
		{"Ana\u00a0{####}", "{####}", trigger.Reset}, // the no-break space becomes a space first
	} {
		t.Run("case="+tc.name+" in "+string(tc.kind), func(t *testing.T) {
			m := named(tc.kind, tc.code)
			m.Tenant = tn
			m.Link = "https://app.example.com/reset?username=ana&code=" + tc.code
			if tc.kind == trigger.Invite {
				m.Link = "https://app.example.com/activate?username=ana"
			}
			got := renderNamed(t, r, m, tc.name)
			want := renderNamed(t, r, m, "")
			assert.Equal(t, want.HTML, got.HTML)
			assert.NotContains(t, got.HTML, "Hi ")
		})
	}
	t.Run("case=an ordinary name stays", func(t *testing.T) {
		m := named(trigger.Reset, "####")
		m.Tenant = tn
		assert.Contains(t, renderNamed(t, r, m, "Zoë O'Neil #2").HTML, "Hi Zoë O&#39;Neil #2,")
	})
	t.Run("case=a long name is cut before it is judged", func(t *testing.T) {
		m := named(trigger.Reset, "{####}")
		m.Tenant = tn
		long := strings.Repeat("a", MaxNameRunes+10) + "{####}"
		assert.Contains(t, renderNamed(t, r, m, long).HTML, "Hi "+strings.Repeat("a", MaxNameRunes-1)+"…,")
	})
}

// The link carries the username, which a stranger may have chosen when
// signing up with someone else's address: it is written out as text only in
// mail to a proven address, and otherwise stays behind the button.
func TestLinkTextOnlyToProvenAddresses(t *testing.T) {
	r, tn := fixture(t)
	const link = "https://app.example.com/r?username=CALL-1-555-0100-SECURITY-ALERT&code={####}"
	for _, kind := range []trigger.Kind{trigger.Reset, trigger.Invite, trigger.SignUp, trigger.Resend} {
		t.Run("case="+string(kind), func(t *testing.T) {
			m := named(kind, "{####}")
			m.Tenant, m.Link = tn, link
			email := renderNamed(t, r, m, "")
			require.Contains(t, email.HTML, `href="`+strings.ReplaceAll(link, "&", "&amp;")+`"`, "the button keeps the link")
			shown := strings.Contains(email.HTML, ">"+strings.ReplaceAll(link, "&", "&amp;")+"</a>")
			assert.Equal(t, kind.ProvenDestination(), shown, "link written out as text")
		})
	}
}
