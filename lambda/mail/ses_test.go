package mail_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/mail"
)

// client is a real SES v2 client of endpoint, with test credentials. The
// SDK's own retries are off: the tests count requests.
func client(endpoint string) *sesv2.Client {
	return sesv2.New(sesv2.Options{
		Region:           "eu-west-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
}

// sentRaw is the raw messages moto's SES accepted.
func sentRaw(t *testing.T, endpoint string) []string {
	t.Helper()
	ses, err := moto.Sent(context.Background(), http.DefaultClient, endpoint)
	require.NoError(t, err)
	var raws []string
	for _, m := range ses.Raw {
		raws = append(raws, m.Data)
	}
	return raws
}

func TestSendThroughMoto(t *testing.T) {
	endpoint := moto.Start(t)
	ses := client(endpoint)
	ctx := context.Background()
	m := sample()
	m.Subject, m.From.Name = "Ihr Passwort wurde geändert", "Acme Raketen"
	m.Text = "Hallo,\n\nIhr Passwort wurde geändert.\n"

	t.Run("case=unverified identity is a refusal, retryable", func(t *testing.T) {
		_, err := (&mail.Sender{SES: ses}).Send(ctx, m, "")
		require.Error(t, err)
		var e *mail.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, mail.ClassRefused, e.Class)
		assert.Equal(t, "MessageRejected", e.Code)
		assert.True(t, mail.Retryable(err), "an operator may verify the identity: try again")
		assert.NotContains(t, err.Error(), m.From.Address, "the error's text is logged: no address")
		assert.NotContains(t, err.Error(), m.To)
		assert.Empty(t, sentRaw(t, endpoint))
	})

	_, err := ses.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme-rockets.example")})
	require.NoError(t, err)

	t.Run("case=verified domain sends both parts", func(t *testing.T) {
		id, err := (&mail.Sender{SES: ses}).Send(ctx, m, "")
		require.NoError(t, err)
		assert.NotEmpty(t, id)
		raws := sentRaw(t, endpoint)
		require.Len(t, raws, 1)
		d := readBack(t, []byte(raws[0]))
		assert.Equal(t, m.Subject, d.subject)
		assert.Equal(t, m.From.Name, d.from.Name)
		assert.Equal(t, m.Text, d.text)
		assert.Equal(t, m.HTML, d.html)
		assert.Equal(t, "help@acme-rockets.example", d.header.Get("Reply-To"))
	})
}

// SES's throttling and other errors, from a server that answers as SES v2's
// REST-JSON protocol does: moto never throttles, so an httptest server
// plays SES for these answers.
func TestSendClassifiesErrors(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		errorType string // X-Amzn-ErrorType
		body      string
		class     mail.Class
		code      string
		retryable bool
	}{
		{"too many requests", 429, "TooManyRequestsException", `{"message":"Maximum sending rate exceeded."}`, mail.ClassThrottled, "TooManyRequestsException", true},
		{"throttling in the body", 400, "", `{"__type":"Throttling","message":"Rate exceeded"}`, mail.ClassThrottled, "Throttling", true},
		{"sending paused", 400, "SendingPausedException", `{"message":"Sending is paused for this account."}`, mail.ClassRefused, "SendingPausedException", true},
		{"unverified mail-from domain", 400, "MailFromDomainNotVerifiedException", `{"message":"not verified"}`, mail.ClassRefused, "MailFromDomainNotVerifiedException", true},
		{"configuration set missing", 404, "NotFoundException", `{"message":"Configuration set <cogmail-acme> does not exist."}`, mail.ClassRefused, "NotFoundException", true},
		{"internal error", 500, "InternalFailure", `{"message":"oops"}`, mail.ClassUnavailable, "InternalFailure", true},
		{"bad request", 400, "BadRequestException", `{"message":"Illegal address ana.silva@example.com"}`, mail.ClassInvalid, "BadRequestException", false},
	}
	for _, c := range cases {
		t.Run("case="+c.name, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				if c.errorType != "" {
					w.Header().Set("X-Amzn-ErrorType", c.errorType)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			}))
			defer srv.Close()
			_, err := (&mail.Sender{SES: client(srv.URL)}).Send(context.Background(), sample(), "cogmail-acme")
			require.Error(t, err)
			var e *mail.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, c.class, e.Class)
			assert.Equal(t, c.code, e.Code)
			assert.Equal(t, c.retryable, mail.Retryable(err))
			assert.NotContains(t, err.Error(), "example.com", "SES's message may name addresses: never in the error's text")
			assert.EqualValues(t, 1, requests.Load())
		})
	}
	t.Run("case=no answer", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close() // nothing listens there any more
		_, err := (&mail.Sender{SES: client(url)}).Send(context.Background(), sample(), "")
		var e *mail.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, mail.ClassUnavailable, e.Class)
		assert.True(t, mail.Retryable(err))
	})
	t.Run("case=a message that cannot be written is not sent", func(t *testing.T) {
		var requests atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { requests.Add(1) }))
		defer srv.Close()
		m := sample()
		m.To = "two@example.com, recipients@example.com"
		_, err := (&mail.Sender{SES: client(srv.URL)}).Send(context.Background(), m, "")
		assert.False(t, mail.Retryable(err))
		assert.Zero(t, requests.Load())
	})
}
