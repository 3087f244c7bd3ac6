package handler_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// hostileName is what anyone can sign up with, next to a stranger's address.
const hostileName = "Ana - SECURITY ALERT: call +1-555-0100"

// One recorded event of each kind.
var eventOf = map[trigger.Kind]string{
	trigger.Reset: "forgot-password", trigger.Invite: "admin-create-user", trigger.SignUp: "sign-up",
	trigger.Resend: "resend-code", trigger.Update: "update-user-attribute",
	trigger.Verify: "verify-user-attribute", trigger.MFA: "authentication",
}

func named(t *testing.T, event, givenName string) []byte {
	return withEvent(t, event, func(ev map[string]any) {
		attributes(ev)["given_name"] = givenName
		attributes(ev)["name"] = givenName
	})
}

// A name is shown only to an address Cognito verified or an administrator
// set, on every path that writes an email: the invocation, the minimal
// email when templates failed, and the preview that `cogmail check` and the
// gallery use.
func TestNamesOnlyToProvenAddresses(t *testing.T) {
	h, logs := fixture(t, nil)
	broken, _ := fixture(t, func(c *handler.Config) { c.Renderer = nil })
	tn, err := h.Tenants().Get("default")
	require.NoError(t, err)
	for _, kind := range trigger.Kinds {
		t.Run("case="+string(kind), func(t *testing.T) {
			logs.Reset()
			_, a := invoke(t, h, named(t, eventOf[kind], hostileName))
			assert.Equal(t, "rendered", lastLog(t, logs.String()).Outcome)
			assert.Equal(t, kind.ProvenDestination(), strings.Contains(a.email(), "SECURITY ALERT"),
				"a name reaches only a proven address")

			_, a = invoke(t, broken, named(t, eventOf[kind], hostileName))
			require.True(t, a.rendered())
			assert.NotContains(t, a.email(), "SECURITY ALERT", "the minimal email greets nobody")

			msg, outcome, err := h.Preview(kind, tn, language.English, handler.Sample{UserName: "ana", Name: hostileName})
			require.NoError(t, err)
			assert.Equal(t, "rendered", outcome)
			assert.Equal(t, kind.ProvenDestination(), strings.Contains(msg.EmailMessage, "SECURITY ALERT"))
		})
	}
}

// A name never pushes an email into the minimal fallback, and never carries
// a placeholder into the body: such a name is left out, and the email is
// the one a user without a name gets.
func TestNameNeverCarriesAPlaceholder(t *testing.T) {
	h, logs := fixture(t, nil)
	for _, tc := range []struct{ event, name string }{
		{"forgot-password", "%7B%23%23%23%23%7D"},
		{"forgot-password", "%7b####%7d"},
		{"forgot-password", "{####}"},
		{"forgot-password", "Ana {###"},
		{"admin-create-user", "{username}"},
		{"admin-create-user", "%7Busername%7D"},
		{"odd-hostile-attributes", "{####}"},
		{"odd-code-without-braces", "Ana ####"},
	} {
		t.Run("case="+tc.name+" in "+tc.event, func(t *testing.T) {
			logs.Reset()
			_, a := invoke(t, h, named(t, tc.event, tc.name))
			assert.Equal(t, "rendered", lastLog(t, logs.String()).Outcome, "a name must not cost the rich email")
			msg := a.gateMessage()
			if links := hrefs(a.email()); len(links) > 0 {
				msg.Link = links[0]
			}
			assert.NoError(t, gate.Check(msg))
			_, nameless := invoke(t, h, named(t, tc.event, ""))
			assert.Equal(t, nameless.email(), a.email())
		})
	}
}

// A username whose encoding looks like a placeholder is data inside the
// link cogmail signed: the email keeps its link. A placeholder Cognito
// would fill in inside the link (an event whose username placeholder is a
// word of the link) costs the link, never the code.
func TestPlaceholdersInsideTheLink(t *testing.T) {
	h, logs := fixture(t, nil)
	t.Run("case=username that encodes to the code placeholder", func(t *testing.T) {
		logs.Reset()
		_, a := invoke(t, h, withEvent(t, "forgot-password", func(ev map[string]any) { ev["userName"] = "x{####}" }))
		assert.Equal(t, "rendered", lastLog(t, logs.String()).Outcome)
		links := hrefs(a.email())
		require.NotEmpty(t, links)
		assert.Contains(t, links[0], "username=x%7B%23%23%23%23%7D")
		assert.True(t, strings.HasSuffix(links[0], "code={####}"), links[0])
	})
	t.Run("case=username placeholder that is a word of the link", func(t *testing.T) {
		logs.Reset()
		_, a := invoke(t, h, withEvent(t, "admin-create-user", func(ev map[string]any) { request(ev)["usernameParameter"] = "username" }))
		assert.Equal(t, "fallback", lastLog(t, logs.String()).Outcome)
		assert.Empty(t, hrefs(a.email()), "Cognito would write the username over the link's parameter name")
		assert.Contains(t, a.email(), ">{####}</textarea>")
	})
}
