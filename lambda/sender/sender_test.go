package sender_test

import (
	"context"
	"html"
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/codes"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/sender"
)

// The text part's links, and the HTML part's.
var (
	linkPattern = regexp.MustCompile(`https://\S+`)
	hrefPattern = regexp.MustCompile(`href="(https://[^"]+)"`)
)

// signedLinks are the HTML part's signed links, once each.
func signedLinks(body string) []string {
	var out []string
	for _, m := range hrefPattern.FindAllStringSubmatch(body, -1) {
		u := html.UnescapeString(m[1])
		if strings.Contains(u, "sig=") && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// Every source sends its email, with the real code, from the tenant's
// sender to the event's address; reset and confirmation links sign the
// code (version 3), the invitation's carries no password; both shapes of
// ciphertext decrypt; nothing of the user reaches the logs.
func TestSend(t *testing.T) {
	s := startStack(t)
	s.reset(t, "example.com", "testco.net")
	pool := s.pool(t)
	sub := s.user(t, pool, map[string]string{"email": "bo@example.com", "email_verified": "true", "locale": "de"})

	plain := []string{"482913", "Qz&lt;3&gt;xw&amp;9", "730016", "551902", "118204", "902337", "664410", "209975"}
	ct := s.encrypt(t, "cognito", eventPool, plain...)
	local := s.encrypt(t, "cognito-local", "", "318842")

	testco := `"custom:tenant_id": "testco", "email": "ana.silva@example.com"`
	source := func(src string) string { return `"triggerSource": "CustomEmailSender_` + src + `"` }
	const forgot = `"triggerSource": "CustomEmailSender_ForgotPassword"`
	cases := []struct {
		name, file string
		replace    []string
		code       string // as the email shows it; "" for the takeover notice
		to, from   string
		purpose    link.Purpose // the signed link's; "" none
		signed     bool         // a version-3 link with the code
	}{
		{"ForgotPassword", "forgot-password.json", []string{placeholder, ct[0]}, "482913", eventEmail, "no-reply@example.com", link.PurposeReset, true},
		{"AdminCreateUser: the password unescaped", "admin-create-user.json", []string{placeholder, ct[1]}, "Qz<3>xw&9", eventEmail, "no-reply@example.com", link.PurposeInvite, false},
		{"SignUp of testco: a confirmation link", "sign-up.json", []string{placeholder, ct[2], `"email": "ana.silva@example.com"`, testco},
			"730016", eventEmail, "accounts@testco.net", link.PurposeVerify, true},
		{"ResendCode of testco", "forgot-password.json", []string{placeholder, ct[3], forgot, source("ResendCode"), `"email": "ana.silva@example.com"`, testco},
			"551902", eventEmail, "accounts@testco.net", link.PurposeVerify, true},
		{"UpdateUserAttribute", "forgot-password.json", []string{placeholder, ct[4], forgot, source("UpdateUserAttribute")}, "118204", eventEmail, "no-reply@example.com", "", false},
		{"VerifyUserAttribute", "forgot-password.json", []string{placeholder, ct[5], forgot, source("VerifyUserAttribute")}, "902337", eventEmail, "no-reply@example.com", "", false},
		{"Authentication", "forgot-password.json", []string{placeholder, ct[6], forgot, source("Authentication")}, "664410", eventEmail, "no-reply@example.com", "", false},
		{"ForgotPassword of testco", "forgot-password.json", []string{placeholder, ct[7], `"email": "ana.silva@example.com"`, testco},
			"209975", eventEmail, "accounts@testco.net", link.PurposeReset, true},
		{"ForgotPassword, cognito-local's shape", "forgot-password.json", []string{placeholder, local[0]}, "318842", eventEmail, "no-reply@example.com", link.PurposeReset, true},
		{"AccountTakeOverNotification: the user looked up", "account-takeover.json", []string{eventPool, pool, eventUser, sub}, "", "bo@example.com", "no-reply@example.com", link.PurposeReport, false},
	}
	secrets := append(append(append([]string{eventEmail, "bo@example.com", eventUser, sub, "Ana", "Qz<3>xw&9"}, plain...), ct...), local...)
	for i, c := range cases {
		t.Run("case="+c.name, func(t *testing.T) {
			snd, logs := newSender(t, s, nil)
			out, err := snd.Invoke(context.Background(), readEvent(t, c.file, c.replace...))
			require.NoError(t, err, logs.String())
			assert.JSONEq(t, `{"outcome":"sent"}`, string(out))
			line := lastLog(t, logs)
			assert.Equal(t, "sent", line["outcome"])
			assert.Equal(t, "INFO", line["level"])
			assertClean(t, logs, secrets...)

			sent := s.sent(t)
			require.Len(t, sent, i+1, "one email per event")
			e := sent[i]
			assert.Equal(t, c.to, e.to)
			assert.Equal(t, c.from, e.from.Address)
			assert.NotEmpty(t, e.subject)
			assert.NotContains(t, e.text+e.html, "{####}")
			if c.code != "" {
				assert.Contains(t, e.text, c.code)
				assert.Contains(t, e.html, html.EscapeString(c.code))
			}
			links := signedLinks(e.html)
			if c.purpose == "" {
				assert.Empty(t, links)
				assert.Empty(t, linkPattern.FindAllString(e.text, -1))
				return
			}
			require.Len(t, links, 1, e.html)
			if text := linkPattern.FindAllString(e.text, -1); len(text) > 0 {
				assert.Equal(t, links, text, "the text part writes out the button's link")
			}
			claims, err := link.Verify(links[0], keys.Development(), testNow)
			require.NoError(t, err)
			assert.Equal(t, c.purpose, claims.Purpose)
			assert.Equal(t, c.signed, claims.CodeSigned)
			if c.signed {
				assert.Equal(t, 3, claims.Version)
				assert.Equal(t, c.code, claims.Code)
			} else {
				assert.NotContains(t, links[0], "code=")
			}
		})
	}
}

// A code made for another pool is dropped (nil: no retry can cure it),
// logged at ERROR for an alarm, and nothing is sent; so are an unknown
// source, an event without a code and one whose code does not decrypt.
func TestDrop(t *testing.T) {
	s := startStack(t)
	s.reset(t, "example.com")
	other := s.encrypt(t, "cognito", "eu-west-1_Zz99Yy88X", "482913")[0]
	for _, c := range []struct {
		name    string
		event   []byte
		reason  string
		secrets []string
	}{
		{"a code for another pool", readEvent(t, "forgot-password.json", placeholder, other), "the code did not decrypt", []string{other, "482913"}},
		{"not a ciphertext", readEvent(t, "forgot-password.json"), "the code did not decrypt", []string{placeholder}},
		{"no code", readEvent(t, "forgot-password.json", `"`+placeholder+`"`, "null"), "event has no code", nil},
		{"an unknown source", readEvent(t, "forgot-password.json", "CustomEmailSender_ForgotPassword", "CustomEmailSender_Telepathy"), "trigger source not served", nil},
		{"no address", readEvent(t, "sign-up.json", placeholder, s.encrypt(t, "cognito", eventPool, "1")[0], `"email": "ana.silva@example.com"`, `"phone_number": "+351910000000"`),
			"the user has no email address", []string{"+351910000000"}},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			snd, logs := newSender(t, s, nil)
			out, err := snd.Invoke(context.Background(), c.event)
			require.NoError(t, err, "a permanent failure is not retried")
			assert.Contains(t, string(out), `"dropped"`)
			line := lastLog(t, logs)
			assert.Equal(t, "ERROR", line["level"])
			assert.Equal(t, "dropped", line["outcome"])
			assert.Equal(t, c.reason, line["reason"])
			assert.Empty(t, s.sent(t))
			assertClean(t, logs, append(c.secrets, eventEmail, eventUser, "Ana")...)
		})
	}
	t.Run("case=the wrong pool is the decrypter's verdict", func(t *testing.T) {
		snd, logs := newSender(t, s, nil)
		_, err := snd.Invoke(context.Background(), readEvent(t, "forgot-password.json", placeholder, other))
		require.NoError(t, err)
		assert.Contains(t, lastLog(t, logs)["error"], string(codes.ClassWrongPool))
	})
}

