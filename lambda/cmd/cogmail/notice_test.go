package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/golden"
)

// fixNoticeClock fixes the notifier's clock (a Post confirmation event's
// time, the report link's expiry) for the test.
func fixNoticeClock(t *testing.T) {
	saved := noticeNow
	noticeNow = func() time.Time { return time.Date(2025, 3, 14, 10, 21, 7, 0, time.UTC) }
	t.Cleanup(func() { noticeNow = saved })
}

// noticeEvents are the recorded events the notifier takes: Post
// confirmation and CloudTrail.
func noticeEvents(t *testing.T) []string {
	t.Helper()
	pc, err := filepath.Glob("../../../events/post-confirmation-*.json")
	require.NoError(t, err)
	ct, err := filepath.Glob("../../../events/cloudtrail/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, pc)
	require.NotEmpty(t, ct)
	return append(pc, ct...)
}

// Every recorded notifier event renders as the notifier would send it, or
// says why it would send nothing: events/golden/notify/<name>.json, and its
// parts as .txt and .html.
func TestRenderNotices(t *testing.T) {
	fixNoticeClock(t)
	for _, file := range noticeEvents(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run("event="+name, func(t *testing.T) {
			code, out, errOut := cli(t, env(nil), "", "render", file)
			require.Equal(t, 0, code, errOut)
			golden.Assert(t, filepath.Join("../../../events/golden/notify", name+".json"), []byte(out))
			var d struct {
				Skip, To, Subject, Text, HTML string
			}
			require.NoError(t, json.Unmarshal([]byte(out), &d))
			if d.Skip != "" {
				assert.Empty(t, d.Subject)
				return
			}
			assert.NotEmpty(t, d.To)
			assert.NotEmpty(t, d.Subject)
			golden.Assert(t, filepath.Join("../../../events/golden/notify", name+".txt"), []byte(d.Text))
			golden.Assert(t, filepath.Join("../../../events/golden/notify", name+".html"), []byte(d.HTML))
		})
	}
}

func TestRenderNoticeUser(t *testing.T) {
	fixNoticeClock(t)
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(data), 0o600))
		return p
	}
	ana := write("ana.json", `{
  "Username": "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f",
  "UserAttributes": [
    {"Name": "sub", "Value": "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f"},
    {"Name": "email_verified", "Value": "true"},
    {"Name": "given_name", "Value": "Ana"},
    {"Name": "locale", "Value": "de"},
    {"Name": "zoneinfo", "Value": "Europe/Berlin"},
    {"Name": "email", "Value": "ana.silva@example.com"}
  ],
  "UserCreateDate": "2025-01-02T10:00:00.000000+00:00",
  "Enabled": true,
  "UserStatus": "CONFIRMED"
}`)
	other := write("other.json", `{"Username": "x", "UserAttributes": [{"Name": "sub", "Value": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"}]}`)
	const event = "../../../events/cloudtrail/admin-set-user-password.json"

	t.Run("case=the user's address, language and zone", func(t *testing.T) {
		code, out, errOut := cli(t, env(nil), "", "render", "-user", ana, event)
		require.Equal(t, 0, code, errOut)
		var d struct{ To, Text, HTML, Note string }
		require.NoError(t, json.Unmarshal([]byte(out), &d))
		assert.Equal(t, "ana.silva@example.com", d.To)
		assert.Contains(t, d.HTML, `lang="de"`)
		assert.Contains(t, d.Text, "Ana")
		assert.Contains(t, d.Text, "(Europe/Berlin)")
		assert.Empty(t, d.Note, "no placeholder")
	})
	t.Run("case=without -user: a placeholder, said so", func(t *testing.T) {
		code, out, _ := cli(t, env(nil), "", "render", event)
		require.Equal(t, 0, code)
		var d struct{ To, Note string }
		require.NoError(t, json.Unmarshal([]byte(out), &d))
		assert.Equal(t, placeholderEmail, d.To)
		assert.Contains(t, d.Note, "placeholder")
	})
	t.Run("case=a user file of another user", func(t *testing.T) {
		code, _, errOut := cli(t, env(nil), "", "render", "-user", other, event)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "another user")
	})
	t.Run("case=-user on a Custom Message event", func(t *testing.T) {
		code, _, errOut := cli(t, env(nil), "", "render", "-user", ana, "../../../events/forgot-password.json")
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, "-user is for CloudTrail events")
	})
	t.Run("case=-user on a Post confirmation event", func(t *testing.T) {
		code, _, errOut := cli(t, env(nil), "", "render", "-user", ana, "../../../events/post-confirmation-forgot-password.json")
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, "CloudTrail")
	})
	t.Run("case=the pool is not served", func(t *testing.T) {
		code, out, _ := cli(t, env(map[string]string{"COGMAIL_NOTIFY_POOLS": "eu-west-1_Ef56Gh78J"}), "", "render", "-user", ana, event)
		require.Equal(t, 0, code)
		assert.Contains(t, out, `"skip": "user pool not in COGMAIL_NOTIFY_POOLS"`)
	})
}

