package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/cogmail/cogmail/lambda/internal/golden"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// env is a process environment outside Lambda with no keys configured: the
// command then signs with the development keyring, as documented.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func cli(t *testing.T, getenv func(string) string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr, getenv)
	return code, stdout.String(), stderr.String()
}

func TestRenderThenVerify(t *testing.T) {
	code, out, errOut := cli(t, env(nil), "", "render", "../../../events/forgot-password.json")
	require.Equal(t, 0, code, errOut)

	var answer struct {
		Response struct{ EmailMessage string } `json:"response"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &answer))
	m := regexp.MustCompile(`href="([^"]*)"`).FindStringSubmatch(answer.Response.EmailMessage)
	require.NotNil(t, m)
	signed := strings.ReplaceAll(m[1], "&amp;", "&")

	t.Run("case=valid", func(t *testing.T) {
		code, out, errOut := cli(t, env(nil), "", "verify", signed)
		require.Equal(t, 0, code, errOut)
		var claims map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &claims))
		assert.Equal(t, "reset", claims["purpose"])
		assert.Equal(t, "default", claims["tenant"])
		assert.Equal(t, "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f", claims["username"])
		assert.Equal(t, "en", claims["locale"])
		assert.NotEmpty(t, claims["expires"])
	})
	t.Run("case=tampered", func(t *testing.T) {
		code, out, errOut := cli(t, env(nil), "", "verify", strings.Replace(signed, "tenant=default", "tenant=other", 1))
		assert.Equal(t, 1, code)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "bad signature")
	})
	t.Run("case=another keyring", func(t *testing.T) {
		other := `{"current":"k2","keys":{"k2":"` + strings.Repeat("QUJD", 11) + `"}}`
		code, _, errOut := cli(t, env(map[string]string{"COGMAIL_SIGNING_KEYS": other}), "", "verify", signed)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "unknown key")
	})
}

func TestVerifyExpired(t *testing.T) {
	signed, err := link.Sign(link.Params{
		Base: "https://app.example.com/reset", Purpose: link.PurposeReset, Tenant: "default",
		Username: "u", Locale: "en", Expires: time.Now().Add(-time.Minute), Code: "{####}",
	}, keys.Development())
	require.NoError(t, err)
	code, _, errOut := cli(t, env(nil), "", "verify", signed)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "expired")
}

func TestRenderFromStdinKeepsUnrenderedEvents(t *testing.T) {
	in := `{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{}}}`
	code, out, _ := cli(t, env(nil), in, "render", "-")
	require.Equal(t, 0, code)
	assert.JSONEq(t, in, out)
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		say   string
	}{
		{"no command", nil, "", 2, "usage"},
		{"unknown command", []string{"send"}, "", 2, "unknown command"},
		{"render: missing file", []string{"render", "no-such-file.json"}, "", 1, "no such file"},
		{"render: not JSON", []string{"render"}, "{not json", 1, "not valid JSON"},
		{"verify: no URL", []string{"verify"}, "", 2, "usage"},
		{"verify: not a link", []string{"verify", "https://example.com/"}, "", 1, "malformed"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			code, _, errOut := cli(t, env(nil), tc.stdin, tc.args...)
			assert.Equal(t, tc.code, code)
			assert.Contains(t, errOut, tc.say)
		})
	}
}

func TestCheck(t *testing.T) {
	code, out, errOut := cli(t, env(nil), "", "check", "-failures")
	assert.Equal(t, 0, code, errOut)
	assert.Regexp(t, `checked \d+ messages: 0 failed\n$`, out)

	// An overlay folder with a broken tenant fails the check.
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "tenants", "bad"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tenants", "bad", "tenant.json"), []byte(`{"id": "bad"}`), 0o644))
	code, _, errOut = cli(t, env(nil), "", "check", "-templates", dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "tenants/bad/tenant.json")
}
