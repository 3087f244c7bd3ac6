package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/page/pagetest"
)

// lockedBuffer is a log the server writes while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serve runs the command's server (run) on a free port of 127.0.0.1 until
// the test ends, and returns its URL and its log.
func serve(t *testing.T, env map[string]string) (string, *lockedBuffer) {
	t.Helper()
	env[EnvAddr] = "127.0.0.1:0"
	logs := new(lockedBuffer)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() {
		stopped <- run(ctx, false, func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(logs, nil)))
	}()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-stopped)
	})
	// Idle, the server listens within milliseconds.
	for deadline := time.Now().Add(patience.For(2 * time.Second)); ; time.Sleep(10 * time.Millisecond) {
		for line := range strings.SplitSeq(logs.String(), "\n") {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "page listening" {
				return "http://" + rec.Addr, logs
			}
		}
		select {
		case err := <-stopped:
			t.Fatalf("the page stopped: %v\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page did not listen:\n%s", logs)
		}
	}
}

// resend opens a link as a new visitor and presses "send me a new email",
// timing that answer.
func resend(t *testing.T, raw string) pagetest.Answer {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar, Timeout: patience.For(5 * time.Second)}
	res, err := client.Get(raw)
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", body)
	action, form := pagetest.Form(string(body))
	require.Equal(t, "/resend", action, "%s", body)

	u, err := url.Parse(raw)
	require.NoError(t, err)
	var first time.Time
	ctx := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{GotFirstResponseByte: func() { first = time.Now() }})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.Scheme+"://"+u.Host+action, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	start := time.Now()
	res, err = client.Do(req)
	require.NoError(t, err)
	body, err = io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	return pagetest.Answer{Status: res.StatusCode, Header: res.Header, Body: string(body), First: first.Sub(start), Last: time.Since(start)}
}

// Nothing the page answers to "send me a new email" (status, headers, body,
// time to the first and to the last byte) tells whether the account
// exists, though Cognito answers for real users only after running the
// trigger: the stand-in takes 1.5 s for them, and none for unknown ones.
func TestResendAnswersAlikeForRealAndUnknownAccounts(t *testing.T) {
	const delay = 1500 * time.Millisecond
	cognito := pagetest.StartCognito(t, delay, "real-user")
	cognito.UseIt(t)
	ring, ringJSON := pagetest.Keyring(t)
	base, logs := serve(t, map[string]string{page.EnvConfig: pagetest.Config, keys.EnvSigningKeys: ringJSON})

	var real, unknown []pagetest.Answer
	const rounds = 7
	for range rounds {
		// Expired a minute ago: the page offers a new email.
		expires := time.Now().Add(-time.Minute)
		real = append(real, resend(t, pagetest.ResetLink(t, ring, base, "real-user", expires)))
		unknown = append(unknown, resend(t, pagetest.ResetLink(t, ring, base, "gone-user", expires)))
	}
	pagetest.AssertAlike(t, real, unknown, delay)
	assert.Contains(t, real[0].Body, "a new email is on its way")

	// Every answer did ask Cognito, for the link's own user, after answering.
	calls := cognito.WaitCalls(t, 2*rounds, patience.For(delay+time.Second))
	users := map[string]int{}
	for _, c := range calls {
		assert.Equal(t, "ForgotPassword", c.Op)
		assert.Equal(t, map[string]string{"locale": "en"}, c.Metadata)
		users[c.Username]++
	}
	assert.Equal(t, map[string]int{"real-user": rounds, "gone-user": rounds}, users)
	for _, secret := range []string{"real-user", "gone-user"} {
		assert.NotContains(t, logs.String(), secret)
	}
}

// X-Forwarded-Proto is believed only behind a proxy the operator names:
// then the answers carry Strict-Transport-Security and the cookie is
// __Host- and Secure.
func TestBehindProxy(t *testing.T) {
	tests := []struct {
		name, env string
		hsts      bool
		cookie    string
	}{
		{"case=default-off", "", false, "cogmail-csrf="},
		{"case=off", "false", false, "cogmail-csrf="},
		{"case=on", "true", true, "__Host-cogmail-csrf="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Behind a proxy the page refuses the development keyring.
			_, ringJSON := pagetest.Keyring(t)
			env := map[string]string{page.EnvConfig: pagetest.Config, EnvBehindProxy: tt.env, keys.EnvSigningKeys: ringJSON}
			base, _ := serve(t, env)
			req, err := http.NewRequest(http.MethodGet, base+"/reset", nil) // the opener: it has a form
			require.NoError(t, err)
			req.Header.Set("X-Forwarded-Proto", "https")
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, tt.hsts, res.Header.Get("Strict-Transport-Security") != "")
			assert.True(t, strings.HasPrefix(res.Header.Get("Set-Cookie"), tt.cookie), res.Header.Get("Set-Cookie"))
		})
	}
	t.Run("case=unreadable", func(t *testing.T) {
		env := map[string]string{page.EnvConfig: pagetest.Config, EnvBehindProxy: "yes please", EnvAddr: "127.0.0.1:0"}
		err := run(t.Context(), false, func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
		assert.ErrorContains(t, err, EnvBehindProxy)
	})
}
