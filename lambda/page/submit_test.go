package page_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
)

// secretHash is Cognito's formula written out once more, independently.
func secretHash(username, clientID, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username))
	m.Write([]byte(clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestSecretHash(t *testing.T) {
	tests := []struct{ name, user, client, secret string }{
		{"case=ascii", "alice", "3n4b5urk1ft4fl3mg5e62d9ado", "secret"},
		{"case=sub", testUser, "client-default", testSecret},
		{"case=unicode", "jürgen@example.org", "c", "ß"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, secretHash(tt.user, tt.client, tt.secret), page.SecretHash(tt.user, tt.client, tt.secret))
		})
	}
}

func TestPostRefused(t *testing.T) {
	tests := []struct {
		name   string
		form   func(url.Values)
		header []string
	}{
		{"case=no-token", func(f url.Values) { f.Del("csrf") }, nil},
		{"case=wrong-token", func(f url.Values) { f.Set("csrf", "AAAA"+f.Get("csrf")[4:]) }, nil},
		{"case=origin-other-host", nil, []string{"Origin", "https://evil.example"}},
		{"case=origin-null-without-token", func(f url.Values) { f.Del("csrf") }, []string{"Origin", "null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			raw := e.link(linkOpts{})
			form := hidden(e.get(raw).body)
			form.Set("password", testPassword)
			form.Set("repeat", testPassword)
			if tt.form != nil {
				tt.form(form)
			}
			res := e.post("/reset", form, tt.header...)
			assert.Equal(t, http.StatusForbidden, res.status)
			assert.Empty(t, e.cognito.Calls())
		})
	}
	// Chromium sends Origin: null on the page's own posts (its
	// Referrer-Policy is no-referrer): the token decides.
	t.Run("case=origin-null-with-token-is-accepted", func(t *testing.T) {
		e := newEnv(t, nil)
		form := hidden(e.get(e.link(linkOpts{})).body)
		form.Set("password", testPassword)
		form.Set("repeat", testPassword)
		assert.Equal(t, http.StatusOK, e.post("/reset", form, "Origin", "null").status)
	})
	t.Run("case=no-cookie", func(t *testing.T) {
		e := newEnv(t, nil)
		form := hidden(e.get(e.link(linkOpts{})).body)
		form.Set("password", testPassword)
		form.Set("repeat", testPassword)
		e.client.Jar = nil
		assert.Equal(t, http.StatusForbidden, e.post("/reset", form).status)
		assert.Empty(t, e.cognito.Calls())
	})
	t.Run("case=same-origin-passes", func(t *testing.T) {
		e := newEnv(t, nil)
		form := hidden(e.get(e.link(linkOpts{})).body)
		form.Set("password", testPassword)
		form.Set("repeat", testPassword)
		assert.Equal(t, http.StatusOK, e.post("/reset", form, "Origin", e.srv.URL).status)
	})
}

func TestMismatchingPasswords(t *testing.T) {
	e := newEnv(t, nil)
	res := e.submit(e.link(linkOpts{}), "password", testPassword, "repeat", testPassword+"x")
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Contains(t, res.body, "The two passwords do not match.")
	assert.Contains(t, res.body, `role="alert"`)
	assert.Contains(t, res.body, `name="password"`)
	assert.Empty(t, e.cognito.Calls())
}

