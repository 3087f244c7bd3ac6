package page_test

import (
	"net/http"
	"net/url"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/page"
)

func localSignIn(c *page.Config) { c.LocalSignIn = true }

// signIn opens /signin?query and posts its form with the credentials.
func (e *env) signIn(query, email, password string) response {
	e.t.Helper()
	opened := e.get("/signin?" + query)
	require.Equal(e.t, http.StatusOK, opened.status, opened.body)
	form := hidden(opened.body)
	form.Set("email", email)
	form.Set("password", password)
	return e.post("/signin", form)
}

func TestLocalSignInForm(t *testing.T) {
	e := newEnv(t, localSignIn)
	res := e.get("/signin?tenant=acme&locale=de")
	require.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, res.body, `<html lang="de"`)
	assert.Contains(t, res.body, "Bei Acme Rockets anmelden")
	assert.Contains(t, res.body, "cognito-local")
	assert.Equal(t, url.Values{"csrf": {hidden(res.body).Get("csrf")}, "tenant": {"acme"}, "locale": {"de"}}, hidden(res.body))
	assert.Contains(t, res.body, `name="password" type="password" autocomplete="current-password"`)
	assert.Empty(t, e.cognito.Calls())
}

func TestLocalSignIn(t *testing.T) {
	tokens := &cip.InitiateAuthOutput{AuthenticationResult: &types.AuthenticationResultType{
		AccessToken: new("access-token-value"), IdToken: new("id-token-value"), RefreshToken: new("refresh-token-value")}}
	tests := []struct {
		name   string
		out    *cip.InitiateAuthOutput
		err    error
		status int
		want   string
	}{
		{"case=signed-in", tokens, nil, http.StatusOK, "Signed in as " + testEmail},
		{"case=wrong-password", nil, &types.NotAuthorizedException{}, http.StatusBadRequest, "Wrong email address or password."},
		{"case=wrong-password-cognito-local", nil, &types.InvalidPasswordException{}, http.StatusBadRequest, "Wrong email address or password."},
		// The SDK types only an operation's modelled errors: cognito-local's
		// InvalidPasswordException from InitiateAuth arrives by code alone.
		{"case=wrong-password-unmodelled", nil, &smithy.GenericAPIError{Code: "InvalidPasswordException"}, http.StatusBadRequest,
			"Wrong email address or password."},
		{"case=unknown-user", nil, &types.UserNotFoundException{}, http.StatusBadRequest, "Wrong email address or password."},
		{"case=not-confirmed", nil, &types.UserNotConfirmedException{}, http.StatusBadRequest, "first open the link in your confirmation or invitation email"},
		{"case=invitation-not-activated", &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired}, nil,
			http.StatusBadRequest, "first open the link in your confirmation or invitation email"},
		{"case=limit", nil, &types.TooManyRequestsException{}, http.StatusTooManyRequests, "Too many attempts."},
		{"case=other", nil, &types.InternalErrorException{}, http.StatusBadGateway, "Something went wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, localSignIn)
			e.cognito.initOut = tt.out
			e.cognito.errs["InitiateAuth"] = tt.err
			res := e.signIn("tenant=default&locale=en", testEmail, testPassword)
			assert.Equal(t, tt.status, res.status)
			assert.Contains(t, res.body, tt.want)
			assert.NotContains(t, res.body, "token-value", "no token is shown")
			assert.NotContains(t, res.body, testPassword)
			require.Len(t, e.cognito.initiate, 1)
			in := e.cognito.initiate[0]
			assert.Equal(t, types.AuthFlowTypeUserPasswordAuth, in.AuthFlow)
			assert.Equal(t, "client-default", *in.ClientId)
			assert.Equal(t, map[string]string{"USERNAME": testEmail, "PASSWORD": testPassword,
				"SECRET_HASH": secretHash(testEmail, "client-default", testSecret)}, in.AuthParameters)
		})
	}
	t.Run("case=empty-password-never-reaches-cognito", func(t *testing.T) {
		e := newEnv(t, localSignIn)
		res := e.signIn("", testEmail, "")
		assert.Equal(t, http.StatusBadRequest, res.status)
		assert.Contains(t, res.body, `value="`+testEmail+`"`, "the address is kept")
		assert.Empty(t, e.cognito.Calls())
	})
	t.Run("case=refused-without-token", func(t *testing.T) {
		e := newEnv(t, localSignIn)
		res := e.post("/signin", url.Values{"email": {testEmail}, "password": {testPassword}})
		assert.Equal(t, http.StatusForbidden, res.status)
		assert.Empty(t, e.cognito.Calls())
	})
}
