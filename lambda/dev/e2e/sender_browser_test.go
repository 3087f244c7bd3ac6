package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chrome "github.com/cogmail/cogmail/lambda/dev/browser"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/link"
)

// TestE2ESenderBrowser is the reset journey in Debian's Chromium in the
// Custom Email Sender mode: from the HTML part the sender sent to a changed
// password, for Acme, whose links carry their parameters, the signed code
// among them, in the fragment that only the page's script reads.
func TestE2ESenderBrowser(t *testing.T) {
	s := sending(t)
	chromium, err := chrome.Find()
	if err != nil {
		t.Skip(err.Error())
	}
	root, err := rie.ModuleRoot()
	require.NoError(t, err)
	user, ok := s.User("jonas@example.com")
	require.True(t, ok)

	msg := senderForgot(t, s, user.Email, "de")
	code := codeIn(t, msg)
	assertSent(t, s, msg, "reset", user.Tenant, "de", "ltr", code)
	claims, err := link.Verify(firstLink(t, msg.HTML), s.Ring, timeNow())
	require.NoError(t, err)
	assert.True(t, claims.CodeSigned)
	assert.Equal(t, code, claims.Code)

	out := t.ArtifactDir()
	require.NoError(t, os.WriteFile(filepath.Join(out, "email.html"), []byte(msg.HTML), 0o644))
	password := "Sender-Browser-de-3!"
	job, err := json.Marshal(map[string]any{
		"chromium": chromium, "emailFile": fileURL(out, "email.html"), "out": out, "password": password,
		"timeout": patience.For(browserStep).Milliseconds(),
	})
	require.NoError(t, err)
	raw := runNode(t, root, "browser-reset.js", job, patience.For(journeyRun))
	var j journey
	require.NoError(t, json.Unmarshal(raw, &j), "%s", raw)
	require.True(t, j.OK, "%s\nlast page: %v", j.Error, j.Last)

	assert.Equal(t, firstLink(t, msg.HTML), j.Href, "the browser follows the signed button")
	assert.Equal(t, "de", j.States.Form.Lang)
	assert.NotEmpty(t, j.States.Mismatch.Alert)
	assert.NotEmpty(t, j.States.Success.Status)
	assert.Equal(t, invalidHeading(t, s, user.Email, "de"), j.States.Invalid.Heading)
	require.NoError(t, signIn(t, s, s.Clients.Public, user.Email, password), "then signs in")
	user.Password = password
	setPassword(s, user)
}
