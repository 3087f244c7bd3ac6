package e2e

import (
	"net/http"
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

// An invitation in the Custom Email Sender mode: the sender writes the real
// username and temporary password into both parts, each alone on its line
// in the text part; the link carries neither the password nor a code (a
// version-2 link, as in the Custom Message mode), and the page activates
// the account with the password read back from the email.
func TestE2ESenderInvite(t *testing.T) {
	s := sending(t)
	email := "noa.sender.invite@example.com"
	seen := mailCount(t, s)
	out, err := cognito(s).AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{
		UserPoolId: aws.String(s.UserPoolID), Username: aws.String(email),
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
			{Name: aws.String("locale"), Value: aws.String("fr")},
			{Name: aws.String("given_name"), Value: aws.String("Noa")},
			{Name: aws.String(localstack.TenantAttribute), Value: aws.String("default")},
		},
	})
	require.NoError(t, err)
	msg := sentAfter(t, s, seen, email)

	temporary := temporaryPassword(t, msg.HTML)
	assertSent(t, s, msg, "invite", "default", "fr", "ltr", temporary)
	assert.Contains(t, lines(msg.Text), temporary, "the temporary password alone on its line, as it is")
	username := credentialPattern.FindStringSubmatch(msg.HTML)[1]
	assert.Contains(t, []string{email, aws.ToString(out.User.Username)}, username, "the real username, not {username}")
	assert.Contains(t, lines(msg.Text), username)

	raw := firstLink(t, msg.HTML)
	require.True(t, strings.HasPrefix(raw, s.Links.Activate+"?"), raw)
	assert.NotContains(t, raw, temporary, "the temporary password never goes into a URL")
	claims, err := link.Verify(raw, s.Ring, timeNow())
	require.NoError(t, err)
	assert.Equal(t, link.PurposeInvite, claims.Purpose)
	assert.False(t, claims.CodeSigned, "no code in an invitation's link")

	b := newBrowser(t)
	p := b.get(raw)
	require.Equal(t, http.StatusOK, p.status, p.body)
	assert.Contains(t, p.body, `<html lang="fr"`)
	action, form := p.form(t, raw)
	form.Set("temporary", temporary)
	form.Set("password", "Mon-Envoi-Mot-2!")
	form.Set("repeat", "Mon-Envoi-Mot-2!")
	done := b.post(action, form)
	require.Equal(t, http.StatusOK, done.status, done.body)
	require.NoError(t, signIn(t, s, s.Clients.Public, email, "Mon-Envoi-Mot-2!"))
}

// lines are a text part's lines, without their CRLF line ends.
func lines(text string) []string {
	return strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
}
