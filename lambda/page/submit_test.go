package page_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"testing"

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
		{"case=wrong-token", func(f url.Values) { c := f.Get("csrf"); f.Set("csrf", c[:len(c)-4]+"AAAA") }, nil},
		{"case=origin-other-host", nil, []string{"Origin", "https://evil.example"}},
		{"case=origin-null-without-token", func(f url.Values) { f.Del("csrf") }, []string{"Origin", "null", "Sec-Fetch-Site", "same-origin"}},
		// An opaque origin (a sandboxed frame, a data: URL) that no Fetch
		// Metadata vouches for: any attacker page can send it.
		{"case=origin-null-alone", nil, []string{"Origin", "null"}},
		{"case=cross-site", nil, []string{"Sec-Fetch-Site", "cross-site"}},
		{"case=cross-site-origin-null", nil, []string{"Origin", "null", "Sec-Fetch-Site", "cross-site"}},
		{"case=same-site", nil, []string{"Sec-Fetch-Site", "same-site"}},
		{"case=same-origin-claimed-other-host", nil, []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "same-origin"}},
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
	// The page's own posts as browsers send them: Chromium sends Origin:
	// null (the page's Referrer-Policy is no-referrer) with Sec-Fetch-Site:
	// same-origin; a client that sends neither header is left to the token.
	for _, tt := range []struct {
		name   string
		header func(e *env) []string
	}{
		{"case=chromium-origin-null-same-origin", func(*env) []string { return []string{"Origin", "null", "Sec-Fetch-Site", "same-origin"} }},
		{"case=same-origin", func(e *env) []string { return []string{"Origin", e.srv.URL, "Sec-Fetch-Site", "same-origin"} }},
		{"case=origin-only", func(e *env) []string { return []string{"Origin", e.srv.URL} }},
		{"case=no-browser-headers", func(*env) []string { return nil }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			form := hidden(e.get(e.link(linkOpts{})).body)
			form.Set("password", testPassword)
			form.Set("repeat", testPassword)
			assert.Equal(t, http.StatusOK, e.post("/reset", form, tt.header(e)...).status)
		})
	}
	t.Run("case=no-cookie", func(t *testing.T) {
		e := newEnv(t, nil)
		form := hidden(e.get(e.link(linkOpts{})).body)
		form.Set("password", testPassword)
		form.Set("repeat", testPassword)
		e.client.Jar = nil
		assert.Equal(t, http.StatusForbidden, e.post("/reset", form).status)
		assert.Empty(t, e.cognito.Calls())
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
		{"case=user-not-found", &types.UserNotFoundException{}, http.StatusBadRequest, "The code in this link is wrong. Request a new email.", false},
		{"case=not-authorized", &types.NotAuthorizedException{}, http.StatusBadRequest, "The code in this link is wrong. Request a new email.", false},
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

// A reset link whose user is gone reads like one whose code is wrong: both
// offer a new email; neither says whether the account exists.
func TestUserNotFoundReadsLikeWrongCode(t *testing.T) {
	bodies := map[string]string{}
	ring := newRing(t, "k1") // one link for every case
	for name, err := range map[string]error{
		"not-found": &types.UserNotFoundException{}, "not-authorized": &types.NotAuthorizedException{}, "wrong-code": &types.CodeMismatchException{},
	} {
		e := newEnv(t, func(c *page.Config) { c.Keyring = ring })
		e.ring = ring
		e.cognito.errs["ConfirmForgotPassword"] = err
		res := e.submit(e.link(linkOpts{locale: "fr"}), "password", testPassword, "repeat", testPassword)
		assert.Equal(t, http.StatusBadRequest, res.status, name)
		assert.Contains(t, res.body, `action="/resend"`, name)
		bodies[name] = csrfValue.ReplaceAllString(res.body, "")
		assert.Equal(t, []string{"ConfirmForgotPassword"}, e.cognito.Calls())
	}
	assert.Equal(t, bodies["wrong-code"], bodies["not-found"])
	assert.Equal(t, bodies["wrong-code"], bodies["not-authorized"])
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
		{"case=weak-password", challenge, map[string]error{"RespondToAuthChallenge": &types.InvalidPasswordException{}}, http.StatusBadRequest,
			"This password does not meet the requirements.", []string{"InitiateAuth", "RespondToAuthChallenge"}},
		{"case=throttled", nil, map[string]error{"InitiateAuth": &types.TooManyRequestsException{}}, http.StatusTooManyRequests,
			"Too many attempts.", []string{"InitiateAuth"}},
		{"case=cognito-failing", nil, map[string]error{"InitiateAuth": &types.InternalErrorException{}}, http.StatusBadGateway,
			"Something went wrong", []string{"InitiateAuth"}},
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

// An old invitation link must not test guesses at the user's own
// password: once the account is active, InitiateAuth succeeds (or asks for
// MFA) only when the "temporary" password typed is the user's real one.
// Every refusal of an activation reads the same: status and body.
func TestActivationRefusalsReadAlike(t *testing.T) {
	tests := []struct {
		name string
		out  *cip.InitiateAuthOutput
		errs map[string]error
		temp string
	}{
		{"case=wrong-temporary", nil, map[string]error{"InitiateAuth": &types.NotAuthorizedException{}}, testTemp},
		{"case=unknown-user", nil, map[string]error{"InitiateAuth": &types.UserNotFoundException{}}, testTemp},
		{"case=locked-out", nil, map[string]error{"InitiateAuth": &types.NotAuthorizedException{Message: new("Password attempts exceeded")}}, testTemp},
		// cognito-local answers a wrong password so.
		{"case=wrong-temporary-cognito-local", nil, map[string]error{"InitiateAuth": &types.InvalidPasswordException{}}, testTemp},
		{"case=already-active-right-password", &cip.InitiateAuthOutput{AuthenticationResult: &types.AuthenticationResultType{}}, nil, testTemp},
		{"case=already-active-mfa", &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: new("s")}, nil, testTemp},
		{"case=session-expired", &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: new("s")},
			map[string]error{"RespondToAuthChallenge": &types.NotAuthorizedException{Message: new("Invalid session for the user.")}}, testTemp},
		{"case=empty-temporary", nil, nil, ""},
	}
	type answer struct {
		status int
		body   string
	}
	answers := map[string]answer{}
	ring := newRing(t, "k1") // one link for every case
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *page.Config) { c.Keyring = ring })
			e.ring = ring
			e.cognito.initOut = tt.out
			for k, v := range tt.errs {
				e.cognito.errs[k] = v
			}
			res := e.submit(e.link(linkOpts{purpose: link.PurposeInvite, locale: "en"}),
				"temporary", tt.temp, "password", testPassword, "repeat", testPassword)
			assert.Contains(t, res.body, "The temporary password is wrong or has expired.")
			answers[tt.name] = answer{res.status, csrfValue.ReplaceAllString(res.body, "")}
			assert.NotContains(t, e.logs.String(), testTemp)
		})
	}
	want := answers["case=wrong-temporary"]
	assert.Equal(t, http.StatusBadRequest, want.status)
	for name, got := range answers {
		assert.Equal(t, want, got, "%s answers unlike a wrong temporary password", name)
	}
}

// csrfValue matches the form's token, which differs per visitor.
var csrfValue = regexp.MustCompile(`name="csrf" value="[^"]*"`)
