package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/notify"
)

// The recorded events' user and pool (events/README.md).
const (
	recordedSub  = "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f"
	recordedPool = "eu-west-1_Ab12Cd34E"
)

// received is when the hand-off's wrapper says the Post confirmation event
// arrived: what its notice tells.
var received = time.Date(2025, 3, 14, 10, 21, 7, 0, time.UTC)

// reportLink finds the report link in a text part and verifies it with the
// development keyring.
func reportLink(t *testing.T, text string) (string, link.Claims) {
	t.Helper()
	u := regexp.MustCompile(`https?://\S+/report\?\S+`).FindString(text)
	require.NotEmpty(t, u, "no report link in:\n%s", text)
	claims, err := link.Verify(u, keys.Development(), testNow)
	require.NoError(t, err)
	return u, claims
}

func TestWrapper(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()

	t.Run("case=recovered: sent once, in the user's zone, with a report link", func(t *testing.T) {
		s.reset(t, "example.com")
		n, logs := notifier(t, s, nil)
		payload := wrap(t, "req-1", received, readEvent(t, "post-confirmation-forgot-password.json", `"Europe/Lisbon"`, `"Asia/Tokyo"`))
		out, err := n.Invoke(ctx, payload)
		require.NoError(t, err)
		assert.JSONEq(t, `{"outcome":"sent"}`, string(out))

		sent := s.sent(t)
		require.Len(t, sent, 1)
		m := sent[0]
		assert.Equal(t, "ana.silva@example.com", m.header.Get("To"))
		assert.Equal(t, "Example App", m.from.Name)
		assert.Equal(t, "no-reply@example.com", m.from.Address)
		assert.Equal(t, "support@example.com", m.header.Get("Reply-To"))
		assert.Equal(t, "Your Example App password was reset", m.subject)
		assert.Contains(t, m.text, "2025-03-14 at 19:21 (Asia/Tokyo)", "the wrapper's received time, in the user's zone")
		assert.Contains(t, m.text, "Ana", "a verified address: the greeting may use the name")
		assert.Contains(t, m.html, "19:21")
		u, claims := reportLink(t, m.text)
		assert.Contains(t, m.html, `href="`+htmlEscape(u)+`"`)
		assert.Equal(t, link.PurposeReport, claims.Purpose)
		assert.Equal(t, recordedPool, claims.UserPool)
		assert.Equal(t, recordedSub, claims.Username)
		assert.Equal(t, "default", claims.Tenant)
		assert.Equal(t, testNow.Add(168*time.Hour).Unix(), claims.Expires.Unix())
		assert.Equal(t, "sent", lastLog(t, logs)["outcome"])
		assert.Equal(t, "pc#req-1", lastLog(t, logs)["id"])

		// Lambda's retry, or a second delivery: nothing more.
		out, err = n.Invoke(ctx, payload)
		require.NoError(t, err)
		assert.JSONEq(t, `{"outcome":"duplicate","reason":"already sent"}`, string(out))
		assert.Len(t, s.sent(t), 1)
	})

	t.Run("case=unknown zone is UTC", func(t *testing.T) {
		s.reset(t, "example.com")
		n, _ := notifier(t, s, nil)
		_, err := n.Invoke(ctx, wrap(t, "req-2", received, readEvent(t, "post-confirmation-forgot-password.json", `"Europe/Lisbon"`, `"Mars/Olympus_Mons"`)))
		require.NoError(t, err)
		sent := s.sent(t)
		require.Len(t, sent, 1)
		assert.Contains(t, sent[0].text, "2025-03-14 at 10:21 (UTC)")
	})

	for _, c := range []struct {
		name, event string
		replace     []string
		reason      string
	}{
		{"unverified email is skipped", "post-confirmation-forgot-password.json", []string{`"email_verified": "true"`, `"email_verified": "false"`}, "the email address is not verified"},
		{"no email is skipped", "post-confirmation-forgot-password.json", []string{`"email": "ana.silva@example.com"`, `"phone_number": "+12025550123"`}, "the user has no email address"},
		{"kind off: the default tenant sends no welcome", "post-confirmation-signup.json", []string{"eu-west-1_Mn34Pq56R", recordedPool}, "the tenant does not send this notice"},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			s.reset(t, "example.com", "acme-rockets.example")
			n, logs := notifier(t, s, nil)
			out, err := n.Invoke(ctx, wrap(t, "req-3", received, readEvent(t, c.event, c.replace...)))
			require.NoError(t, err, "a skip is not retried")
			assert.Contains(t, string(out), `"skipped"`)
			assert.Equal(t, c.reason, lastLog(t, logs)["reason"])
			assert.Empty(t, s.sent(t))
		})
	}

	t.Run("case=acme's welcome in German, clientMetadata's locale ignored", func(t *testing.T) {
		s.reset(t, "acme-rockets.example")
		n, _ := notifier(t, s, nil)
		_, err := n.Invoke(ctx, wrap(t, "req-4", received, readEvent(t, "post-confirmation-signup.json")))
		require.NoError(t, err)
		sent := s.sent(t)
		require.Len(t, sent, 1)
		assert.Equal(t, "sicherheit@acme-rockets.example", sent[0].from.Address)
		assert.Equal(t, "hilfe@acme-rockets.example", sent[0].header.Get("Reply-To"))
		assert.Contains(t, sent[0].html, `lang="de"`, "the user's locale, not clientMetadata's fr")
		assert.NotContains(t, sent[0].text, "/sicherheit?", "a welcome offers no report link")
	})

	t.Run("case=a wrapper that is not one is ignored", func(t *testing.T) {
		n, logs := notifier(t, s, nil)
		out, err := n.Invoke(ctx, []byte(`{"cogmail":"notice","id":"","event":{}}`))
		require.NoError(t, err)
		assert.Contains(t, string(out), `"ignored"`)
		assert.Equal(t, "not a notifier wrapper", lastLog(t, logs)["reason"])
	})
}

