package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/notify"
	"github.com/cogmail/cogmail/lambda/once"
)

// A failure a later attempt may not meet is an error (Lambda retries, then
// the dead-letter queue keeps the event), and the claim is released so that
// the retry can send.
func TestRetryableFailures(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()
	payload := wrap(t, "req-1", received, readEvent(t, "post-confirmation-forgot-password.json"))

	t.Run("case=SES refuses an unverified identity, then sends once verified", func(t *testing.T) {
		s.reset(t) // no identity verified
		n, logs := notifier(t, s, nil)
		_, err := n.Invoke(ctx, payload)
		require.Error(t, err, "retryable: an operator may verify the identity")
		line := lastLog(t, logs)
		assert.Equal(t, "failed", line["outcome"])
		assert.Equal(t, true, line["retryable"])
		assert.Contains(t, line["error"], "MessageRejected")
		assert.NotContains(t, logs.String(), "example.com", "SES's message names the identities: never logged")

		_, err = s.ses.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("example.com")})
		require.NoError(t, err)
		_, err = n.Invoke(ctx, payload) // Lambda's retry: the claim was released
		require.NoError(t, err)
		_, err = n.Invoke(ctx, payload)
		require.NoError(t, err)
		assert.Len(t, s.sent(t), 1)
	})

	t.Run("case=SES throttles", func(t *testing.T) {
		// moto never throttles: a server answering as SES v2 does.
		ses := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"message":"Maximum sending rate exceeded."}`))
		}))
		defer ses.Close()
		s.reset(t)
		n, logs := notifier(t, s, func(c *notify.Config) {
			c.SES = sesv2.New(sesv2.Options{Region: region, BaseEndpoint: aws.String(ses.URL),
				Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1})
		})
		_, err := n.Invoke(ctx, payload)
		require.Error(t, err)
		assert.Contains(t, lastLog(t, logs)["error"], "throttled")
		// Released: a claim now is the retry's.
		got, err := (&once.Store{DB: s.db, Table: table, Now: func() time.Time { return testNow }}).Claim(ctx, "pc#req-1")
		require.NoError(t, err)
		assert.Equal(t, once.Claimed, got)
	})

	t.Run("case=another attempt is sending now", func(t *testing.T) {
		s.reset(t, "example.com")
		claims := &once.Store{DB: s.db, Table: table, Now: func() time.Time { return testNow }}
		got, err := claims.Claim(ctx, "pc#req-1")
		require.NoError(t, err)
		require.Equal(t, once.Claimed, got)
		n, logs := notifier(t, s, nil)
		_, err = n.Invoke(ctx, payload)
		require.Error(t, err, "not skipped: if that attempt fails, this one must still send")
		assert.Equal(t, true, lastLog(t, logs)["retryable"])
		assert.Empty(t, s.sent(t))
	})

	t.Run("case=DynamoDB unreachable", func(t *testing.T) {
		s.reset(t, "example.com")
		n, logs := notifier(t, s, func(c *notify.Config) { c.Claims.Table = "no-such-table" })
		_, err := n.Invoke(ctx, payload)
		require.Error(t, err)
		assert.Contains(t, lastLog(t, logs)["error"], "dynamodb: claim")
		assert.Empty(t, s.sent(t), "no claim, no send")
	})

	t.Run("case=Cognito unreachable", func(t *testing.T) {
		s.reset(t, "example.com")
		down := httptest.NewServer(http.NotFoundHandler())
		url := down.URL
		down.Close()
		n, logs := notifier(t, s, func(c *notify.Config) {
			c.Pools = []string{recordedPool}
			c.Users = cip.New(cip.Options{Region: region, BaseEndpoint: aws.String(url),
				Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1})
		})
		_, err := n.Invoke(ctx, readEvent(t, "cloudtrail/admin-set-user-password.json"))
		require.Error(t, err)
		assert.Contains(t, lastLog(t, logs)["error"], "AdminGetUser")
	})
}

// No log line names the user: not their address, username, sub or name,
// whatever happened to their notice.
func TestLogsCarryNoPersonalData(t *testing.T) {
	s := startStack(t)
	s.reset(t, "example.com")
	ctx := context.Background()
	pool := s.pool(t, "served")
	sub := s.user(t, pool, map[string]string{"email": "anastasia.test@example.com", "email_verified": "true", "given_name": "Anastasia", "name": "Anastasia Testova"})
	unverified := s.user(t, pool, map[string]string{"email": "boris.test@example.com", "email_verified": "false", "given_name": "Borislav"})
	n, logs := notifier(t, s, func(c *notify.Config) {
		c.Pools = []string{pool}
		c.Invoke = invoker(refusing(t)).Invoke
	})
	pc := readEvent(t, "post-confirmation-forgot-password.json")
	for _, payload := range [][]byte{
		pc, // hand-off refused, sent at once
		wrap(t, "req-1", received, pc),
		readEvent(t, "cloudtrail/admin-set-user-password.json", recordedPool, pool, recordedSub, sub),
		readEvent(t, "cloudtrail/change-password.json", recordedSub, sub),
		ruleWrap(t, []any{pool, "eu-west-1_Ab12Cd34E/x", 7}, readEvent(t, "cloudtrail/admin-set-user-password.json", recordedPool, pool, recordedSub, sub)),
		readEvent(t, "cloudtrail/admin-reset-user-password.json", recordedPool, pool, recordedSub, unverified),
		readEvent(t, "cloudtrail/admin-set-user-password.json", recordedPool, pool, recordedSub, "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"),
		readEvent(t, "post-confirmation-signup.json"),
	} {
		_, _ = n.Invoke(inLambda(t), payload)
	}
	s.reset(t) // SES refuses now
	_, _ = n.Invoke(ctx, wrap(t, "req-2", received, pc))

	out := logs.String()
	require.NotEmpty(t, out)
	require.Contains(t, out, `"outcome":"sent"`)
	for _, personal := range []string{
		"ana.silva", "anastasia.test", "boris.test", "lena.fischer", "@example.",
		"Anastasia", "Borislav", "Lena", `"Ana"`, recordedSub, sub, unverified, "0b1c2d3e-4f5a",
		"5b7d9f1a-3c5e-4a7b-9d1f-2e4a6c8e0b3d", "Europe/Lisbon", "Europe/Berlin",
	} {
		assert.NotContains(t, out, personal)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		assert.NotContains(t, line, "HIDDEN_DUE_TO_SECURITY_REASONS")
	}
}
