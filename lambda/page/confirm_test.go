package page_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
)

const invalidConfirmation = "Confirmation links work only for a limited time, and only once."

func TestConfirmOpenShowsAButtonAndChangesNothing(t *testing.T) {
	tests := []struct {
		name, tenant, locale string
		want                 []string
	}{
		{"case=default-en", "default", "en", []string{`<html lang="en"`, "Confirm your email address", "finish setting up your Example App account",
			`<button type="submit">Confirm email address</button>`}},
		{"case=acme-de", "acme", "de", []string{`<html lang="de"`, "E-Mail-Adresse bestätigen", "Ihres Acme Rockets-Kontos"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			res := e.get(e.link(linkOpts{purpose: link.PurposeVerify, tenant: tt.tenant, locale: tt.locale}))
			require.Equal(t, http.StatusOK, res.status, res.body)
			for _, w := range tt.want {
				assert.Contains(t, res.body, w)
			}
			form := hidden(res.body)
			assert.Equal(t, testCode, form.Get("code"))
			assert.Equal(t, testUser, form.Get("username"))
			assert.NotEmpty(t, form.Get("csrf"))
			assert.Contains(t, res.body, `<form method="post" action="/confirm"`)
			assert.NotContains(t, res.body, `name="password"`)
			assert.Empty(t, e.cognito.Calls(), "opening a confirmation link confirms nothing")
		})
	}
}

func TestConfirmSuccess(t *testing.T) {
	tests := []struct {
		name, tenant, clientID, hash, signIn string
	}{
		{"case=client-with-secret", "default", "client-default", secretHash(testUser, "client-default", testSecret), "https://app.example.com/sign-in"},
		{"case=client-without-secret", "acme", "client-acme", "", "https://login.acme-rockets.example/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			res := e.submit(e.link(linkOpts{purpose: link.PurposeVerify, tenant: tt.tenant, locale: "en"}))
			require.Equal(t, http.StatusOK, res.status, res.body)
			assert.Contains(t, res.body, "Your email address is confirmed")
			assert.Contains(t, res.body, "You can now sign in to ")
			assert.Contains(t, res.body, `href="`+tt.signIn+`"`)
			require.Len(t, e.cognito.signUp, 1)
			in := e.cognito.signUp[0]
			assert.Equal(t, tt.clientID, *in.ClientId)
			assert.Equal(t, testUser, *in.Username)
			assert.Equal(t, testCode, *in.ConfirmationCode)
			if tt.hash == "" {
				assert.Nil(t, in.SecretHash)
			} else {
				require.NotNil(t, in.SecretHash)
				assert.Equal(t, tt.hash, *in.SecretHash)
			}
		})
	}
}

func TestConfirmCognitoErrors(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		alert  string // "": no alert
		page   string
	}{
		{"case=code-mismatch", &types.CodeMismatchException{}, http.StatusBadRequest, "The code in this link is wrong.", invalidConfirmation},
		{"case=expired-code", &types.ExpiredCodeException{}, http.StatusBadRequest, "The code in this link has expired.", invalidConfirmation},
		{"case=already-confirmed", &types.NotAuthorizedException{Message: new("User cannot be confirmed. Current status is CONFIRMED")},
			http.StatusBadRequest, "", invalidConfirmation},
		{"case=user-not-found", &types.UserNotFoundException{}, http.StatusBadRequest, "", invalidConfirmation},
		{"case=limit", &types.LimitExceededException{}, http.StatusTooManyRequests, "Too many attempts.", "Confirm email address</button>"},
		{"case=other", &types.InternalErrorException{}, http.StatusBadGateway, "", "Something went wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.cognito.errs["ConfirmSignUp"] = tt.err
			res := e.submit(e.link(linkOpts{purpose: link.PurposeVerify, locale: "en"}))
			assert.Equal(t, tt.status, res.status)
			assert.Contains(t, res.body, tt.page)
			assert.Equal(t, tt.alert != "", strings.Contains(res.body, `role="alert"`))
			if tt.alert != "" {
				assert.Contains(t, res.body, tt.alert)
			}
			if tt.page == invalidConfirmation {
				assert.Contains(t, res.body, invalidHeading)
				assert.Contains(t, res.body, `href="https://app.example.com/sign-in"`, "those already confirmed can sign in")
				assert.NotContains(t, res.body, `action="/request"`, "a reset email confirms no one")
			}
			assert.Equal(t, []string{"ConfirmSignUp"}, e.cognito.Calls())
		})
	}
}

