package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdaurl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/page/pagetest"
)

const domain = "page.example" // the Function URL's host in the events below

// urlEvent is the Function URL's event for a request to rawURL.
func urlEvent(method, rawURL string, cookies []string, form url.Values) *events.LambdaFunctionURLRequest {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err)
	}
	ev := &events.LambdaFunctionURLRequest{
		RawPath: u.EscapedPath(), RawQueryString: u.RawQuery, Cookies: cookies,
		Headers: map[string]string{"x-forwarded-proto": "https", "host": domain},
		RequestContext: events.LambdaFunctionURLRequestContext{DomainName: domain,
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: method, Path: u.Path, SourceIP: "203.0.113.9"}},
	}
	if form != nil {
		ev.Body = form.Encode()
		ev.Headers["content-type"] = "application/x-www-form-urlencoded"
		ev.Headers["origin"] = "https://" + domain
		ev.Headers["sec-fetch-site"] = "same-origin"
	}
	return ev
}

// syncBuffer is a log written by the handler's goroutines and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newFunction builds the handler Lambda runs, outside Lambda, with the
// configuration in the variable (allowed there) and its log.
func newFunction(t *testing.T, ringJSON string) (func(context.Context, *events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error), *syncBuffer) {
	t.Helper()
	logs := new(syncBuffer)
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	h, err := setup(context.Background(), envOf(map[string]string{page.EnvConfig: pagetest.Config, keys.EnvSigningKeys: ringJSON}),
		logger, time.Now, nil)
	require.NoError(t, err)
	return functionHandler(h, nil, logger), logs
}

// A URL that does not parse is answered 400 by the page's own handler,
// and logged without the URL: lambdaurl would fail with an error quoting
// it whole, query included, which aws-lambda-go logs.
func TestUnreadableURL(t *testing.T) {
	const user, code = "9f8e7d6c-user-sub-0001", "482916"
	_, ringJSON := pagetest.Keyring(t)
	fn, logs := newFunction(t, ringJSON)
	tests := []struct {
		name          string
		path, query   string
		status        int
		lambdaurlFail bool
	}{
		{"case=bad-escape-in-path", "/reset/%zz", "username=" + user + "&code=" + code, http.StatusBadRequest, true},
		{"case=control-character-in-query", "/reset", "username=" + user + "&code=" + code + "%0A\x7f", http.StatusBadRequest, true},
		{"case=lone-percent-in-path", "/reset%", "username=" + user + "&code=" + code, http.StatusBadRequest, true},
		{"case=readable", "/reset", "username=" + user + "&code=" + code, http.StatusBadRequest, false}, // an unsigned link: the page's own 400
		{"case=healthz", "/healthz", "", http.StatusOK, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := urlEvent(http.MethodGet, "https://"+domain+"/", nil, nil)
			ev.RawPath, ev.RawQueryString = tt.path, tt.query

			_, bare := lambdaurl.Wrap(http.NotFoundHandler())(context.Background(), ev)
			assert.Equal(t, tt.lambdaurlFail, bare != nil, "lambdaurl itself fails")
			if bare != nil {
				assert.Contains(t, bare.Error(), code, "why: lambdaurl's error quotes the URL")
			}

			res, err := fn(context.Background(), ev)
			require.NoError(t, err, "an error would be logged by aws-lambda-go, URL and all")
			body, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.status, res.StatusCode, "%s", body)
			assert.Equal(t, "no-store", res.Headers["Cache-Control"])
			assert.Equal(t, page.HSTS, res.Headers["Strict-Transport-Security"])
		})
	}
	assert.Contains(t, logs.String(), `"reason":"unreadable request URL"`)
	for _, secret := range []string{user, code} {
		assert.NotContains(t, logs.String(), secret)
	}
}

// invoke calls the function with ev and reads its streamed answer, timing
// its first and last bytes from the call.
func invoke(t *testing.T, fn func(context.Context, *events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error),
	ev *events.LambdaFunctionURLRequest) (pagetest.Answer, []string) {
	t.Helper()
	start := time.Now()
	res, err := fn(context.Background(), ev)
	require.NoError(t, err)
	var body bytes.Buffer
	var first time.Duration
	buf := make([]byte, 1)
	for {
		n, err := res.Body.Read(buf)
		if n > 0 && body.Len() == 0 {
			first = time.Since(start)
		}
		body.Write(buf[:n])
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		buf = make([]byte, 4096)
	}
	header := http.Header{}
	for k, v := range res.Headers {
		header.Set(k, v)
	}
	return pagetest.Answer{Status: res.StatusCode, Header: header, Body: body.String(), First: first, Last: time.Since(start)}, res.Cookies
}

