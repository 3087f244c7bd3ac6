package localstack

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/lambdaapi"
	"github.com/cogmail/cogmail/lambda/dev/patience"
)

// standinSender is the stand-in sender, built with the other binaries.
func standinSender(t *testing.T) string {
	t.Helper()
	buildBinaries(t)
	return built.sender
}

// The Custom Email Sender mode's wiring, with a stand-in sender: a KMS key
// in moto_server, cognito-local configured with it and the sender as its
// Custom Email Sender (and no Custom Message function), each code
// encrypted under the key's ARN, the sender invoked asynchronously through
// the Lambda API and its email joining the mailbox; a send SES refuses
// ends in the sender's own dead-letter queue after the retries, while the
// user's API call succeeded, as with Cognito.
func TestSenderWiring(t *testing.T) {
	requireStack(t)
	requireMoto(t)
	bootstrap, _ := buildBinaries(t)
	ctx, cancel := context.WithTimeout(t.Context(), startWithin)
	defer cancel()
	s, err := Start(ctx, Options{Mode: ModeCustomEmailSender, Bootstrap: bootstrap, Sender: standinSender(t),
		Notifier: standinNotifier(t), State: t.TempDir(), Output: t.Output(),
		RetryDelays: []time.Duration{10 * time.Millisecond, 10 * time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Stop() })
	client := s.Client()

	t.Run("case=stack.json says the mode, the sender and its key", func(t *testing.T) {
		info, err := ReadInfo(s.State)
		require.NoError(t, err)
		assert.Equal(t, ModeCustomEmailSender, info.Mode)
		assert.True(t, info.Sender.Running)
		assert.Empty(t, info.Emulator.URL, "no Custom Message function in this mode")
		assert.Regexp(t, `^arn:aws:kms:`+Region+`:\d{12}:key/[0-9a-f-]+$`, info.Sender.KMSKeyARN, "a key ARN, not an alias: the sender's keyring needs it")
		assert.Equal(t, KMSAlias, info.Sender.KMSKeyAlias)
		assert.Equal(t, SenderTable, info.Sender.Table)
		assert.Contains(t, info.Sender.DLQ, SenderDLQName)
		assert.NotEqual(t, info.Notifier.DLQ, info.Sender.DLQ, "each function has its own dead-letter queue")
		assert.Equal(t, info.Notifier.Domains, info.Sender.Domains)
		assert.FileExists(t, info.Sender.Log)
	})

	t.Run("case=cognito-local's configuration names the sender and the key", func(t *testing.T) {
		var config struct {
			TriggerFunctions map[string]string
			KMSConfig        map[string]any
		}
		data := readFile(t, filepath.Join(s.State, "cognito", ".cognito", "config.json"))
		require.NoError(t, json.Unmarshal(data, &config))
		assert.Equal(t, map[string]string{"CustomEmailSender": SenderName, "PostConfirmation": NotifierName}, config.TriggerFunctions)
		assert.Equal(t, s.Sender.KMSKeyARN, config.KMSConfig["KMSKeyId"])
		assert.Equal(t, s.Moto.Endpoint, config.KMSConfig["endpoint"])
		assert.Equal(t, Region, config.KMSConfig["region"], "without a region cognito-local says local, which moto refuses")
	})

	for _, tc := range []struct {
		name, email, source string
		call                func(email string) error
	}{
		{"case=a reset code reaches the sender, encrypted under the key", "ana@example.com", "CustomEmailSender_ForgotPassword", func(email string) error {
			_, err := client.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(s.Clients.Public.ID), Username: aws.String(email)})
			return err
		}},
		{"case=a sign-up code too", "sam.signup@example.com", "CustomEmailSender_SignUp", func(email string) error {
			_, err := client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.Clients.Public.ID), Username: aws.String(email),
				Password: aws.String("Sam-Signup-Pass1!"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}}})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.call(tc.email))
			// cognito-local delivers nothing itself: its mailbox line would be
			// written before the call returned.
			msgs, err := s.Mailbox.Messages()
			require.NoError(t, err)
			for _, m := range msgs {
				assert.NotEqual(t, tc.email, m.Destination)
			}
			msg := waitForSES(t, ctx, s.Mailbox, tc.email)
			assert.Equal(t, tc.source, msg.Subject)
			assert.Equal(t, "a data key under COGMAIL_KMS_KEY_ARN (customEmailSenderRequestV1)", strings.TrimSpace(msg.Text))
		})
	}

	t.Run("case=a send SES refuses is retried, then dead-lettered, and the API call succeeded", func(t *testing.T) {
		ses := NewSES(s.Moto.Endpoint)
		for _, d := range s.Sender.Domains {
			_, err := ses.DeleteEmailIdentity(ctx, &sesv2.DeleteEmailIdentityInput{EmailIdentity: aws.String(d)})
			require.NoError(t, err)
			t.Cleanup(func() {
				_, err := ses.CreateEmailIdentity(context.Background(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(d)})
				assert.NoError(t, err)
			})
		}
		jonas, _ := s.User("jonas@example.com")
		_, err := client.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(s.Clients.Public.ID), Username: aws.String(jonas.Email)})
		require.NoError(t, err, "Cognito queues the event: the caller never sees the sender fail")

		deadline := time.Now().Add(patience.For(5 * time.Second))
		var got []lambdaapi.QueueMessage
		for len(got) == 0 && time.Now().Before(deadline) {
			got, err = lambdaapi.SQS{}.ReceiveMessages(ctx, s.Sender.DLQ, time.Second)
			require.NoError(t, err)
		}
		require.Len(t, got, 1, "one dead letter")
		var event struct {
			TriggerSource, UserName string
			Request                 struct{ Code string }
		}
		require.NoError(t, json.Unmarshal([]byte(got[0].Body), &event))
		assert.Equal(t, "CustomEmailSender_ForgotPassword", event.TriggerSource)
		assert.Equal(t, jonas.Username, event.UserName)
		assert.NotEmpty(t, event.Request.Code, "the event whole, its encrypted code included")
		id := got[0].MessageAttributes["RequestID"].StringValue
		starts := regexp.MustCompile(`START RequestId: `+regexp.QuoteMeta(id)).FindAll(readFile(t, s.Sender.Log), -1)
		assert.Len(t, starts, 3, "the first attempt and two retries, in the sender's log")
	})

	addrs := s.Addrs()
	require.NoError(t, s.Stop())
	t.Run("case=after Stop the sender and moto_server are gone too", func(t *testing.T) {
		assertClosed(t, addrs)
		assert.Empty(t, processesMentioning(t, s.State))
	})
}

func TestParseMode(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Mode
		err  bool
	}{
		{"", ModeCustomMessage, false},
		{"custom-message", ModeCustomMessage, false},
		{"custom-email-sender", ModeCustomEmailSender, false},
		{"CustomEmailSender", "", true},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			got, err := ParseMode(tc.name)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.err, err != nil, err)
		})
	}
}

// What Start refuses before anything runs.
func TestStartRefusesAnIncompleteSenderMode(t *testing.T) {
	Require(t)
	exe := filepath.Join(t.TempDir(), "fn")
	require.NoError(t, os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755))
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"case=no sender", Options{Mode: ModeCustomEmailSender, Bootstrap: exe}, "needs the sender"},
		{"case=unknown mode", Options{Mode: "sms", Bootstrap: exe}, `unknown mode "sms"`},
		{"case=sender not built", Options{Mode: ModeCustomEmailSender, Sender: filepath.Join(t.TempDir(), "sender")}, "build it first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.State, tc.opts.Emulator = t.TempDir(), exe
			_, err := Start(t.Context(), tc.opts)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}