// An account already confirmed and one that does not exist read alike.
func TestConfirmNeverSaysWhetherTheAccountExists(t *testing.T) {
	bodies := map[string]string{}
	for name, err := range map[string]error{
		"confirmed": &types.NotAuthorizedException{Message: new("User cannot be confirmed. Current status is CONFIRMED")},
		"not-found": &types.UserNotFoundException{},
	} {
		e := newEnv(t, nil)
		e.cognito.errs["ConfirmSignUp"] = err
		form := hidden(e.get(e.link(linkOpts{purpose: link.PurposeVerify, locale: "fr"})).body)
		res := e.post("/confirm", form)
		bodies[name] = hiddenPattern.ReplaceAllString(res.body, "")
	}
	assert.Equal(t, bodies["confirmed"], bodies["not-found"])
	assert.Contains(t, bodies["confirmed"], `<html lang="fr"`)
}

func TestConfirmInvalidLinks(t *testing.T) {
	tests := []struct {
		name string
		link func(e *env) string
	}{
		{"case=expired", func(e *env) string {
			return e.link(linkOpts{purpose: link.PurposeVerify, locale: "en", expires: testNow.Add(-time.Minute)})
		}},
		{"case=tampered", func(e *env) string {
			return strings.Replace(e.link(linkOpts{purpose: link.PurposeVerify, locale: "en"}), "username=", "username=x", 1)
		}},
		{"case=reset-link-on-confirm", func(e *env) string { return e.link(linkOpts{locale: "en", path: "/confirm"}) }},
		{"case=without-code", func(e *env) string {
			raw := e.link(linkOpts{purpose: link.PurposeVerify, locale: "en"})
			return raw[:strings.Index(raw, "&code=")]
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			res := e.get(tt.link(e))
			assert.Equal(t, http.StatusBadRequest, res.status)
			assert.Contains(t, res.body, invalidHeading)
			assert.Contains(t, res.body, invalidConfirmation)
			assert.NotContains(t, res.body, `action="/request"`)
			assert.NotContains(t, res.body, `role="alert"`)
			assert.Empty(t, e.cognito.Calls())
		})
	}
	t.Run("case=a-confirmation-link-on-reset", func(t *testing.T) {
		e := newEnv(t, nil)
		res := e.get(e.link(linkOpts{purpose: link.PurposeVerify, locale: "en", path: "/reset"}))
		assert.Equal(t, http.StatusBadRequest, res.status)
		assert.NotContains(t, res.body, `name="password"`)
	})
}

// The confirmation, the attributes round trip and the local sign-in log
// outcomes, never who or what.
func TestNewFlowsLogNoPersonalData(t *testing.T) {
	e := newEnv(t, localSignIn)
	e.submit(e.link(linkOpts{purpose: link.PurposeVerify}))
	e.cognito.errs["ConfirmSignUp"] = &types.NotAuthorizedException{Message: new("User " + testUser + " cannot be confirmed")}
	e.submit(e.link(linkOpts{purpose: link.PurposeVerify}))
	e.cognito.initOut = requiring(`["userAttributes.name"]`)
	form := e.activateForm("en")
	form.Set("userAttributes.name", "Jane Secretname")
	e.post("/activate", form)
	e.cognito.errs["InitiateAuth"] = &types.NotAuthorizedException{}
	e.signIn("", testEmail, testPassword)

	logs := e.logs.String()
	for _, want := range []string{`"outcome":"signup-confirmed"`, `"code":"NotAuthorizedException"`, `"route":"/signin"`} {
		assert.Contains(t, logs, want)
	}
	for _, secret := range []string{testUser, testEmail, testPassword, testTemp, testCode, testSecret, "Secretname"} {
		assert.NotContains(t, logs, secret)
	}
}
