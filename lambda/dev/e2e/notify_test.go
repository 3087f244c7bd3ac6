package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/localstack"
)

// A reset through the page: cognito-local's reset email, then, once the new
// password is saved, the "recovered" notice through SES, in the user's
// language, from their tenant's sender, text and HTML, its "This wasn't me"
// button a report link signed for that user. Acme's links carry their
// parameters in the fragment, which only a browser's script reads: its
// user saves the password as an app does, with ConfirmForgotPassword.
func TestE2ENotifyRecovered(t *testing.T) {
	s := notifying(t)
	for _, tc := range []struct {
		email  string
		byPage bool
	}{{"ana@example.com", true}, {"layla@example.com", true}, {"jonas@example.com", false}} {
		user, ok := s.User(tc.email)
		require.True(t, ok)
		t.Run("case="+user.Locale, func(t *testing.T) {
			msg := forgot(t, s, s.Clients.Public, user.Email, user.Locale)
			seen := mailCount(t, s)
			password := "Notify-Recovered-" + user.Locale + "-1!"
			if tc.byPage {
				b := newBrowser(t)
				_, action, form := openReset(t, b, msg)
				form.Set("password", password)
				form.Set("repeat", password)
				done := b.post(action, form)
				require.Equal(t, http.StatusOK, done.status, done.body)
			} else {
				_, err := cognito(s).ConfirmForgotPassword(t.Context(), &cip.ConfirmForgotPasswordInput{ClientId: aws.String(s.Clients.Public.ID),
					Username: aws.String(user.Email), ConfirmationCode: aws.String(msg.Code), Password: aws.String(password)})
				require.NoError(t, err)
			}
			user.Password = password
			setPassword(s, user)

			notice := sesAfter(t, s, seen, user.Email)
			assertNotice(t, s, user, notice, "recovered")
		})
	}
}

// An EventBridge AdminSetUserPassword event, after a real
// AdminSetUserPassword on cognito-local, produces the adminset notice.
func TestE2ENotifyAdminSet(t *testing.T) {
	s := notifying(t)
	user, ok := s.User("yuki@example.com")
	require.True(t, ok)
	password := "Notify-AdminSet-1!"
	_, err := cognito(s).AdminSetUserPassword(t.Context(), &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(s.UserPoolID),
		Username: aws.String(user.Username), Password: aws.String(password), Permanent: true})
	require.NoError(t, err)
	user.Password = password
	setPassword(s, user)

	seen := mailCount(t, s)
	notifyAsync(t, s, cloudTrail(t, s, "admin-set-user-password", user))
	assertNotice(t, s, user, sesAfter(t, s, seen, user.Email), "adminset")
}

// A replayed event sends nothing more: the same CloudTrail event twice, and
// the same hand-off twice, each send one notice. The notifier's invocations
// run in the order they came (lambdaapi), so once a later event's notice
// is in, the replays have been handled: no fixed wait.
func TestE2ENotifyReplay(t *testing.T) {
	s := notifying(t)
	ana, ok := s.User("ana@example.com")
	require.True(t, ok)
	for _, tc := range []struct {
		name, email string
		event       func(localstack.User) []byte
	}{
		{"case=cloudtrail", "yuki@example.com", func(u localstack.User) []byte { return cloudTrail(t, s, "admin-set-user-password", u) }},
		{"case=hand-off", "layla@example.com", func(u localstack.User) []byte { return handOff(t, s, u) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			user, ok := s.User(tc.email)
			require.True(t, ok)
			seen := mailCount(t, s)
			event := tc.event(user)
			notifyAsync(t, s, event)
			notifyAsync(t, s, event)
			notifyAsync(t, s, cloudTrail(t, s, "admin-set-user-password", ana))
			sesAfter(t, s, seen, ana.Email)
			assert.Equal(t, 1, sesCount(t, s, seen, user.Email), "one notice for an event sent twice")
		})
	}
}

// When SES refuses (the tenant's sender domain is not verified: withdrawn
// here from moto's SES, for this test only), the Lambda API retries the
// event twice, then puts it in the dead-letter queue unchanged; the
// notifier's log lines name neither the address, nor the username, nor the
// name.
func TestE2ENotifyDeadLetter(t *testing.T) {
	s := notifying(t)
	user, ok := s.User("jonas@example.com")
	require.True(t, ok)
	tn := overlayTenant(t, s, user.Tenant)
	require.NotNil(t, tn.Sender, "tenant %s has a sender", tn.ID)
	ses := localstack.NewSES(s.Moto.Endpoint)
	for _, d := range tn.Sender.Domains {
		_, err := ses.DeleteEmailIdentity(t.Context(), &sesv2.DeleteEmailIdentityInput{EmailIdentity: aws.String(d)})
		require.NoError(t, err)
		t.Cleanup(func() {
			_, err := ses.CreateEmailIdentity(context.Background(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(d)})
			assert.NoError(t, err, "verify %s again", d)
		})
	}
	logMark := fileSize(t, s.Notifier.Log)
	seen := mailCount(t, s)

	event := cloudTrail(t, s, "admin-set-user-password", user)
	id := notifyAsync(t, s, event)
	letter := deadLetter(t, s, id)
	assert.JSONEq(t, string(event), letter.Body, "the event, unchanged")
	assert.Equal(t, "200", letter.MessageAttributes["ErrorCode"].StringValue, "a function error")
	assert.NotEmpty(t, letter.MessageAttributes["ErrorMessage"].StringValue)
	assert.Zero(t, sesCount(t, s, seen, user.Email))

	log := readFrom(t, s.Notifier.Log, logMark)
	assert.Equal(t, 3, strings.Count(log, "START RequestId: "+id), "the first attempt and Lambda's two retries:\n%s", log)
	for _, pii := range []string{user.Email, user.Username, user.GivenName} {
		assert.NotContains(t, log, pii)
	}
}
