package page_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
)

const sentEN = "If the account still exists, a new email is on its way to the address this link was sent to."

// resendForm opens an unusable link and returns its resend form.
func (e *env) resendForm(raw string) url.Values {
	e.t.Helper()
	res := e.get(raw)
	require.Equal(e.t, http.StatusBadRequest, res.status, res.body)
	require.Contains(e.t, res.body, `<form method="post" action="/resend"`, "no resend form")
	return hidden(res.body)
}

// A new email, from an authentic link only and for its own user: answered
// at once, before Cognito is asked.
func TestResend(t *testing.T) {
	tests := []struct {
		name, tenant, locale, call, client, hash string
		purpose                                  link.Purpose
		expires                                  time.Time
	}{
		{"case=reset-expired-yesterday", "default", "es", "ForgotPassword", "client-default",
			secretHash(testUser, "client-default", testSecret), link.PurposeReset, testNow.Add(-24 * time.Hour)},
		// A version-2 link (e.link's default), whose signed pool is acme's.
		{"case=reset-expired-at-the-grace's-end", "acme", "de", "ForgotPassword", "client-acme", "",
			link.PurposeReset, testNow.Add(-page.ResendGrace)},
		{"case=confirmation-expired", "acme", "fr", "ResendConfirmationCode", "client-acme", "",
			link.PurposeVerify, testNow.Add(-time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			form := e.resendForm(e.link(linkOpts{purpose: tt.purpose, tenant: tt.tenant, locale: tt.locale, expires: tt.expires}))
			require.Equal(t, e.clients[tt.tenant].UserPoolID, form.Get(link.ParamUserPool), "the form carries the signed pool")
			res := e.post("/resend", form)
			require.Equal(t, http.StatusOK, res.status, res.body)
			assert.Contains(t, res.body, `<html lang="`+tt.locale+`"`)
			assert.Contains(t, res.body, `role="status"`)
			assert.NotContains(t, res.body, "<form", "nothing more to post")
			assert.Empty(t, e.cognito.Calls(), "the answer is written before Cognito is asked")

			require.Equal(t, 1, e.runLater())
			assert.Equal(t, []string{tt.call}, e.cognito.Calls())
			var client, username string
			var hash *string
			var meta map[string]string
			if tt.call == "ForgotPassword" {
				in := e.cognito.forgot[0]
				client, username, hash, meta = *in.ClientId, *in.Username, in.SecretHash, in.ClientMetadata
			} else {
				in := e.cognito.resend[0]
				client, username, hash, meta = *in.ClientId, *in.Username, in.SecretHash, in.ClientMetadata
			}
			assert.Equal(t, tt.client, client)
			assert.Equal(t, testUser, username, "the link's own user")
			assert.Equal(t, map[string]string{"locale": tt.locale}, meta, "the email in the link's language")
			if tt.hash == "" {
				assert.Nil(t, hash)
			} else {
				require.NotNil(t, hash)
				assert.Equal(t, tt.hash, *hash)
			}
			assert.Contains(t, e.logs.String(), `"outcome":"resent"`)
		})
	}
}

