package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/notify"
)

// The CloudTrail events of events/cloudtrail/, with the recorded pool and
// sub replaced by a pool and user made in moto's Cognito.
func TestCloudTrail(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()
	user := map[string]string{
		"email": "anastasia.test@example.com", "email_verified": "true", "given_name": "Anastasia",
		"locale": "en", "zoneinfo": "America/New_York",
	}
	with := func(edit map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range user {
			out[k] = v
		}
		for k, v := range edit {
			if v == "" {
				delete(out, k)
			} else {
				out[k] = v
			}
		}
		return out
	}
	cases := []struct {
		name    string
		event   string
		attrs   map[string]string
		pools   string // "served": the user's pool; "other": another pool only; "both": an empty pool, then the user's
		sub     string // "" the user's
		outcome string
		reason  string
		subject string // of the one email sent
		when    string // its time, eventTime in New York (EDT, UTC-4 from 9 March 2025)
		report  bool   // the email offers a report link
	}{
		{name: "AdminSetUserPassword", event: "admin-set-user-password.json", attrs: user, pools: "served",
			outcome: "sent", subject: "An administrator changed your Example App password", when: "06:21", report: true},
		{name: "AdminResetUserPassword offers no report link", event: "admin-reset-user-password.json", attrs: user, pools: "served",
			outcome: "sent", subject: "Choose a new Example App password", when: "06:35"},
		{name: "ChangePassword names no pool: every served pool is asked", event: "change-password.json", attrs: user, pools: "both",
			outcome: "sent", subject: "Your Example App password was changed", when: "07:02", report: true},
		{name: "a failed call is ignored", event: "admin-set-user-password-failed.json", attrs: user, pools: "served",
			outcome: "ignored", reason: "the call failed (errorCode)"},
		{name: "a pool not in COGMAIL_NOTIFY_POOLS is skipped", event: "admin-set-user-password.json", attrs: user, pools: "other",
			outcome: "skipped", reason: "user pool not in COGMAIL_NOTIFY_POOLS"},
		{name: "ChangePassword of a user in no served pool", event: "change-password.json", attrs: user, pools: "other",
			outcome: "skipped", reason: "user not found in the pools served"},
		{name: "an unknown user is skipped", event: "admin-set-user-password.json", attrs: user, pools: "served",
			sub: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", outcome: "skipped", reason: "user not found in the pools served"},
		{name: "an unverified address is skipped", event: "admin-set-user-password.json", attrs: with(map[string]string{"email_verified": "false"}),
			pools: "served", outcome: "skipped", reason: "the email address is not verified"},
		{name: "a tenant that turned the notice off", event: "change-password.json", attrs: with(map[string]string{"custom:tenant_id": "quiet"}),
			pools: "served", outcome: "skipped", reason: "the tenant does not send this notice"},
		{name: "a tenant without a sender", event: "admin-set-user-password.json", attrs: with(map[string]string{"custom:tenant_id": "nosender"}),
			pools: "served", outcome: "skipped", reason: "the tenant has no sender (sender in tenants/nosender/tenant.json)"},
		{name: "a tenant's own sender, language and configuration set", event: "admin-set-user-password.json",
			attrs: with(map[string]string{"custom:tenant_id": "testco", "locale": "de-AT"}), pools: "served",
			outcome: "sent", report: true},
	}
	for _, c := range cases {
		t.Run("case="+c.name, func(t *testing.T) {
			s.reset(t, "example.com", "testco.net")
			empty, served := s.pool(t, "empty"), s.pool(t, "served")
			sub := s.user(t, served, c.attrs)
			if c.sub != "" {
				sub = c.sub
			}
			pools := map[string][]string{"served": {served}, "other": {empty}, "both": {empty, served}}[c.pools]
			n, logs := notifier(t, s, func(cfg *notify.Config) {
				cfg.Pools = pools
				cfg.Tenants = tenantsWith(t, map[string]string{
					"tenants/quiet/tenant.json":    variant(t, "quiet", map[string]any{"notifications": map[string]any{"kinds": []string{}}}),
					"tenants/nosender/tenant.json": variant(t, "nosender", map[string]any{"sender": nil}),
				})
			})
			event := readEvent(t, "cloudtrail/"+c.event, recordedPool, served, recordedSub, sub)
			out, err := n.Invoke(ctx, event)
			require.NoError(t, err)
			line := lastLog(t, logs)
			assert.Equal(t, c.outcome, line["outcome"], "%v", line)
			assert.Contains(t, string(out), `"`+c.outcome+`"`)
			if c.reason != "" {
				assert.Equal(t, c.reason, line["reason"])
			}
			sent := s.sent(t)
			if c.outcome != "sent" {
				assert.Empty(t, sent)
				return
			}
			require.Len(t, sent, 1)
			m := sent[0]
			if c.subject != "" {
				assert.Equal(t, c.subject, m.subject)
			}
			assert.Equal(t, c.attrs["email"], m.header.Get("To"))
			if c.report {
				_, claims := reportLink(t, m.text)
				assert.Equal(t, served, claims.UserPool)
				assert.Equal(t, sub, claims.Username, "the username AdminGetUser gave, never the event's hidden one")
			} else {
				assert.NotContains(t, m.text, "/report?")
			}
			if c.attrs["custom:tenant_id"] == "testco" {
				assert.Equal(t, "security@testco.net", m.from.Address)
				assert.Equal(t, "Test Co Sicherheit", m.from.Name)
				assert.Contains(t, m.html, `lang="de"`)
				return
			}
			assert.Contains(t, m.text, "2025-03-14 at "+c.when+" (America/New_York)", "eventTime, in the user's zone")
		})
	}

	t.Run("case=a replayed event sends once", func(t *testing.T) {
		s.reset(t, "example.com")
		pool := s.pool(t, "served")
		sub := s.user(t, pool, user)
		n, logs := notifier(t, s, func(cfg *notify.Config) { cfg.Pools = []string{pool} })
		event := readEvent(t, "cloudtrail/admin-set-user-password.json", recordedPool, pool, recordedSub, sub)
		for range 3 {
			_, err := n.Invoke(ctx, event)
			require.NoError(t, err)
		}
		assert.Len(t, s.sent(t), 1)
		assert.Equal(t, "duplicate", lastLog(t, logs)["outcome"])
		// EventBridge gives a copy of the record a new id; CloudTrail's
		// eventID stays: still once.
		copied := strings.Replace(string(event), `"id": "e1446ccf-8c14-4758-a67d-befc225351c0"`, `"id": "00000000-0000-4000-8000-000000000000"`, 1)
		require.NotEqual(t, string(event), copied)
		_, err := n.Invoke(ctx, []byte(copied))
		require.NoError(t, err)
		assert.Len(t, s.sent(t), 1)
	})
}
