package e2e

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/link"
)

var credentialPattern = regexp.MustCompile(`<textarea[^>]*>([^<]*)</textarea>`)

// invite creates a user as an administrator would and returns the
// invitation email.
func invite(t *testing.T, s *localstack.Stack, email, locale, tenantID string) localstack.Message {
	t.Helper()
	seen := mailCount(t, s)
	_, err := cognito(s).AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{
		UserPoolId: aws.String(s.UserPoolID), Username: aws.String(email),
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
			{Name: aws.String("locale"), Value: aws.String(locale)},
			{Name: aws.String("given_name"), Value: aws.String("Noa")},
			{Name: aws.String(localstack.TenantAttribute), Value: aws.String(tenantID)},
		},
	})
	require.NoError(t, err)
	return mailAfter(t, s, seen, email)
}

func TestE2EInvite(t *testing.T) {
	s := stack(t)
	email := "noa.invite@example.com"
	msg := invite(t, s, email, "fr", "default")

	// The temporary password, read from the email body as a person would.
	creds := credentialPattern.FindAllStringSubmatch(msg.EmailMessage, -1)
	require.Len(t, creds, 2, "username and temporary password")
	temporary := html.UnescapeString(creds[1][1])
	assert.Equal(t, msg.Code, temporary)
	assert.Contains(t, msg.EmailMessage, `<html lang="fr"`)

	raw := firstLink(t, msg.EmailMessage)
	require.True(t, strings.HasPrefix(raw, s.Links.Activate+"?"), raw)
	assert.NotContains(t, raw, temporary, "the temporary password never goes into a URL")
	claims, err := link.Verify(raw, s.Ring, timeNow())
	require.NoError(t, err)
	assert.Equal(t, link.PurposeInvite, claims.Purpose)

	b := newBrowser(t)
	p := b.get(raw)
	require.Equal(t, http.StatusOK, p.status, p.body)
	action, form := p.form(t, raw)
	form.Set("temporary", temporary)
	form.Set("password", "Mon-Nouveau-Mot-2!")
	form.Set("repeat", "Mon-Nouveau-Mot-2!")
	done := b.post(action, form)
	require.Equal(t, http.StatusOK, done.status, done.body)
	assert.Contains(t, done.body, `role="status"`)

	require.NoError(t, signIn(t, s, s.Clients.Public, email, "Mon-Nouveau-Mot-2!"))
}
