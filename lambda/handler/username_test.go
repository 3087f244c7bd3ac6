package handler_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/gate"
)

// substitute fills in the placeholders as Cognito does: every literal
// occurrence, raw.
func substitute(body, username, password string) string {
	return strings.ReplaceAll(strings.ReplaceAll(body, "{username}", username), "{####}", password)
}

// An administrator (or a back end that lets people invite others) chooses
// usernames, and Cognito writes {username} into the invitation raw. A
// username that would not read back in its field (it ends the <textarea>,
// or the comment of Outlook's copy, or holds markup or a character
// reference) is never put there: the invitation shows it as text cogmail
// escaped, and the placeholder stands in an attribute the username cannot
// end. The code still reaches the user, in an email that is not broken.
func TestUsernameThatWouldNotReadBack(t *testing.T) {
	h, logs := fixture(t, nil)
	for _, tc := range []struct {
		userName string
		quote    string // the holder's quote; "" when the rich email is sent
	}{
		{`ana</textarea><img src=x onerror=alert(1)>`, `"`},
		{`ana</TEXTAREA ><b>big</b>`, `"`},
		{`ana--><b>big</b>`, `"`},
		{`ana--!><b>big</b>`, `"`},
		{`ana<b>`, `"`},
		{`ana&amp;bob`, `"`},
		{`ana&lt`, `"`},
		{`a"</textarea>`, `'`},
		{`ana</textarea>{username}`, `"`}, // shown as nothing: the text would carry the placeholder
		{`ana.silva`, ""},
		{`tom<3`, ""},
		{`r&d`, ""},
		{`a->b`, ""},
	} {
		t.Run("case="+tc.userName, func(t *testing.T) {
			logs.Reset()
			payload := withEvent(t, "admin-create-user", func(ev map[string]any) { ev["userName"] = tc.userName })
			_, a := invoke(t, h, payload)
			body := a.email()
			msg := a.gateMessage()
			if links := hrefs(body); len(links) > 0 {
				msg.Link = links[0]
			}
			require.NoError(t, gate.Check(msg))
			l := lastLog(t, logs.String())
			assert.NotContains(t, logs.String(), tc.userName, "logs carry no username")
			if tc.quote == "" {
				assert.Equal(t, "rendered", l.Outcome)
				assert.Contains(t, body, ">{username}</textarea>")
				return
			}
			assert.Equal(t, "fallback", l.Outcome)
			assert.Contains(t, l.Error, "would not read back")
			assert.NotContains(t, body, "{username}</textarea>")
			assert.Contains(t, body, ">{####}</textarea>", "the temporary password still comes")
			assert.NotEmpty(t, hrefs(body), "and the link")
			holder := `title=` + tc.quote + tc.userName + tc.quote
			got := substitute(body, tc.userName, "Tmp-Pass1!")
			require.Contains(t, got, holder, "the username stands whole inside one attribute value")
			rest := strings.Replace(got, holder, "", 1)
			assert.NotContains(t, rest, tc.userName, "nowhere else raw")
			if !strings.Contains(tc.userName, "{username}") {
				assert.Contains(t, got, "<p>Username:</p><p>"+htmlEscape(tc.userName)+"</p>", "shown as text")
			}
		})
	}
	t.Run("case=both quotes: Cognito's own message", func(t *testing.T) {
		logs.Reset()
		payload := withEvent(t, "admin-create-user", func(ev map[string]any) { ev["userName"] = `a"'</textarea>` })
		out, _ := invoke(t, h, payload)
		assert.Equal(t, string(payload), string(out))
		l := lastLog(t, logs.String())
		assert.Equal(t, "passthrough", l.Outcome)
		assert.Equal(t, "ERROR", l.Level)
	})
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
