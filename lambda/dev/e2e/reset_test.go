package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/link"
)

func secretHash(username, clientID, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// signIn tries USER_PASSWORD_AUTH and reports whether it gave tokens.
func signIn(t *testing.T, s *localstack.Stack, client localstack.Client, email, password string) error {
	t.Helper()
	params := map[string]string{"USERNAME": email, "PASSWORD": password}
	if client.Secret != "" {
		params["SECRET_HASH"] = secretHash(email, client.ID, client.Secret)
	}
	out, err := cognito(s).InitiateAuth(t.Context(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(client.ID), AuthParameters: params,
	})
	if err != nil {
		return err
	}
	if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.AccessToken) == "" {
		return errors.New("no tokens")
	}
	return nil
}

// forgot asks for a reset email, as an app would, and returns it.
func forgot(t *testing.T, s *localstack.Stack, client localstack.Client, email, locale string) localstack.Message {
	t.Helper()
	seen := mailCount(t, s)
	in := &cip.ForgotPasswordInput{ClientId: aws.String(client.ID), Username: aws.String(email),
		ClientMetadata: map[string]string{"locale": locale}}
	if client.Secret != "" {
		in.SecretHash = aws.String(secretHash(email, client.ID, client.Secret))
	}
	_, err := cognito(s).ForgotPassword(t.Context(), in)
	require.NoError(t, err)
	return mailAfter(t, s, seen, email)
}

// openReset opens the email's button and returns the page and its form.
func openReset(t *testing.T, b *browser, msg localstack.Message) (page, string, url.Values) {
	t.Helper()
	p := b.get(firstLink(t, msg.EmailMessage))
	require.Equal(t, http.StatusOK, p.status, p.body)
	action, form := p.form(t, firstLink(t, msg.EmailMessage))
	return p, action, form
}

func TestE2EReset(t *testing.T) {
	s := stack(t)
	for _, client := range []localstack.Client{s.Clients.Public, s.Clients.Secret} {
		t.Run("case=client "+client.Name, func(t *testing.T) {
			ana, ok := s.User("ana@example.com")
			require.True(t, ok)
			msg := forgot(t, s, client, ana.Email, "de")

			// The email: German, cogmail's, its button a signed link to the
			// local page carrying the code Cognito substituted.
			assert.Contains(t, msg.EmailMessage, `<html lang="de" dir="ltr">`)
			raw := firstLink(t, msg.EmailMessage)
			require.True(t, strings.HasPrefix(raw, s.Links.Reset+"?"), raw)
			claims, err := link.Verify(raw, s.Ring, timeNow())
			require.NoError(t, err)
			assert.Equal(t, link.PurposeReset, claims.Purpose)
			assert.Equal(t, "default", claims.Tenant)
			assert.Equal(t, "de", claims.Locale)
			assert.Equal(t, ana.Username, claims.Username)
			assert.Equal(t, msg.Code, claims.Code, "cognito-local fills in the first {####}: the button's")

			b := newBrowser(t)
			p, action, form := openReset(t, b, msg)
			assert.Contains(t, p.body, `<html lang="de"`)
			assert.Equal(t, "no-referrer", p.header.Get("Referrer-Policy"))
			assert.Equal(t, "no-store", p.header.Get("Cache-Control"))

			newPassword := "Neu-Passwort-" + client.Name + "-1!"
			form.Set("password", newPassword)
			form.Set("repeat", newPassword)
			done := b.post(action, form)
			require.Equal(t, http.StatusOK, done.status, done.body)
			assert.Contains(t, done.body, `role="status"`)

			require.NoError(t, signIn(t, s, client, ana.Email, newPassword), "the new password signs in")
			// Cognito answers a wrong password with NotAuthorizedException,
			// cognito-local with InvalidPasswordException.
			err = signIn(t, s, client, ana.Email, ana.Password)
			var apiErr smithy.APIError
			require.ErrorAs(t, err, &apiErr, "the old one no longer signs in")
			assert.Contains(t, []string{"NotAuthorizedException", "InvalidPasswordException"}, apiErr.ErrorCode())
			ana.Password = newPassword
			setPassword(s, ana)
		})
	}
}

// setPassword records a user's new password for the tests that follow.
func setPassword(s *localstack.Stack, u localstack.User) {
	for i := range s.Users {
		if s.Users[i].Email == u.Email {
			s.Users[i].Password = u.Password
		}
	}
}
