package notify_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/notify"
)

// lambdaAPI plays the Lambda service's Invoke endpoint: it keeps each
// request and answers with status.
type lambdaAPI struct {
	mu       sync.Mutex
	requests []*http.Request
	bodies   [][]byte
	status   int
}

func (l *lambdaAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	l.mu.Lock()
	l.requests, l.bodies = append(l.requests, r), append(l.bodies, body)
	status := l.status
	l.mu.Unlock()
	if status != http.StatusAccepted {
		w.Header().Set("X-Amzn-ErrorType", "ServiceException")
	}
	w.WriteHeader(status)
}

var testCreds = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session-token")

// signedAt is the hand-off's signing time.
var signedAt = time.Date(2025, 3, 14, 10, 21, 7, 0, time.UTC)

func invoker(url string) *notify.Invoker {
	return &notify.Invoker{Endpoint: url, Function: "cogmail-notifier", Region: "eu-west-1", Credentials: testCreds,
		Now: func() time.Time { return signedAt }}
}

// inLambda is a context as Lambda gives the handler: its request id and
// deadline.
func inLambda(t *testing.T) context.Context {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "0d2e4f6a-8b1c-4d3e-9f5a-7b9c1d3e5f7a"})
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestPostConfirmationHandsOff(t *testing.T) {
	s := startStack(t)
	s.reset(t, "example.com")
	api := &lambdaAPI{status: http.StatusAccepted}
	srv := httptest.NewServer(api)
	defer srv.Close()
	n, logs := notifier(t, s, func(c *notify.Config) { c.Invoke = invoker(srv.URL).Invoke })
	payload := readEvent(t, "post-confirmation-forgot-password.json")

	out, err := n.Invoke(inLambda(t), payload)
	require.NoError(t, err)
	assert.Equal(t, string(payload), string(out), "Cognito gets its event back, unchanged")
	assert.Equal(t, "handed-off", lastLog(t, logs)["outcome"])
	assert.Empty(t, s.sent(t), "the synchronous half sends nothing itself")

	require.Len(t, api.requests, 1)
	r, body := api.requests[0], api.bodies[0]
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/2015-03-31/functions/cogmail-notifier/invocations", r.URL.Path)
	assert.Equal(t, "Event", r.Header.Get("X-Amz-Invocation-Type"), "asynchronous: Lambda queues it, retries it, keeps it in the DLQ")
	assert.Equal(t, "session-token", r.Header.Get("X-Amz-Security-Token"))
	// The signature, checked by signing the same request again.
	auth := r.Header.Get("Authorization")
	assert.Contains(t, auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250314/eu-west-1/lambda/aws4_request")
	again, err := http.NewRequest(r.Method, srv.URL+r.URL.RequestURI(), bytes.NewReader(body))
	require.NoError(t, err)
	for _, h := range []string{"Content-Type", "X-Amz-Invocation-Type"} {
		again.Header.Set(h, r.Header.Get(h))
	}
	creds, _ := testCreds.Retrieve(context.Background())
	sum := sha256hex(body)
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, again, sum, "lambda", "eu-west-1", signedAt))
	assert.Equal(t, again.Header.Get("Authorization"), auth)

	var w struct {
		Cogmail  string          `json:"cogmail"`
		ID       string          `json:"id"`
		Received time.Time       `json:"received"`
		Event    json.RawMessage `json:"event"`
	}
	require.NoError(t, json.Unmarshal(body, &w))
	assert.Equal(t, "notice", w.Cogmail)
	assert.Equal(t, "0d2e4f6a-8b1c-4d3e-9f5a-7b9c1d3e5f7a", w.ID, "the synchronous invocation's request id")
	assert.True(t, w.Received.Equal(testNow))
	assert.JSONEq(t, string(payload), string(w.Event))

	// Lambda then runs the wrapper: the email goes out, once.
	for range 2 {
		_, err = n.Invoke(context.Background(), body)
		require.NoError(t, err)
	}
	sent := s.sent(t)
	require.Len(t, sent, 1)
	assert.Equal(t, "ana.silva@example.com", sent[0].header.Get("To"))
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// A Post confirmation trigger that fails makes the user's call fail: the
// event comes back unchanged, and no error, whatever breaks.
func TestPostConfirmationNeverFails(t *testing.T) {
	s := startStack(t)
	payload := readEvent(t, "post-confirmation-forgot-password.json")
	failing := func(context.Context, []byte) error { return errors.New("lambda: unreachable") }
	cases := []struct {
		name     string
		edit     func(*notify.Config)
		verified []string // sender domains SES knows
		outcome  string
		sent     int
	}{
		{"hand-off refused (500): sent at once", func(c *notify.Config) { c.Invoke = invoker(refusing(t)).Invoke },
			[]string{"example.com"}, "sent", 1},
		{"hand-off unreachable: sent at once", func(c *notify.Config) { c.Invoke = failing },
			[]string{"example.com"}, "sent", 1},
		{"no hand-off configured: sent at once", func(c *notify.Config) { c.Invoke = nil },
			[]string{"example.com"}, "sent", 1},
		{"hand-off and SES fail", func(c *notify.Config) { c.Invoke = failing },
			nil, "failed", 0},
		{"nothing loaded", func(c *notify.Config) {
			c.Invoke, c.Tenants, c.Renderer, c.SES, c.Claims, c.Keyring = failing, nil, nil, nil, nil, nil
		}, nil, "skipped", 0},
		{"no templates", func(c *notify.Config) { c.Invoke, c.Renderer = failing, nil },
			[]string{"example.com"}, "failed", 0},
		{"the hand-off panics", func(c *notify.Config) {
			c.Invoke = func(context.Context, []byte) error { panic("boom with ana.silva@example.com") }
		}, []string{"example.com"}, "failed", 0},
		{"the claims table is missing", func(c *notify.Config) { c.Invoke, c.Claims.Table = failing, "no-such-table" },
			[]string{"example.com"}, "failed", 0},
	}
	for _, c := range cases {
		t.Run("case="+c.name, func(t *testing.T) {
			s.reset(t, c.verified...)
			n, logs := notifier(t, s, c.edit)
			out, err := n.Invoke(inLambda(t), payload)
			require.NoError(t, err)
			assert.Equal(t, string(payload), string(out))
			assert.Equal(t, c.outcome, lastLog(t, logs)["outcome"], logs.String())
			assert.Len(t, s.sent(t), c.sent)
			assert.NotContains(t, logs.String(), "ana.silva")
		})
	}

	for _, c := range []struct{ name, payload string }{
		{"another trigger source", `{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"email":"ana.silva@example.com"}},"response":{}}`},
		{"no request", `{"triggerSource":"PostConfirmation_ConfirmForgotPassword","request":null}`},
		{"not an object", `[1, 2]`},
		{"not JSON", `{"triggerSource":`},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			api := &lambdaAPI{status: http.StatusAccepted}
			srv := httptest.NewServer(api)
			defer srv.Close()
			n, _ := notifier(t, s, func(cfg *notify.Config) { cfg.Invoke = invoker(srv.URL).Invoke })
			out, err := n.Invoke(inLambda(t), []byte(c.payload))
			require.NoError(t, err)
			assert.Equal(t, c.payload, string(out))
			assert.Empty(t, api.requests)
		})
	}

	t.Run("case=a notice the tenant does not send costs no invocation", func(t *testing.T) {
		api := &lambdaAPI{status: http.StatusAccepted}
		srv := httptest.NewServer(api)
		defer srv.Close()
		n, logs := notifier(t, s, func(cfg *notify.Config) { cfg.Invoke = invoker(srv.URL).Invoke })
		signup := readEvent(t, "post-confirmation-signup.json", "eu-west-1_Mn34Pq56R", recordedPool)
		out, err := n.Invoke(inLambda(t), signup)
		require.NoError(t, err)
		assert.Equal(t, string(signup), string(out))
		assert.Empty(t, api.requests)
		assert.Equal(t, "the tenant does not send this notice", lastLog(t, logs)["reason"])
	})
}

// refusing is a Lambda endpoint that answers 500 to everything.
func refusing(t *testing.T) string {
	srv := httptest.NewServer(&lambdaAPI{status: http.StatusInternalServerError})
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestInvokerErrors(t *testing.T) {
	srv := httptest.NewServer(&lambdaAPI{status: http.StatusTooManyRequests})
	defer srv.Close()
	err := invoker(srv.URL).Invoke(context.Background(), []byte(`{}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "429")
	assert.Error(t, (&notify.Invoker{}).Invoke(context.Background(), []byte(`{}`)), "no function configured")
}
