package page_test

import (
	"context"
	"net/http"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"

	"github.com/cogmail/cogmail/lambda/page"
)

// panicking is a Cognito whose ConfirmForgotPassword panics with what it
// was sent.
type panicking struct{ *fakeCognito }

func (panicking) ConfirmForgotPassword(_ context.Context, in *cip.ConfirmForgotPasswordInput, _ ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error) {
	panic("no luck for " + *in.Username + " with " + *in.ConfirmationCode)
}

// A handler that panics answers 500 and logs no more than the panic's
// type: the value, like a stack, may quote what the visitor sent.
func TestPanicLogsNoPersonalData(t *testing.T) {
	e := newEnv(t, func(c *page.Config) { c.Cognito = panicking{&fakeCognito{errs: map[string]error{}}} })
	res := e.submit(e.link(linkOpts{}), "password", testPassword, "repeat", testPassword)
	assert.Equal(t, http.StatusInternalServerError, res.status)
	assert.NotContains(t, res.body, testUser)
	assert.Contains(t, e.logs.String(), `"reason":"panic","type":"string"`)
	for _, secret := range []string{testUser, testCode, testPassword} {
		assert.NotContains(t, e.logs.String(), secret)
	}
	assert.Equal(t, http.StatusOK, e.get("/healthz").status, "still serving")
}