// KMS unreachable fails the invocation (Lambda retries, then the
// dead-letter queue), within the KMS client's bound; so does SES refusing
// the sender (an unverified identity), and the retry after the operator's
// fix sends, once.
func TestRetryable(t *testing.T) {
	s := startStack(t)
	s.reset(t) // no identity: SES refuses
	ct := s.encrypt(t, "cognito", eventPool, "482913", "730016")

	t.Run("case=KMS unreachable", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		closed := "http://" + l.Addr().String()
		require.NoError(t, l.Close())
		snd, logs := newSender(t, s, func(cfg *sender.Config) { cfg.Decrypter = s.decrypter(t, closed) })
		start := time.Now()
		out, err := snd.Invoke(context.Background(), readEvent(t, "forgot-password.json", placeholder, ct[0]))
		took := time.Since(start)
		require.Error(t, err)
		assert.Contains(t, string(out), `"failed"`)
		assert.Less(t, took, codes.MaxKMSWait+patience.For(300*time.Millisecond))
		line := lastLog(t, logs)
		assert.Equal(t, "ERROR", line["level"])
		assert.Equal(t, true, line["retryable"])
		assert.Empty(t, s.sent(t))
		assertClean(t, logs, ct[0], "482913", eventEmail, eventUser)
	})
	t.Run("case=SES refuses, then the retry sends once", func(t *testing.T) {
		event := readEvent(t, "forgot-password.json", placeholder, ct[1])
		snd, logs := newSender(t, s, nil)
		_, err := snd.Invoke(context.Background(), event)
		require.Error(t, err)
		line := lastLog(t, logs)
		assert.Equal(t, "failed", line["outcome"])
		assert.Equal(t, true, line["retryable"])
		assert.Empty(t, s.sent(t))

		s.verify(t, "example.com")
		for range 2 { // Lambda's retry, then a replay of the same event
			_, err = snd.Invoke(context.Background(), event)
			require.NoError(t, err)
		}
		assert.Len(t, s.sent(t), 1)
		assert.Equal(t, "duplicate", lastLog(t, logs)["outcome"])
		assertClean(t, logs, ct[1], "730016", eventEmail, eventUser, "Ana")
	})
}

