package localstack

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/lambdaapi"
	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/dev/patience"
)

// requireMoto skips, saying why, where moto_server is absent.
func requireMoto(t *testing.T) {
	t.Helper()
	if _, err := moto.Find(); err != nil {
		t.Skip(err.Error())
	}
}

// The stack's notifier wiring, with a stand-in notifier: cognito-local calls
// it through the Lambda API as its Post confirmation trigger, it hands the
// event to itself asynchronously, sends through moto's SES, and the mail
// joins the mailbox decoded; a send SES refuses ends in the dead-letter
// queue after the retries.
func TestNotifierWiring(t *testing.T) {
	requireStack(t)
	requireMoto(t)
	bootstrap, _ := buildBinaries(t)
	ctx, cancel := context.WithTimeout(t.Context(), startWithin)
	defer cancel()
	s, err := Start(ctx, Options{Bootstrap: bootstrap, Notifier: standinNotifier(t), State: t.TempDir(), Output: t.Output(),
		RetryDelays: []time.Duration{10 * time.Millisecond, 10 * time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Stop() })

	t.Run("case=stack.json describes moto_server and the notifier", func(t *testing.T) {
		info, err := ReadInfo(s.State)
		require.NoError(t, err)
		assert.True(t, info.Notifier.Running)
		assert.NotEmpty(t, info.Moto.Endpoint)
		assert.Equal(t, NotifyTable, info.Notifier.Table)
		assert.Contains(t, info.Notifier.DLQ, s.Moto.Endpoint)
		sender := overlayTenant(t, s.Overlay, "default").Sender
		require.NotNil(t, sender)
		for _, d := range sender.Domains {
			assert.Contains(t, info.Notifier.Domains, d)
		}
		assert.FileExists(t, info.Notifier.Log)
	})

	t.Run("case=a saved reset reaches the notifier and its email the mailbox", func(t *testing.T) {
		ana, _ := s.User("ana@example.com")
		client := s.Client()
		_, err := client.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(s.Clients.Public.ID), Username: aws.String(ana.Email)})
		require.NoError(t, err)
		reset := waitFor(t, ctx, s.Mailbox, ana.Email)
		_, err = client.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(s.Clients.Public.ID),
			Username: aws.String(ana.Email), ConfirmationCode: aws.String(reset.Code), Password: aws.String("Local-ana-Pass2!")})
		require.NoError(t, err)

		msg := waitForSES(t, ctx, s.Mailbox, ana.Email)
		assert.Equal(t, overlayTenant(t, s.Overlay, "default").Sender.FromAddress, msg.From)
		assert.Equal(t, "Stand-in Größe", msg.FromName)
		assert.Equal(t, []string{ana.Email}, msg.To, "moto's doubled recipients, once")
		assert.Equal(t, "Passwort geändert: PostConfirmation_ConfirmForgotPassword", msg.Subject)
		assert.Equal(t, "multipart/alternative", msg.ContentType)
		assert.Equal(t, "Grüße, text", msg.Text)
		assert.Equal(t, "<p>Grüße, html</p>", msg.HTML)
		assert.Empty(t, msg.Destination, "a wait for cognito-local's mail never takes it")
		assert.Empty(t, msg.Problem)
	})

	t.Run("case=a send SES refuses is retried, then dead-lettered whole", func(t *testing.T) {
		event := `{"cogmail":"notice","from":"security@unverified.test","event":{"request":{"userAttributes":{"email":"ana@example.com"}}}}`
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Lambda.Endpoint+"/2015-03-31/functions/notifier/invocations", bytes.NewReader([]byte(event)))
		require.NoError(t, err)
		req.Header.Set("X-Amz-Invocation-Type", "Event")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusAccepted, resp.StatusCode)

		deadline := time.Now().Add(patience.For(5 * time.Second))
		var got []lambdaapi.QueueMessage
		for len(got) == 0 && time.Now().Before(deadline) {
			got, err = lambdaapi.SQS{}.ReceiveMessages(ctx, s.Notifier.DLQ, time.Second)
			require.NoError(t, err)
		}
		require.Len(t, got, 1, "one dead letter")
		assert.JSONEq(t, event, got[0].Body)
		assert.Equal(t, resp.Header.Get("X-Amzn-Requestid"), got[0].MessageAttributes["RequestID"].StringValue)
		var starts int
		for _, line := range bytes.Split(readFile(t, s.Notifier.Log), []byte("\n")) {
			if bytes.Contains(line, []byte("START RequestId: "+resp.Header.Get("X-Amzn-Requestid"))) {
				starts++
			}
		}
		assert.Equal(t, 3, starts, "the first attempt and two retries, in the notifier's log")
	})

	addrs := s.Addrs()
	require.NoError(t, s.Stop())
	t.Run("case=after Stop moto_server and the notifier are gone too", func(t *testing.T) {
		assertClosed(t, addrs)
		assert.Empty(t, processesMentioning(t, s.State))
	})
}

// waitForSES waits for an SES message to address; idle, one comes within a
// second of the send.
func waitForSES(t *testing.T, ctx context.Context, box Mailbox, address string) Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, patience.For(5*time.Second))
	defer cancel()
	msg, err := box.WaitFor(ctx, func(m Message) bool { return m.SentTo(address) })
	require.NoError(t, err)
	return msg
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}
