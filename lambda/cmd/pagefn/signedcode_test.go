package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/page/pagetest"
)

// Behind the Function URL, a reset link whose code is signed (version 3):
// a changed code is answered before anything reaches Cognito; a signed code
// Cognito refuses reads "used, or a newer email was sent"; the current one
// sets the password.
func TestSignedCodeThroughFunctionURL(t *testing.T) {
	const user, current, password = "real-user", "482916", "N3w-Passw0rd!xyz"
	for _, tc := range []struct {
		name    string
		signed  string // the code the link was signed with
		clicked string // the code in the link as opened
		status  int    // of the answer to the form's POST; 0: no form
		says    string
	}{
		{"case=tampered", current, "000000", 0, "This link was changed after we sent it"},
		{"case=superseded", "111111", "111111", http.StatusBadRequest, "it has been used, or a newer email has been sent since"},
		{"case=current", current, current, http.StatusOK, "Your password has been changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cognito := pagetest.StartCognito(t, 0, user)
			cognito.SetCode(user, current)
			cognito.UseIt(t)
			ring, ringJSON := pagetest.Keyring(t)
			fn, logs := newFunction(t, ringJSON)

			raw := pagetest.SignedResetLink(t, ring, "https://"+domain, user, tc.signed, time.Now().Add(time.Hour))
			raw = strings.Replace(raw, "code="+tc.signed, "code="+tc.clicked, 1)
			opened, cookies := invoke(t, fn, urlEvent(http.MethodGet, raw, nil, nil))
			if tc.status == 0 {
				assert.Equal(t, http.StatusBadRequest, opened.Status)
				assert.Contains(t, opened.Body, tc.says)
				assert.Zero(t, cognito.Arrived(), "nothing reaches Cognito")
				assert.Contains(t, logs.String(), `"reason":"tampered-code"`)
				return
			}
			require.Equal(t, http.StatusOK, opened.Status, opened.Body)
			action, form := pagetest.Form(opened.Body)
			require.Equal(t, "/reset", action)
			require.Len(t, cookies, 1)
			nonce, _, _ := strings.Cut(cookies[0], ";")
			form.Set("password", password)
			form.Set("repeat", password)
			answer, _ := invoke(t, fn, urlEvent(http.MethodPost, "https://"+domain+action, []string{nonce}, form))
			assert.Equal(t, tc.status, answer.Status, answer.Body)
			assert.Contains(t, answer.Body, tc.says)
			calls := cognito.Calls()
			require.Len(t, calls, 1)
			assert.Equal(t, "ConfirmForgotPassword", calls[0].Op)
			for _, secret := range []string{user, current, tc.signed, password} {
				assert.NotContains(t, logs.String(), secret)
			}
		})
	}
}
