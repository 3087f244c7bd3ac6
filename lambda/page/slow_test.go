package page_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/page/pagetest"
)

// Lambda ends an invocation at its deadline with a bare 502, without the
// page's headers or words. http.TimeoutHandler plays Lambda here: it gives
// the request that deadline and, past it, answers itself with bare. The
// page must bound its Cognito calls so that it answers first, with its
// own error page.
const bare = "bare answer of the platform"

// invocation is the deadline the tests give a request: Lambda's would be
// the function's timeout (template.yaml: 10 s); a shorter one keeps the
// test short and the page's margin is the same.
const invocation = 3 * time.Second

// A Cognito that holds the page's calls (the stand-in, through the real
// SDK): the page answers its own error page before the deadline, the two
// calls of an activation sharing the time.
func TestSlowCognito(t *testing.T) {
	tests := []struct {
		name    string
		purpose link.Purpose
		slow    string // the operation the stand-in holds
		fields  []string
	}{
		{"case=reset", link.PurposeReset, "ConfirmForgotPassword", []string{"password", testPassword, "repeat", testPassword}},
		{"case=confirmation", link.PurposeVerify, "ConfirmSignUp", nil},
		{"case=activation-first-call", link.PurposeInvite, "InitiateAuth",
			[]string{"temporary", testTemp, "password", testPassword, "repeat", testPassword}},
		{"case=activation-second-call", link.PurposeInvite, "RespondToAuthChallenge",
			[]string{"temporary", testTemp, "password", testPassword, "repeat", testPassword}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cognito := pagetest.StartCognito(t, 0, testUser)
			cognito.Hold, cognito.Slow = make(chan struct{}), map[string]bool{tt.slow: true}
			t.Cleanup(func() { close(cognito.Hold) }) // before the stand-in closes: cleanups run last first
			e := newEnvServing(t, func(c *page.Config) {
				c.Cognito = cip.New(cip.Options{Region: "eu-west-1", BaseEndpoint: aws.String(cognito.URL), Credentials: aws.AnonymousCredentials{}})
			}, func(h http.Handler) http.Handler { return http.TimeoutHandler(h, invocation, bare) })

			res := e.submit(e.link(linkOpts{purpose: tt.purpose, locale: "en"}), tt.fields...)
			require.NotContains(t, res.body, bare, "the platform answered: the page's calls outlasted the deadline")
			assert.Equal(t, http.StatusBadGateway, res.status, res.body)
			assert.Contains(t, res.body, "We could not complete your request. Please try again later.")
			assert.Equal(t, page.CSP, res.header.Get("Content-Security-Policy"), "the page's own headers")
			assert.Contains(t, e.logs.String(), `"code":"timeout"`)
			assert.NotContains(t, e.logs.String(), testUser)
			require.Positive(t, cognito.Arrived(), "the stand-in was asked")
			for _, c := range cognito.Calls() {
				assert.NotEqual(t, tt.slow, c.Op, "the held call was not answered")
			}
		})
	}
}

// The call that sends a new email runs after the answer, and inside Lambda
// the invocation lasts until it ends (lambda/cmd/pagefn): a Cognito that
// holds it gets up to the invocation's deadline, less the page's margin,
// never beyond, so that the invocation ends of itself.
func TestSlowCognitoAfterTheAnswer(t *testing.T) {
	cognito := pagetest.StartCognito(t, 0, testUser)
	cognito.Hold = make(chan struct{})
	t.Cleanup(func() { close(cognito.Hold) })
	e := newEnvServing(t, func(c *page.Config) {
		c.Cognito = cip.New(cip.Options{Region: "eu-west-1", BaseEndpoint: aws.String(cognito.URL), Credentials: aws.AnonymousCredentials{}})
	}, func(h http.Handler) http.Handler { return http.TimeoutHandler(h, invocation, bare) })
	form := e.resendForm(e.link(linkOpts{locale: "en", expires: testNow.Add(-time.Minute)}))
	posted := time.Now()
	res := e.post("/resend", form)
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Equal(t, 1, e.runLater())
	assert.Less(t, time.Since(posted), invocation, "the call outlived the invocation")
	assert.Contains(t, e.logs.String(), `"code":"timeout"`)
	assert.Equal(t, 1, cognito.Arrived())
	assert.Empty(t, cognito.Calls(), "the held call was not answered")
}
