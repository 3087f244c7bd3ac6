package notify_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/notify"
)

// ruleWrap is what the EventBridge rule's input transformer delivers:
// event wrapped, with the pools the rule names (any JSON, to test
// malformed ones).
func ruleWrap(t testing.TB, pools any, event []byte) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"cogmail": "cloudtrail", "userPools": pools, "event": json.RawMessage(event)})
	require.NoError(t, err)
	return b
}

// The rule's wrapper: the pools it names are served besides
// COGMAIL_NOTIFY_POOLS (the demo pool, which the environment cannot name);
// everything else is as for the bare event.
func TestCloudTrailWrapper(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()
	user := map[string]string{"email": "anastasia.test@example.com", "email_verified": "true", "locale": "en", "zoneinfo": "America/New_York"}
	cases := []struct {
		name    string
		event   string                            // a file of events/cloudtrail, its pool and sub replaced by demo's
		wrapped func(demo, other string) any      // the wrapper's userPools; nil: the file is a wrapper already
		env     func(demo, other string) []string // COGMAIL_NOTIFY_POOLS
		outcome string
		reason  string
		warning string // in the log line
	}{
		{name: "the demo pool only, ChangePassword", event: "change-password.json",
			wrapped: func(demo, _ string) any { return []string{demo} }, outcome: "sent"},
		{name: "the demo pool only, an admin call in it", event: "admin-set-user-password.json",
			wrapped: func(demo, _ string) any { return []string{demo} }, outcome: "sent"},
		{name: "wrapper and environment: every pool asked", event: "change-password.json",
			wrapped: func(demo, _ string) any { return []string{demo} }, env: func(_, other string) []string { return []string{other} }, outcome: "sent"},
		{name: "wrapper and environment name the same pool", event: "admin-set-user-password.json",
			wrapped: func(demo, _ string) any { return []string{demo} }, env: func(demo, _ string) []string { return []string{demo} }, outcome: "sent"},
		{name: "an admin call in a pool neither names", event: "admin-set-user-password.json",
			wrapped: func(_, other string) any { return []string{other} }, outcome: "skipped",
			reason: "user pool not in COGMAIL_NOTIFY_POOLS or the event's userPools"},
		{name: "malformed pools are dropped, the valid one served", event: "change-password.json",
			wrapped: func(demo, _ string) any { return []any{"not-a-pool", 42, nil, "", " ", "eu-west-1_a/b", demo, demo} },
			outcome: "sent", warning: "userPools: 4 value(s) are not user pool ids: not served"},
		{name: "userPools not a list", event: "change-password.json",
			wrapped: func(demo, _ string) any { return demo + ",eu-west-1_Xy98Zw76V" }, outcome: "skipped",
			reason: "no user pool to look the user up in (COGMAIL_NOTIFY_POOLS and the event's userPools are empty)", warning: "userPools: 1 value(s)"},
		{name: "no userPools: the environment's", event: "change-password.json",
			wrapped: func(string, string) any { return nil }, env: func(demo, _ string) []string { return []string{demo} }, outcome: "sent"},
		{name: "around a failed call", event: "admin-set-user-password-failed.json",
			wrapped: func(demo, _ string) any { return []string{demo} }, outcome: "ignored", reason: "the call failed (errorCode)"},
		{name: "the recorded wrapper", event: "change-password-wrapped.json", outcome: "sent"},
	}
	for _, c := range cases {
		t.Run("case="+c.name, func(t *testing.T) {
			s.reset(t, "example.com")
			other, demo := s.pool(t, "other"), s.pool(t, "demo")
			sub := s.user(t, demo, user)
			n, logs := notifier(t, s, func(cfg *notify.Config) {
				if c.env != nil {
					cfg.Pools = c.env(demo, other)
				}
			})
			payload := readEvent(t, "cloudtrail/"+c.event, recordedPool, demo, recordedSub, sub)
			if c.wrapped != nil {
				payload = ruleWrap(t, c.wrapped(demo, other), payload)
			}
			out, err := n.Invoke(ctx, payload)
			require.NoError(t, err)
			assert.Contains(t, string(out), `"`+c.outcome+`"`)
			line := lastLog(t, logs)
			assert.Equal(t, "cloudtrail-wrapper", line["input"])
			assert.Equal(t, c.outcome, line["outcome"], "%v", line)
			if c.reason != "" {
				assert.Equal(t, c.reason, line["reason"])
			}
			if c.warning != "" {
				assert.Contains(t, line["warning"], c.warning)
				assert.NotContains(t, logs.String(), "not-a-pool", "the values themselves are not logged")
				assert.NotContains(t, logs.String(), "Xy98Zw76V")
			}
			sent := s.sent(t)
			if c.outcome != "sent" {
				assert.Empty(t, sent)
				return
			}
			require.Len(t, sent, 1)
			assert.Equal(t, demo, line["pool"], "the pool the user was found in")
			_, claims := reportLink(t, sent[0].text)
			assert.Equal(t, demo, claims.UserPool)
			assert.Equal(t, sub, claims.Username)
		})
	}

	t.Run("case=a bare and a wrapped copy send once", func(t *testing.T) {
		// One rule during a migration, or two rules: CloudTrail's eventID
		// is the key either way.
		s.reset(t, "example.com")
		demo := s.pool(t, "demo")
		sub := s.user(t, demo, user)
		n, logs := notifier(t, s, func(cfg *notify.Config) { cfg.Pools = []string{demo} })
		event := readEvent(t, "cloudtrail/change-password.json", recordedSub, sub)
		for _, payload := range [][]byte{event, ruleWrap(t, []string{demo}, event)} {
			_, err := n.Invoke(ctx, payload)
			require.NoError(t, err)
		}
		assert.Len(t, s.sent(t), 1)
		assert.Equal(t, "duplicate", lastLog(t, logs)["outcome"])
	})
}