// The rule's wrapper around a CloudTrail event: its user is the event's
// inside, its userPools are served as COGMAIL_NOTIFY_POOLS's.
func TestRenderRuleWrapper(t *testing.T) {
	fixNoticeClock(t)
	ana := filepath.Join(t.TempDir(), "ana.json")
	require.NoError(t, os.WriteFile(ana, []byte(`{"Username": "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f", "UserAttributes": [
  {"Name": "email", "Value": "ana.silva@example.com"}, {"Name": "email_verified", "Value": "true"}, {"Name": "locale", "Value": "de"}]}`), 0o600))
	read := func(name string) string {
		b, err := os.ReadFile("../../../events/cloudtrail/" + name)
		require.NoError(t, err)
		return string(b)
	}
	wrap := func(pools, event string) string {
		return `{"cogmail": "cloudtrail", "userPools": ` + pools + `, "event": ` + read(event) + `}`
	}
	for _, c := range []struct {
		name, stdin string
		args        []string
		env         map[string]string
		to, pool    string // of the draft; "" when skipped
		skip, warn  string
	}{
		{name: "-user with the wrapper", stdin: read("change-password-wrapped.json"), args: []string{"-user", ana},
			to: "ana.silva@example.com", pool: "eu-west-1_Ab12Cd34E"},
		{name: "no pool in the environment: the wrapper's, no placeholder", stdin: wrap(`["eu-west-1_Mn34Pq56R"]`, "change-password.json"),
			to: "user@example.com", pool: "eu-west-1_Mn34Pq56R"},
		{name: "the environment's pools first", stdin: wrap(`["eu-west-1_Mn34Pq56R"]`, "change-password.json"),
			env: map[string]string{"COGMAIL_NOTIFY_POOLS": "eu-west-1_Ef56Gh78J"}, to: "user@example.com", pool: "eu-west-1_Ef56Gh78J"},
		{name: "an admin call in a pool the wrapper does not name", stdin: wrap(`["eu-west-1_Ef56Gh78J"]`, "admin-set-user-password.json"),
			skip: "user pool not in COGMAIL_NOTIFY_POOLS or the event's userPools"},
		{name: "malformed pools, said without their values", stdin: wrap(`["eu-west-1_Ab12Cd34E", "bogus-pool", 3]`, "admin-set-user-password.json"),
			to: "user@example.com", pool: "eu-west-1_Ab12Cd34E", warn: "userPools: 2 value(s) are not user pool ids"},
		{name: "around a failed call", stdin: wrap(`["eu-west-1_Ab12Cd34E"]`, "admin-set-user-password-failed.json"),
			skip: "the call failed (errorCode)"},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			code, out, errOut := cli(t, env(c.env), c.stdin, append(append([]string{"render"}, c.args...), "-")...)
			require.Equal(t, 0, code, errOut)
			var d struct{ Input, Skip, Warning, To, Text string }
			require.NoError(t, json.Unmarshal([]byte(out), &d))
			assert.Equal(t, "cloudtrail-wrapper", d.Input)
			assert.Equal(t, c.skip, d.Skip)
			assert.Equal(t, c.to, d.To)
			if c.pool != "" {
				assert.Contains(t, d.Text, "pool="+c.pool+"&")
			}
			if c.warn != "" {
				assert.Contains(t, d.Warning, c.warn)
			}
			assert.NotContains(t, out, "bogus-pool")
		})
	}
}
