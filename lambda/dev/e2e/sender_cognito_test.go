package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/link"
)

// A code in the shape real Cognito sends (message format 1, a suite without
// key commitment, the pool in the encryption context), which cognito-local
// does not produce, through the stack's sender: it is decrypted and sent.
// The same shape naming another pool is refused, logged as dropped for an
// alarm, and not retried. The sender's invocations run in the order they
// came (lambdaapi), so once the later email is in, the refused one has been
// handled: no fixed wait.
func TestE2ESenderCognitoShape(t *testing.T) {
	s := sending(t)
	user, ok := s.User("yuki@example.com")
	require.True(t, ok)
	logMark := fileSize(t, s.Sender.Log)
	seen := mailCount(t, s)

	other := encryptCode(t, s, "cognito", "us-east-1_Zz99Yy88X", "975310")
	refused := invokeAsync(t, s.Lambda.Endpoint, localstack.SenderName, senderEvent(t, s, user, "CustomEmailSender_ForgotPassword", other, "ja"))
	own := encryptCode(t, s, "cognito", s.UserPoolID, "135790")
	invokeAsync(t, s.Lambda.Endpoint, localstack.SenderName, senderEvent(t, s, user, "CustomEmailSender_ForgotPassword", own, "ja"))

	msg := sentAfter(t, s, seen, user.Email)
	assert.Equal(t, "135790", codeIn(t, msg), "real Cognito's shape decrypts")
	assertSent(t, s, msg, "reset", user.Tenant, "ja", "ltr", "135790")
	claims, err := link.Verify(firstLink(t, msg.HTML), s.Ring, timeNow())
	require.NoError(t, err)
	assert.Equal(t, "135790", claims.Code)
	assert.Equal(t, 1, sesCount(t, s, seen, user.Email), "nothing for the other pool's code")

	log := readFrom(t, s.Sender.Log, logMark)
	assert.Equal(t, 1, starts(log, refused), "dropped, not retried:\n%s", log)
	assert.Contains(t, log, `"outcome":"dropped"`)
	for _, secret := range []string{"975310", "135790", other, own, user.Email, user.Username} {
		assert.NotContains(t, log, secret)
	}
}
