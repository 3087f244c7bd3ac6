package main

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/golden"
)

const senderEvents = "../../../events/custom-email-sender"

// draft is what the tests read of `cogmail render`'s answer to a Custom
// Email Sender event.
type draft struct {
	Event, Kind, Outcome, Reason, Note string
	To, Subject, Text, HTML            string
}

func renderDraft(t *testing.T, args ...string) draft {
	t.Helper()
	code, out, errOut := cli(t, env(nil), "", append([]string{"render"}, args...)...)
	require.Equal(t, 0, code, errOut)
	var d draft
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	return d
}

// Every recorded Custom Email Sender event renders as the sender would send
// it, with a sample code: events/golden/sender/<name>.json, and its parts
// as .txt and .html.
func TestRenderSenderEvents(t *testing.T) {
	fixNoticeClock(t)
	files, err := filepath.Glob(filepath.Join(senderEvents, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run("event="+name, func(t *testing.T) {
			code, out, errOut := cli(t, env(nil), "", "render", file)
			require.Equal(t, 0, code, errOut)
			golden.Assert(t, filepath.Join("../../../events/golden/sender", name+".json"), []byte(out))
			var d draft
			require.NoError(t, json.Unmarshal([]byte(out), &d))
			require.Empty(t, d.Outcome, "nothing would be sent: %s", d.Reason)
			assert.NotEmpty(t, d.To)
			assert.NotEmpty(t, d.Subject)
			assert.NotEmpty(t, d.Note, "the output says what it assumed")
			if d.Kind != "takeover" {
				want := sampleCode
				if d.Kind == "invite" {
					want = strings.NewReplacer("&lt;", "<", "&gt;", ">").Replace(samplePassword)
				}
				assert.Contains(t, d.Text, want)
			}
			golden.Assert(t, filepath.Join("../../../events/golden/sender", name+".txt"), []byte(d.Text))
			golden.Assert(t, filepath.Join("../../../events/golden/sender", name+".html"), []byte(d.HTML))
		})
	}
}

func TestRenderSenderCode(t *testing.T) {
	t.Run("case=reset: the code in both parts and in a link that signs it", func(t *testing.T) {
		d := renderDraft(t, "-code", "987654", filepath.Join(senderEvents, "forgot-password.json"))
		assert.Empty(t, d.Note)
		assert.Contains(t, d.Text, "987654")
		assert.Contains(t, d.HTML, "987654")
		m := regexp.MustCompile(`https://\S+code=987654`).FindString(d.Text)
		require.NotEmpty(t, m, "the text part's link carries the code")
		code, out, errOut := cli(t, env(nil), "", "verify", m)
		require.Equal(t, 0, code, errOut)
		var claims struct {
			Purpose    string
			Version    int
			CodeSigned bool `json:"codeSigned"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &claims))
		assert.Equal(t, "reset", claims.Purpose)
		assert.Equal(t, 3, claims.Version)
		assert.True(t, claims.CodeSigned)
		code, _, _ = cli(t, env(nil), "", "verify", strings.Replace(m, "code=987654", "code=987655", 1))
		assert.Equal(t, 1, code, "a changed code does not verify")
	})
	t.Run("case=invitation: the temporary password unescaped, never in a URL", func(t *testing.T) {
		d := renderDraft(t, "-code", "Qz&lt;3&gt;xw&amp;9", filepath.Join(senderEvents, "admin-create-user.json"))
		assert.Contains(t, d.Text, "Qz<3>xw&9")
		assert.Contains(t, d.HTML, "Qz&lt;3&gt;xw&amp;9")
		// The whole password, in any spelling a URL could carry it: a short
		// piece of it could appear in a signature's base64 by chance.
		for _, u := range regexp.MustCompile(`https://\S+`).FindAllString(d.Text, -1) {
			decoded, err := url.QueryUnescape(u)
			require.NoError(t, err)
			assert.NotContains(t, decoded, "Qz<3>xw&9")
			assert.NotContains(t, u, "Qz&lt;3&gt;xw&amp;9")
		}
	})
}

func TestRenderSenderFlags(t *testing.T) {
	dir := t.TempDir()
	user := filepath.Join(dir, "ana.json")
	require.NoError(t, os.WriteFile(user, []byte(`{
  "Username": "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f",
  "UserAttributes": [
    {"Name": "sub", "Value": "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f"},
    {"Name": "email", "Value": "ana.silva@example.com"},
    {"Name": "email_verified", "Value": "true"},
    {"Name": "locale", "Value": "de"}
  ]
}`), 0o600))
	t.Run("case=-user gives the takeover notice's user", func(t *testing.T) {
		d := renderDraft(t, "-user", user, filepath.Join(senderEvents, "account-takeover.json"))
		assert.Equal(t, "ana.silva@example.com", d.To)
		assert.Empty(t, d.Note)
		assert.Contains(t, d.HTML, `lang="de"`)
	})
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"-code for the takeover notice", []string{"-code", "1", filepath.Join(senderEvents, "account-takeover.json")}, "no code"},
		{"-code for a Custom Message event", []string{"-code", "1", "../../../events/forgot-password.json"}, "-code is for Custom Email Sender events"},
		{"-user for a code", []string{"-user", user, filepath.Join(senderEvents, "sign-up.json")}, "-user is for"},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			code, _, errOut := cli(t, env(nil), "", append([]string{"render"}, c.args...)...)
			assert.Equal(t, 2, code)
			assert.Contains(t, errOut, c.want)
		})
	}
}
