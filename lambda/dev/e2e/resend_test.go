package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	pagepkg "github.com/cogmail/cogmail/lambda/page"
)

// From an expired reset link to a new email: the page offers it to the
// link's own user (no address to type), answers at once, and the email that
// cognito-local then delivers, in the link's language, resets the password.
// The same button for a user deleted since reads exactly alike.
func TestE2EResend(t *testing.T) {
	s := stack(t)
	yuki, ok := s.User("yuki@example.com")
	require.True(t, ok)
	msg := forgot(t, s, s.Clients.Public, yuki.Email, "ja")
	raw := firstLink(t, msg.EmailMessage)
	claims, err := link.Verify(raw, s.Ring, timeNow())
	require.NoError(t, err)
	// An hour after the link expired: within the page's grace.
	later := servePage(t, s, pageOptions{now: func() time.Time { return claims.Expires.Add(time.Hour) }})

	b := newBrowser(t)
	expired := b.get(onHost(t, raw, later))
	require.Equal(t, http.StatusBadRequest, expired.status, expired.body)
	assert.Contains(t, expired.body, `<html lang="ja"`)
	action, form := expired.form(t, later)
	require.True(t, strings.HasSuffix(action, "/resend"), action)
	assert.False(t, form.Has("email"), "no address to type")
	assert.Equal(t, claims.Username, form.Get("username"))

	seen := mailCount(t, s)
	sent := b.post(action, form)
	require.Equal(t, http.StatusOK, sent.status, sent.body)
	assert.Contains(t, sent.body, "アカウントがまだ存在する場合は")
	fresh := mailAfter(t, s, seen, yuki.Email)
	assert.Contains(t, fresh.EmailMessage, `<html lang="ja"`, "in the link's language")

	t.Run("case=the new email's link resets the password", func(t *testing.T) {
		nb := newBrowser(t)
		_, action, form := openReset(t, nb, fresh)
		form.Set("password", "Atarashii-Pass-3!")
		form.Set("repeat", "Atarashii-Pass-3!")
		done := nb.post(action, form)
		require.Equal(t, http.StatusOK, done.status, done.body)
		require.NoError(t, signIn(t, s, s.Clients.Public, yuki.Email, "Atarashii-Pass-3!"))
		yuki.Password = "Atarashii-Pass-3!"
		setPassword(s, yuki)
	})

	t.Run("case=a user deleted since reads alike", func(t *testing.T) {
		const email, password = "rita.resend@example.com", "Rita-Resend-Pass1!"
		signUp(t, s, email, password, "ja")
		_, err := cognito(s).AdminConfirmSignUp(t.Context(), &cip.AdminConfirmSignUpInput{
			UserPoolId: aws.String(s.UserPoolID), Username: aws.String(email)})
		require.NoError(t, err)
		gone := firstLink(t, forgot(t, s, s.Clients.Public, email, "ja").EmailMessage)
		goneClaims, err := link.Verify(gone, s.Ring, timeNow())
		require.NoError(t, err)
		_, err = cognito(s).AdminDeleteUser(t.Context(), &cip.AdminDeleteUserInput{
			UserPoolId: aws.String(s.UserPoolID), Username: aws.String(goneClaims.Username)})
		require.NoError(t, err)

		gb := newBrowser(t)
		p := gb.get(onHost(t, gone, later))
		require.Equal(t, http.StatusBadRequest, p.status, p.body)
		action, form := p.form(t, later)
		answer := gb.post(action, form)
		assert.Equal(t, sent.status, answer.status)
		assert.Equal(t, sent.body, answer.body)
		for _, h := range []string{"Content-Type", "Content-Length", "Cache-Control", "Content-Security-Policy", "Set-Cookie"} {
			assert.Equal(t, sent.header.Values(h), answer.header.Values(h), h)
		}
	})

	t.Run("case=beyond the grace, the tenant's own page", func(t *testing.T) {
		late := servePage(t, s, pageOptions{now: func() time.Time { return claims.Expires.Add(pagepkg.ResendGrace + time.Minute) }})
		p := newBrowser(t).get(onHost(t, raw, late))
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.NotContains(t, p.body, `action="/resend"`)
		assert.True(t, strings.HasPrefix(p.button(t), s.Links.SignIn), p.button(t))
	})
}