func TestResetCognitoErrors(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		want   string
		form   bool // the password form again, not the invalid-link page
	}{
		{"case=code-mismatch", &types.CodeMismatchException{}, http.StatusBadRequest, "The code in this link is wrong. Request a new email.", false},
		{"case=expired-code", &types.ExpiredCodeException{}, http.StatusBadRequest, "The code in this link has expired. Request a new email.", false},
		{"case=invalid-password", &types.InvalidPasswordException{}, http.StatusBadRequest, "This password does not meet the requirements.", true},
		{"case=password-history", &types.PasswordHistoryPolicyViolationException{}, http.StatusBadRequest, "This password does not meet the requirements.", true},
		{"case=limit-exceeded", &types.LimitExceededException{}, http.StatusTooManyRequests, "Too many attempts.", true},
		{"case=too-many-requests", &types.TooManyRequestsException{}, http.StatusTooManyRequests, "Too many attempts.", true},
		{"case=too-many-failed", &types.TooManyFailedAttemptsException{}, http.StatusTooManyRequests, "Too many attempts.", true},
		{"case=user-not-found", &types.UserNotFoundException{}, http.StatusBadRequest, invalidHeading, false},
		{"case=not-authorized", &types.NotAuthorizedException{}, http.StatusBadRequest, invalidHeading, false},
		{"case=other", &types.InternalErrorException{}, http.StatusBadGateway, "Something went wrong", false},
		{"case=wrapped-plain", errors.New("connection reset"), http.StatusBadGateway, "Something went wrong", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.cognito.errs["ConfirmForgotPassword"] = tt.err
			res := e.submit(e.link(linkOpts{}), "password", testPassword, "repeat", testPassword)
			assert.Equal(t, tt.status, res.status)
			assert.Contains(t, res.body, tt.want)
			if tt.form {
				assert.Contains(t, res.body, `name="password"`)
				assert.Contains(t, res.body, "at least 8 characters", "the policy is stated")
			}
			assert.Equal(t, []string{"ConfirmForgotPassword"}, e.cognito.Calls())
		})
	}
}

func TestUserNotFoundReadsLikeInvalidLink(t *testing.T) {
	e := newEnv(t, nil)
	e.cognito.errs["ConfirmForgotPassword"] = &types.UserNotFoundException{}
	raw := e.link(linkOpts{locale: "fr"})
	form := hidden(e.get(raw).body)
	form.Set("password", testPassword)
	form.Set("repeat", testPassword)
	notFound := e.post("/reset", form)

	form.Set("sig", "A"+form.Get("sig")[1:]) // tampered
	invalid := e.post("/reset", form)
	assert.Equal(t, invalid.status, notFound.status)
	assert.Equal(t, invalid.body, notFound.body)
	assert.Equal(t, []string{"ConfirmForgotPassword"}, e.cognito.Calls(), "the tampered link never reaches Cognito")
}

func TestResetSuccess(t *testing.T) {
	tests := []struct {
		name, tenant, clientID, hash, signIn string
	}{
		{"case=client-with-secret", "default", "client-default", secretHash(testUser, "client-default", testSecret), "https://app.example.com/sign-in"},
		{"case=client-without-secret", "acme", "client-acme", "", "https://login.acme-rockets.example/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			res := e.submit(e.link(linkOpts{tenant: tt.tenant, locale: "en"}), "password", testPassword, "repeat", testPassword)
			require.Equal(t, http.StatusOK, res.status, res.body)
			assert.Contains(t, res.body, "Your password has been changed")
			assert.Contains(t, res.body, `href="`+tt.signIn+`"`)
			require.Len(t, e.cognito.confirm, 1)
			in := e.cognito.confirm[0]
			assert.Equal(t, tt.clientID, *in.ClientId)
			assert.Equal(t, testUser, *in.Username)
			assert.Equal(t, testCode, *in.ConfirmationCode)
			assert.Equal(t, testPassword, *in.Password)
			if tt.hash == "" {
				assert.Nil(t, in.SecretHash)
			} else {
				require.NotNil(t, in.SecretHash)
				assert.Equal(t, tt.hash, *in.SecretHash)
			}
		})
	}
}

