package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/lambdaapi"
	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/rie"
)

// When SES refuses (the tenant's sender domain is not verified: withdrawn
// here from moto's SES, for this test only), the user's ForgotPassword
// still succeeds, since Cognito only queues the event; the Lambda API
// retries it twice, then puts it in the sender's dead-letter queue whole,
// encrypted code included. The sender's log lines name neither the address,
// nor the username, nor the name, nor the encrypted code.
func TestE2ESenderDeadLetter(t *testing.T) {
	s := sending(t)
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
	logMark := fileSize(t, s.Sender.Log)
	seen := mailCount(t, s)

	_, err := cognito(s).ForgotPassword(t.Context(), &cip.ForgotPasswordInput{ClientId: aws.String(s.Clients.Public.ID),
		Username: aws.String(user.Email), ClientMetadata: map[string]string{"locale": "de"}})
	require.NoError(t, err, "the caller never sees the sender fail")

	var event struct {
		TriggerSource, UserName string
		Request                 struct{ Code string }
	}
	letter := deadLetterWhere(t, s.Sender.DLQ, patience.For(10*time.Second), func(m lambdaapi.QueueMessage) bool {
		return json.Unmarshal([]byte(m.Body), &event) == nil && event.UserName == user.Username
	})
	assert.Equal(t, "CustomEmailSender_ForgotPassword", event.TriggerSource)
	assert.NotEmpty(t, event.Request.Code, "the event whole: a redrive can send it once SES accepts")
	assert.Equal(t, "200", letter.MessageAttributes["ErrorCode"].StringValue, "a function error")
	assert.Zero(t, sesCount(t, s, seen, user.Email))

	log := readFrom(t, s.Sender.Log, logMark)
	assert.Equal(t, 3, starts(log, letter.MessageAttributes["RequestID"].StringValue), "the first attempt and Lambda's two retries:\n%s", log)
	assert.Contains(t, log, `"outcome":"failed"`)
	for _, secret := range []string{user.Email, user.Username, user.GivenName, event.Request.Code} {
		assert.NotContains(t, log, secret)
	}
}

// When KMS cannot be reached, the sender fails within its KMS client's own
// timeouts (the Encryption SDK passes no deadline), the event is retried,
// then dead-lettered; nothing is sent. A sender of the test's own, the
// stack's binary and environment but KMS elsewhere, runs behind a Lambda
// API of the test's own: one endpoint refuses connections, the other
// accepts them and never answers.
func TestE2ESenderKMSUnreachable(t *testing.T) {
	s := sending(t)
	binary := senderBinary(t)
	root, err := rie.ModuleRoot()
	require.NoError(t, err)
	emulator, err := rie.Find(root)
	require.NoError(t, err)
	user, ok := s.User("yuki@example.com")
	require.True(t, ok)
	// Real Cognito's shape: one data key, so one KMS call per attempt
	// (cognito-local's two would take two).
	ciphertext := encryptCode(t, s, "cognito", s.UserPoolID, "246810")

	for _, tc := range []struct {
		name     string
		endpoint func(t *testing.T) string
	}{
		{"case=connection refused", func(t *testing.T) string {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			require.NoError(t, l.Close())
			return "http://" + l.Addr().String()
		}},
		// The kernel completes the handshake; nothing ever reads or answers.
		{"case=never answers", func(t *testing.T) string {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			t.Cleanup(func() { _ = l.Close() })
			return "http://" + l.Addr().String()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log syncBuffer
			e, err := rie.Start(t.Context(), rie.Options{Emulator: emulator, Bootstrap: binary, Stderr: &log,
				Env: append(s.SenderEnv(), "AWS_ENDPOINT_URL_KMS="+tc.endpoint(t))})
			require.NoError(t, err)
			t.Cleanup(func() { _ = e.Stop() })
			queue, err := lambdaapi.SQS{}.CreateQueue(t.Context(), s.Moto.Endpoint, "cogmail-e2e-kms-dlq")
			require.NoError(t, err)
			router := lambdaapi.New(lambdaapi.Options{Functions: map[string]string{localstack.SenderName: e.URL},
				DLQs: map[string]string{localstack.SenderName: queue}, RetryDelays: []time.Duration{10 * time.Millisecond, 10 * time.Millisecond}})
			api := httptest.NewServer(router)
			t.Cleanup(func() { api.Close(); router.Close() })
			seen := mailCount(t, s)

			event := senderEvent(t, s, user, "CustomEmailSender_ForgotPassword", ciphertext, "ja")
			began := time.Now()
			id := invokeAsync(t, api.URL, localstack.SenderName, event)
			// Three attempts, each bounded by the KMS client's timeouts,
			// which do not stretch with the machine's load.
			letter := deadLetterWhere(t, queue, 3*maxKMSWait+patience.For(5*time.Second), func(m lambdaapi.QueueMessage) bool {
				return m.MessageAttributes["RequestID"].StringValue == id
			})
			t.Logf("dead-lettered after %s", time.Since(began).Round(time.Millisecond))
			assert.JSONEq(t, string(event), letter.Body, "the event, unchanged")
			assert.Equal(t, 3, starts(log.String(), id), "the first attempt and two retries:\n%s", log.String())
			assert.Contains(t, log.String(), `"outcome":"failed"`)
			assert.Zero(t, sesCount(t, s, seen, user.Email), "nothing is sent")
			for _, secret := range []string{user.Email, user.Username, user.GivenName, ciphertext, "246810"} {
				assert.NotContains(t, log.String(), secret)
			}
		})
	}
}

// maxKMSWait bounds one attempt's KMS calls: lambda/codes.MaxKMSWait (4.5 s),
// which this package does not import, since only the sender links the
// Encryption SDK.
const maxKMSWait = 5 * time.Second

// syncBuffer is a buffer an emulator writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