// Behind the Function URL the status and headers leave before the body:
// nothing of the answer to "send me a new email", first byte to last, may
// wait on Cognito, which answers for real users only after the trigger.
func TestResendAnswersAlikeThroughFunctionURL(t *testing.T) {
	const delay = 1500 * time.Millisecond
	cognito := pagetest.StartCognito(t, delay, "real-user")
	cognito.UseIt(t)
	ring, ringJSON := pagetest.Keyring(t)
	fn, logs := newFunction(t, ringJSON)

	resend := func(username string) pagetest.Answer {
		opened, cookies := invoke(t, fn, urlEvent(http.MethodGet,
			pagetest.ResetLink(t, ring, "https://"+domain, username, time.Now().Add(-time.Minute)), nil, nil))
		require.Equal(t, http.StatusBadRequest, opened.Status, opened.Body)
		action, form := pagetest.Form(opened.Body)
		require.Equal(t, "/resend", action, opened.Body)
		require.Len(t, cookies, 1)
		assert.Contains(t, cookies[0], "__Host-cogmail-csrf=")
		nonce, _, _ := strings.Cut(cookies[0], ";")
		answer, _ := invoke(t, fn, urlEvent(http.MethodPost, "https://"+domain+action, []string{nonce}, form))
		return answer
	}
	var real, unknown []pagetest.Answer
	const rounds = 7
	for range rounds {
		real = append(real, resend("real-user"))
		unknown = append(unknown, resend("gone-user"))
	}
	pagetest.AssertAlike(t, real, unknown, delay)
	assert.Equal(t, http.StatusOK, real[0].Status, real[0].Body)
	assert.Equal(t, page.HSTS, real[0].Header.Get("Strict-Transport-Security"))

	calls := cognito.WaitCalls(t, 2*rounds, patience.For(delay+time.Second))
	for _, c := range calls {
		assert.Equal(t, "ForgotPassword", c.Op)
		assert.Equal(t, "standinclient", c.ClientID)
	}
	assert.NotContains(t, logs.String(), "real-user")
	assert.NotContains(t, logs.String(), "gone-user")
}

// A report ("This wasn't me") answers the same way: nothing of the answer,
// first byte to last, waits on the reset Cognito starts for real users.
func TestReportAnswersAlikeThroughFunctionURL(t *testing.T) {
	const delay = 1500 * time.Millisecond
	cognito := pagetest.StartCognito(t, delay, "real-user")
	cognito.UseIt(t)
	ring, ringJSON := pagetest.Keyring(t)
	fn, logs := newFunction(t, ringJSON)

	report := func(username string) pagetest.Answer {
		opened, cookies := invoke(t, fn, urlEvent(http.MethodGet,
			pagetest.ReportLink(t, ring, "https://"+domain, username, time.Now().Add(time.Hour)), nil, nil))
		require.Equal(t, http.StatusOK, opened.Status, opened.Body)
		action, form := pagetest.Form(opened.Body)
		require.Equal(t, "/report", action, opened.Body)
		require.Len(t, cookies, 1)
		nonce, _, _ := strings.Cut(cookies[0], ";")
		answer, _ := invoke(t, fn, urlEvent(http.MethodPost, "https://"+domain+action, []string{nonce}, form))
		return answer
	}
	var real, unknown []pagetest.Answer
	const rounds = 7
	for range rounds {
		real = append(real, report("real-user"))
		unknown = append(unknown, report("gone-user"))
	}
	pagetest.AssertAlike(t, real, unknown, delay)
	assert.Equal(t, http.StatusOK, real[0].Status, real[0].Body)
	assert.Contains(t, real[0].Body, `role="status"`)

	calls := cognito.WaitCalls(t, 2*rounds, patience.For(delay+time.Second))
	for _, c := range calls {
		assert.Equal(t, "ForgotPassword", c.Op, "the default tenant does not sign out on report")
		assert.Equal(t, "standinclient", c.ClientID)
	}
	assert.NotContains(t, logs.String(), "real-user")
	assert.NotContains(t, logs.String(), "gone-user")
}