// A takeover notice goes to a verified address only, and not at all when
// the tenant turns it off.
func TestTakeoverSkips(t *testing.T) {
	s := startStack(t)
	s.reset(t, "example.com")
	pool := s.pool(t)
	unverified := s.user(t, pool, map[string]string{"email": "cy@example.com", "email_verified": "false"})
	snd, logs := newSender(t, s, nil)
	_, err := snd.Invoke(context.Background(), readEvent(t, "account-takeover.json", eventPool, pool, eventUser, unverified))
	require.NoError(t, err)
	line := lastLog(t, logs)
	assert.Equal(t, "skipped", line["outcome"])
	assert.Equal(t, "the email address is not verified", line["reason"])
	assert.Empty(t, s.sent(t))

	_, err = snd.Invoke(context.Background(), readEvent(t, "account-takeover.json", eventPool, pool))
	require.NoError(t, err)
	assert.Equal(t, "user not found", lastLog(t, logs)["reason"])
	assertClean(t, logs, "cy@example.com", unverified, eventUser)
}

// The secrets a log line may never hold are scrubbed even from an error
// that would quote them.
func TestLogScrubsSecrets(t *testing.T) {
	s := startStack(t)
	s.reset(t, "example.com")
	ct := s.encrypt(t, "cognito", eventPool, "482913")[0]
	snd, logs := newSender(t, s, func(cfg *sender.Config) { cfg.Decrypter = quoting{} })
	_, err := snd.Invoke(context.Background(), readEvent(t, "forgot-password.json", placeholder, ct))
	require.Error(t, err)
	assert.Contains(t, lastLog(t, logs)["error"], "[redacted]")
	assertClean(t, logs, ct, eventEmail, eventUser)
}

// quoting is a decrypter whose error quotes its input, as no real one
// should.
type quoting struct{}

func (quoting) Decrypt(_ context.Context, ciphertext, _ string) (string, error) {
	return "", &quotedError{ciphertext}
}

type quotedError struct{ s string }

func (e *quotedError) Error() string { return "cannot decrypt " + e.s + " " + strings.Repeat("!", 1) }