// htmlEscape writes a link as html/template writes it in an attribute.
func htmlEscape(u string) string {
	return regexp.MustCompile(`&`).ReplaceAllString(u, "&amp;")
}

func TestDefaultSender(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()
	from := &netmail.Address{Name: "Cogmail Demo", Address: "no-reply@mail.cogmail-demo.net"}
	for _, c := range []struct {
		name     string
		inLambda bool
		from     *netmail.Address
		wantFrom string // "" skipped
		reason   string
	}{
		{"outside Lambda the shipped sender is used", false, nil, "no-reply@example.com", ""},
		{"COGMAIL_NOTIFY_FROM replaces an example sender", false, from, "no-reply@mail.cogmail-demo.net", ""},
		{"inside Lambda with COGMAIL_NOTIFY_FROM", true, from, "no-reply@mail.cogmail-demo.net", ""},
		{"inside Lambda an example sender is refused", true, nil, "", "the tenant's sender is on an example domain: set COGMAIL_NOTIFY_FROM or sender in tenants/default/tenant.json (an overlay)"},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			s.reset(t, "example.com", "mail.cogmail-demo.net")
			n, logs := notifier(t, s, func(cfg *notify.Config) {
				cfg.InLambda = c.inLambda
				cfg.PageURL = "https://abc.lambda-url.eu-west-1.on.aws"
				if c.from != nil {
					cfg.From = c.from
				}
			})
			_, err := n.Invoke(ctx, wrap(t, "req-1", received, readEvent(t, "post-confirmation-forgot-password.json")))
			require.NoError(t, err)
			sent := s.sent(t)
			if c.wantFrom == "" {
				assert.Empty(t, sent)
				assert.Equal(t, c.reason, lastLog(t, logs)["reason"])
				return
			}
			require.Len(t, sent, 1)
			assert.Equal(t, c.wantFrom, sent[0].from.Address)
			u, _ := reportLink(t, sent[0].text)
			parsed, err := url.Parse(u)
			require.NoError(t, err)
			assert.Equal(t, "abc.lambda-url.eu-west-1.on.aws", parsed.Host, "COGMAIL_PAGE_URL replaces the example host")
			assert.Equal(t, "/report", parsed.Path)
			if c.from != nil {
				assert.Equal(t, c.from.Name, sent[0].from.Name)
				assert.Empty(t, sent[0].header.Get("Reply-To"), "the shipped reply-to is an example address")
			}
		})
	}
}

// Setup reads the environment, and says what it cannot use, without
// addresses.
func TestSetup(t *testing.T) {
	logs := new(bytes.Buffer)
	env := map[string]string{
		notify.EnvPools:            "eu-west-1_Ab12Cd34E,not-a-pool",
		notify.EnvFrom:             "not an address",
		"COGMAIL_PAGE_URL":         "http://page.example.net",
		"AWS_LAMBDA_FUNCTION_NAME": "cogmail-notifier",
		"COGMAIL_SIGNING_KEYS":     `{"current":"k1","keys":{"k1":"` + strings.Repeat("A", 43) + `="}}`,
	}
	n := notify.Setup(context.Background(), func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(logs, nil)))
	require.NotNil(t, n)
	out := logs.String()
	for _, want := range []string{
		notify.EnvPools + " lists values that are not user pool ids",
		notify.EnvFrom + " is not used",
		notify.EnvTable + " is not set",
		"COGMAIL_PAGE_URL is not used",
		"notifier ready",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "not-a-pool", "the values themselves are not logged")
}