func TestActivate(t *testing.T) {
	challenge := &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: new("session-1")}
	tests := []struct {
		name   string
		out    *cip.InitiateAuthOutput
		errs   map[string]error
		status int
		want   string
		calls  []string
	}{
		{"case=success", challenge, nil, http.StatusOK, "Your account is active", []string{"InitiateAuth", "RespondToAuthChallenge"}},
		{"case=wrong-temporary", nil, map[string]error{"InitiateAuth": &types.NotAuthorizedException{}}, http.StatusBadRequest,
			"The temporary password is wrong or has expired.", []string{"InitiateAuth"}},
		{"case=unknown-user-same-words", nil, map[string]error{"InitiateAuth": &types.UserNotFoundException{}}, http.StatusBadRequest,
			"The temporary password is wrong or has expired.", []string{"InitiateAuth"}},
		{"case=weak-password", challenge, map[string]error{"RespondToAuthChallenge": &types.InvalidPasswordException{}}, http.StatusBadRequest,
			"This password does not meet the requirements.", []string{"InitiateAuth", "RespondToAuthChallenge"}},
		{"case=already-active", &cip.InitiateAuthOutput{AuthenticationResult: &types.AuthenticationResultType{}}, nil,
			http.StatusConflict, "Something went wrong", []string{"InitiateAuth"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.cognito.initOut = tt.out
			for k, v := range tt.errs {
				e.cognito.errs[k] = v
			}
			res := e.submit(e.link(linkOpts{purpose: link.PurposeInvite, locale: "en"}),
				"temporary", testTemp, "password", testPassword, "repeat", testPassword)
			assert.Equal(t, tt.status, res.status)
			assert.Contains(t, res.body, tt.want)
			assert.Equal(t, tt.calls, e.cognito.Calls())
			hash := secretHash(testUser, "client-default", testSecret)
			require.Len(t, e.cognito.initiate, 1)
			assert.Equal(t, types.AuthFlowTypeUserPasswordAuth, e.cognito.initiate[0].AuthFlow)
			assert.Equal(t, map[string]string{"USERNAME": testUser, "PASSWORD": testTemp, "SECRET_HASH": hash},
				e.cognito.initiate[0].AuthParameters)
			if len(tt.calls) == 2 {
				in := e.cognito.respond[0]
				assert.Equal(t, types.ChallengeNameTypeNewPasswordRequired, in.ChallengeName)
				assert.Equal(t, "session-1", *in.Session)
				assert.Equal(t, map[string]string{"USERNAME": testUser, "NEW_PASSWORD": testPassword, "SECRET_HASH": hash},
					in.ChallengeResponses)
			}
			assert.NotContains(t, res.body, testTemp)
		})
	}
}

func TestRequestAlwaysSamePage(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"case=sent", nil},
		{"case=user-not-found", &types.UserNotFoundException{}},
		{"case=limit", &types.LimitExceededException{}},
		{"case=other", &types.InternalErrorException{}},
	}
	var first *response
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.cognito.errs["ForgotPassword"] = tt.err
			form := hidden(e.get(e.link(linkOpts{locale: "es", expires: testNow})).body)
			form.Set("email", testEmail)
			res := e.post("/request", form)
			assert.Equal(t, http.StatusOK, res.status)
			assert.Contains(t, res.body, "Si existe una cuenta con esta dirección") // the Spanish "if an account exists"
			res.body = hiddenPattern.ReplaceAllString(res.body, "")                 // no form here, but be sure
			if first == nil {
				first = &res
			} else {
				assert.Equal(t, first.body, res.body)
			}
			require.Len(t, e.cognito.forgot, 1)
			in := e.cognito.forgot[0]
			assert.Equal(t, testEmail, *in.Username)
			assert.Equal(t, secretHash(testEmail, "client-default", testSecret), *in.SecretHash)
			assert.Equal(t, map[string]string{"locale": "es"}, in.ClientMetadata)
		})
	}
}

// Whether Cognito answers at once (no such user) or after running the
// Custom Message trigger (a real user), the page answers no earlier than its
// RequestDuration: its timing must not tell whether an account exists.
func TestRequestTakesTheSameTime(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{{"case=sent", nil}, {"case=user-not-found", &types.UserNotFoundException{}}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *page.Config) { c.RequestDuration = 300 * time.Millisecond })
			e.cognito.errs["ForgotPassword"] = tc.err
			form := hidden(e.get(e.link(linkOpts{expires: testNow})).body)
			form.Set("email", testEmail)
			start := time.Now()
			res := e.post("/request", form)
			assert.Equal(t, http.StatusOK, res.status)
			assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
		})
	}
}