// What Cognito answers after the page has answered changes nothing the
// visitor sees; the log keeps the code, never who.
func TestResendAnswersAlike(t *testing.T) {
	bodies := map[string]string{}
	for _, tt := range []struct {
		name string
		err  error
		log  string
	}{
		{"case=sent", nil, `"outcome":"resent"`},
		{"case=user-not-found", &types.UserNotFoundException{Message: new("User " + testUser + " not found")}, `"code":"UserNotFoundException"`},
		{"case=limit", &types.LimitExceededException{}, `"code":"LimitExceededException"`},
		{"case=cognito-failing", &types.InternalErrorException{}, `"level":"ERROR"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.cognito.errs["ForgotPassword"] = tt.err
			res := e.post("/resend", e.resendForm(e.link(linkOpts{locale: "en", expires: testNow.Add(-time.Minute)})))
			assert.Equal(t, http.StatusOK, res.status)
			assert.Contains(t, res.body, sentEN)
			bodies[tt.name] = res.body
			e.runLater()
			assert.Contains(t, e.logs.String(), tt.log)
			assert.NotContains(t, e.logs.String(), testUser)
		})
	}
	for name, body := range bodies {
		assert.Equal(t, bodies["case=sent"], body, name)
	}
}

// No email for a link that is not authentic, too old, of version 1 (it
// names no pool), or an invitation (a new one needs an administrator): the
// visitor is sent elsewhere. The cases that no page offers a resend form
// for post the link with the token such a form would carry (mintResend),
// so that what refuses them is the link, not the token.
func TestResendRefused(t *testing.T) {
	const elsewhere, invitation = "You can ask Example App for a new one.", "Ask the person who invited you to send a new invitation."
	tests := []struct {
		name string
		form func(e *env) url.Values
		want string // "": sent, the control that the minted token is good
		why  string // the log's reason
	}{
		{"case=tampered-username", func(e *env) url.Values {
			f := e.resendForm(e.link(linkOpts{locale: "en", expires: testNow.Add(-time.Minute)}))
			f.Set("username", "someone-else")
			return f
		}, elsewhere, "bad-signature"},
		{"case=beyond-grace", func(e *env) url.Values {
			// Within the grace when shown, past it when posted; the
			// token still young.
			f := e.resendForm(e.link(linkOpts{locale: "en", expires: testNow.Add(-page.ResendGrace + time.Minute)}))
			e.advance(2 * time.Minute)
			return f
		}, elsewhere, "not-resendable"},
		{"case=minted-for-a-resendable-link", func(e *env) url.Values {
			return e.mintResend(e.link(linkOpts{locale: "en", expires: testNow.Add(-time.Minute)}))
		}, "", ""},
		{"case=invitation", func(e *env) url.Values {
			return e.mintResend(e.link(linkOpts{purpose: link.PurposeInvite, locale: "en", expires: testNow.Add(-time.Minute)}))
		}, invitation, "not-resendable"},
		{"case=version-1-expired", func(e *env) url.Values {
			return e.mintResend(e.link(linkOpts{v1: true, locale: "en", expires: testNow.Add(-time.Minute)}))
		}, elsewhere, "not-resendable"},
		{"case=version-1-unexpired", func(e *env) url.Values {
			return e.mintResend(e.link(linkOpts{v1: true, locale: "en"}))
		}, elsewhere, "not-resendable"},
		{"case=another-pool", func(e *env) url.Values {
			return e.mintResend(e.link(linkOpts{pool: acmePool, locale: "en", expires: testNow.Add(-time.Minute)}))
		}, elsewhere, "wrong-pool"},
		{"case=no-link", func(e *env) url.Values {
			f := e.resendForm(e.link(linkOpts{locale: "en", expires: testNow.Add(-time.Minute)}))
			for _, name := range []string{"username", "tenant", "locale", "exp", "kid"} {
				f.Del(name)
			}
			return f
		}, elsewhere, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *page.Config) { c.CSRFKey = testCSRFKey })
			res := e.post("/resend", tt.form(e))
			if tt.want == "" {
				assert.Equal(t, http.StatusOK, res.status, res.body)
				assert.Contains(t, res.body, sentEN)
				assert.Equal(t, 1, e.runLater())
				assert.Equal(t, []string{"ForgotPassword"}, e.cognito.Calls())
				return
			}
			assert.Equal(t, http.StatusBadRequest, res.status, "refused for the link, not for its token")
			assert.Contains(t, res.body, tt.want)
			if tt.want == elsewhere {
				assert.Contains(t, res.body, `<a class="button" href="https://app.example.com/sign-in">`)
			}
			assert.NotContains(t, res.body, `action="/resend"`)
			assert.Contains(t, e.logs.String(), `"route":"/resend","tenant":"","outcome":"invalid-link","reason":"`+tt.why+`"`)
			assert.Zero(t, e.runLater())
			assert.Empty(t, e.cognito.Calls())
		})
	}
}

// A version-1 link names no pool: the page takes it until it expires, and
// never offers it a new email, expired or refused by Cognito. A version-2
// link, the same otherwise, is offered one.
func TestVersion1LinkOffersNoResend(t *testing.T) {
	tests := []struct {
		name  string
		v1    bool
		open  func(e *env, raw string) response
		offer bool
	}{
		{"case=v1-expired", true, func(e *env, raw string) response { return e.get(raw) }, false},
		{"case=v2-expired", false, func(e *env, raw string) response { return e.get(raw) }, true},
		{"case=v1-code-refused", true, codeRefused, false},
		{"case=v2-code-refused", false, codeRefused, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.cognito.errs["ConfirmForgotPassword"] = &types.CodeMismatchException{}
			expires := testNow.Add(time.Hour)
			if strings.HasSuffix(tt.name, "-expired") {
				expires = testNow.Add(-time.Minute)
			}
			res := tt.open(e, e.link(linkOpts{v1: tt.v1, locale: "en", expires: expires}))
			assert.Equal(t, http.StatusBadRequest, res.status)
			if tt.offer {
				assert.Contains(t, res.body, `action="/resend"`)
				return
			}
			assert.NotContains(t, res.body, `action="/resend"`)
			assert.Contains(t, res.body, "You can ask Example App for a new one.")
		})
	}
}

// codeRefused submits a new password with the link, which Cognito refuses.
func codeRefused(e *env, raw string) response {
	return e.submit(raw, "password", testPassword, "repeat", testPassword)
}

// The page of an unusable invitation asks for a new invitation and offers
// no email: AdminCreateUser's RESEND needs administrator rights.
func TestInvitationOffersNoResend(t *testing.T) {
	e := newEnv(t, nil)
	res := e.get(e.link(linkOpts{purpose: link.PurposeInvite, locale: "en", expires: testNow.Add(-time.Minute)}))
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Contains(t, res.body, "Ask the person who invited you to send a new invitation.")
	assert.NotContains(t, res.body, "<form")
}

// A used confirmation link offers a new confirmation email, and sign-in
// for those already confirmed.
func TestConfirmationOffersResend(t *testing.T) {
	e := newEnv(t, nil)
	e.cognito.errs["ConfirmSignUp"] = &types.ExpiredCodeException{}
	res := e.submit(e.link(linkOpts{purpose: link.PurposeVerify, locale: "en"}))
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Contains(t, res.body, "If not, we can send you a new confirmation email.")
	assert.Contains(t, res.body, `href="https://app.example.com/sign-in"`)
	form := hidden(res.body)
	require.NotEmpty(t, form.Get("sig"))
	sent := e.post("/resend", form)
	assert.Equal(t, http.StatusOK, sent.status)
	e.runLater()
	assert.Equal(t, []string{"ConfirmSignUp", "ResendConfirmationCode"}, e.cognito.Calls())
	assert.True(t, strings.Contains(sent.body, "Check your email"))
}
