package handler_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// logLine is the part of a log line the tests read.
type logLine struct {
	Level   string `json:"level"`
	Outcome string `json:"outcome"`
	Error   string `json:"error"`
	Reason  string `json:"reason"`
}

func lastLog(t *testing.T, logs string) logLine {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	var l logLine
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &l), logs)
	return l
}

func TestFallbacks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		event    string
		edit     func(*handler.Config)
		outcome  string
		level    string
		wantLink bool
		contains []string
	}{
		{
			name: "no signing key: the rich email without a link, still with the code", event: "forgot-password",
			edit:    func(c *handler.Config) { c.Keyring = nil },
			outcome: "rendered", level: "WARN", contains: []string{">{####}<", "Reset your password"},
		},
		{
			name: "templates failed at cold start: the minimal email with code and link", event: "forgot-password",
			edit:    func(c *handler.Config) { c.Renderer = nil },
			outcome: "fallback", level: "ERROR", wantLink: true, contains: []string{"Your password reset code: {####}", "We will never ask you for this code."},
		},
		{
			name: "templates failed, invitation: both credentials, link without them", event: "admin-create-user",
			edit:    func(c *handler.Config) { c.Renderer = nil },
			outcome: "fallback", level: "ERROR", wantLink: true, contains: []string{">{username}</textarea>", ">{####}</textarea>",
				"If you did not expect this invitation, you can ignore this email."},
		},
		{
			name: "templates failed, sign-up: the code, never to be shared, and what to do if unasked", event: "sign-up",
			edit:    func(c *handler.Config) { c.Renderer = nil },
			outcome: "fallback", level: "ERROR", wantLink: true, contains: []string{"Your verification code: {####}",
				"We will never ask you for this code.", "If you did not ask for this code, ignore this email."},
		},
		{
			name: "no tenant: the minimal email without a link", event: "forgot-password",
			edit:    func(c *handler.Config) { c.Tenants = nil },
			outcome: "fallback", level: "ERROR", contains: []string{"{####}"},
		},
		{
			name: "no tenant and no key, invitation", event: "admin-create-user",
			edit:    func(c *handler.Config) { c.Tenants, c.Keyring = nil, nil },
			outcome: "fallback", level: "ERROR", contains: []string{"{username}", "{####}"},
		},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			h, logs := fixture(t, tc.edit)
			_, a := invoke(t, h, readEvent(t, tc.event))
			require.True(t, a.rendered())
			body := a.email()
			for _, want := range tc.contains {
				assert.Contains(t, body, want)
			}
			assert.NoError(t, gate.Check(a.gateMessage()))
			links := hrefs(body)
			if tc.wantLink {
				require.Len(t, links, 1)
				_, err := link.Verify(links[0], keys.Development(), testNow)
				assert.NoError(t, err)
			} else {
				assert.Empty(t, links)
			}
			l := lastLog(t, logs.String())
			assert.Equal(t, tc.outcome, l.Outcome)
			assert.Equal(t, tc.level, l.Level)
			assert.NotEmpty(t, l.Error, "a degraded answer says why")
		})
	}
}

// A placeholder no template can carry verbatim fails the gate in both
// emails; the event then goes back unchanged and Cognito sends its default.
func TestUnusablePlaceholderPassesThrough(t *testing.T) {
	h, logs := fixture(t, nil)
	var ev map[string]any
	require.NoError(t, json.Unmarshal(readEvent(t, "forgot-password"), &ev))
	ev["request"].(map[string]any)["codeParameter"] = `{##"<b>##}`
	payload, err := json.Marshal(ev)
	require.NoError(t, err)

	out, _ := invoke(t, h, payload)
	assert.Equal(t, string(payload), string(out))
	l := lastLog(t, logs.String())
	assert.Equal(t, "passthrough", l.Outcome)
	assert.Equal(t, "ERROR", l.Level)
}

func TestPassthroughLogsAWarning(t *testing.T) {
	h, logs := fixture(t, nil)
	for _, name := range []string{"odd-unknown-custom-message", "odd-not-custom-message", "odd-no-code-parameter", "odd-null-request"} {
		t.Run("event="+name, func(t *testing.T) {
			logs.Reset()
			payload := readEvent(t, name)
			out, _ := invoke(t, h, payload)
			assert.Equal(t, string(payload), string(out))
			l := lastLog(t, logs.String())
			assert.Equal(t, "passthrough", l.Outcome)
			assert.Equal(t, "WARN", l.Level)
			assert.NotEmpty(t, l.Reason)
		})
	}
}

// Logs carry no address, phone number, name or username: whatever an event
// holds about a person stays out of every log line.
func TestLogsCarryNoPersonalData(t *testing.T) {
	h, logs := fixture(t, nil)
	var personal []string
	for name, payload := range recorded(t) {
		invoke(t, h, payload)
		var ev struct {
			UserName string `json:"userName"`
			Request  *struct {
				UserAttributes map[string]any `json:"userAttributes"`
			} `json:"request"`
		}
		require.NoError(t, json.Unmarshal(payload, &ev), name)
		if len(ev.UserName) > 3 {
			personal = append(personal, ev.UserName)
		}
		if ev.Request == nil {
			continue
		}
		for k, v := range ev.Request.UserAttributes {
			s, ok := v.(string)
			if !ok || len(s) < 4 || k == "email_verified" || k == "phone_number_verified" || k == "locale" || strings.HasPrefix(k, "cognito:user_status") {
				continue
			}
			personal = append(personal, s)
		}
	}
	require.NotEmpty(t, personal)
	out := logs.String()
	require.NotEmpty(t, out)
	for _, p := range personal {
		assert.NotContains(t, out, p)
	}
	assert.NotContains(t, out, "@example.")
	assert.NotContains(t, out, "+1555")
}

// Keep the recorded events honest: every file is an object with a trigger.
func TestRecordedEventsAreEvents(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(eventsDir, "*.json"))
	require.NoError(t, err)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var ev map[string]any
		require.NoError(t, json.Unmarshal(data, &ev), f)
		assert.NotEmpty(t, ev["triggerSource"], f)
	}
}

// A keyring that failed to load at cold start is fetched again later, at
// most every 30 seconds: one hiccup does not cost a warm container its links.
func TestKeysAreFetchedAgain(t *testing.T) {
	calls := 0
	h, _ := fixture(t, func(c *handler.Config) {
		c.Keyring = nil
		c.RetryKeys = func(context.Context) (*link.Keyring, error) {
			calls++
			if calls == 1 {
				return nil, errors.New("throttled")
			}
			return keys.Development(), nil
		}
	})
	_, a := invoke(t, h, readEvent(t, "forgot-password"))
	assert.Empty(t, hrefs(a.email()), "the first retry failed: no link, the code")
	assert.Contains(t, a.email(), "{####}")
	_, a = invoke(t, h, readEvent(t, "forgot-password"))
	assert.Empty(t, hrefs(a.email()), "no second try within 30 seconds")
	assert.Equal(t, 1, calls)
}

func TestKeysLoadedOnRetrySignLinks(t *testing.T) {
	h, _ := fixture(t, func(c *handler.Config) {
		c.Keyring = nil
		c.RetryKeys = func(context.Context) (*link.Keyring, error) { return keys.Development(), nil }
	})
	_, a := invoke(t, h, readEvent(t, "forgot-password"))
	require.NotEmpty(t, hrefs(a.email()))
	_, err := link.Verify(hrefs(a.email())[0], keys.Development(), testNow)
	assert.NoError(t, err)
}
