package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
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
	assert.Regexp(t, `^TENANT .*\nchecked \d+ tenants and \d+ messages: 0 failed, 0 warnings\n$`, out, "the header and the summary, nothing between")
}

// An overlay folder with broken tenants fails the check; each problem is
// a line of the table, with its file, and the tenants are counted.
func TestCheckBrokenOverlay(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
	// Counted against the embedded tenants, however many an operator added.
	embedded, err := tenant.NewStore(templates.FS).IDs()
	require.NoError(t, err)
	tenants := len(embedded)
	for _, id := range []string{"bad", "globex"} {
		if !slices.Contains(embedded, id) {
			tenants++
		}
	}
	write("tenants/bad/tenant.json", `{"id": "bad"}`)
	write("tenants/globex/tenant.json", "{\n  \"id\": \"globex\",\n}")
	for _, args := range [][]string{{"check", "-templates", dir}, {"check", "-failures", "-templates", dir}} {
		t.Run("case="+strings.Join(args[:len(args)-2], " "), func(t *testing.T) {
			code, out, _ := cli(t, env(nil), "", args...)
			assert.Equal(t, 1, code)
			assert.Regexp(t, `\nbad\s+-\s+-\s+FAIL tenants/bad/tenant\.json: displayName: is empty\n`, out)
			assert.Regexp(t, `\nglobex\s+-\s+-\s+FAIL tenants/globex/tenant\.json:3:1: invalid character '}' looking for beginning of object key string\n`, out)
			assert.Regexp(t, fmt.Sprintf(`\nchecked %d tenants and \d+ messages: \d+ failed, 0 warnings\n$`, tenants), out, "the shipped tenants, bad and globex")
		})
	}
}

// Every command explains itself on -h; a flag or command it does not know
// prints the usage and exits 2.
func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		out, err string // in stdout, in stderr
		notOut   string
	}{
		{"cogmail -h", []string{"-h"}, 0, "cogmail render [FILE|-]", "", ""},
		{"cogmail --help", []string{"--help"}, 0, "cogmail preview --serve", "", ""},
		{"cogmail help", []string{"help"}, 0, "cogmail check [-failures]", "", ""},
		{"cogmail help check", []string{"help", "check"}, 0, "-failures", "", "cogmail render"},
		{"render -h", []string{"render", "-h"}, 0, "cogmail render [FILE|-]", "", "cogmail check"},
		{"render --help", []string{"render", "--help"}, 0, "cogmail render [FILE|-]", "", "no such file"},
		{"verify -h", []string{"verify", "-h"}, 0, "cogmail verify URL", "", ""},
		{"check -h", []string{"check", "-h"}, 0, "-templates string", "", "TENANT"},
		{"check --help", []string{"check", "--help"}, 0, "cogmail check [-failures] [-templates DIR]", "", ""},
		{"preview -h", []string{"preview", "-h"}, 0, "--serve 127.0.0.1:PORT", "", ""},
		{"unknown command", []string{"send"}, 2, "", `unknown command "send"`, ""},
		{"unknown flag", []string{"--verbose"}, 2, "", "flag provided but not defined: --verbose", ""},
		{"render: unknown flag", []string{"render", "-x", "file.json"}, 2, "", "cogmail render: flag provided but not defined: -x\nusage:\n  cogmail render", ""},
		{"render: two files", []string{"render", "a.json", "b.json"}, 2, "", "usage:", ""},
		{"verify: unknown flag", []string{"verify", "--json", "https://x.example/"}, 2, "", "usage:\n  cogmail verify URL", ""},
		{"check: unknown flag", []string{"check", "-failure"}, 2, "", "flag provided but not defined: -failure", ""},
		{"check: an argument", []string{"check", "acme"}, 2, "", `unexpected argument "acme"`, ""},
		{"check: no such folder", []string{"check", "-templates", "no-such-folder"}, 2, "", "not a folder", ""},
		{"preview: unknown flag", []string{"preview", "--outt", "x"}, 2, "", "usage:\n  cogmail preview --out DIR", ""},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, env(nil), "", tc.args...)
			assert.Equal(t, tc.code, code, errOut)
			if tc.code == 0 {
				assert.Contains(t, out, "usage:")
				assert.Empty(t, errOut)
			} else {
				assert.Empty(t, out)
			}
			assert.Contains(t, out, tc.out)
			assert.Contains(t, errOut, tc.err)
			if tc.notOut != "" {
				assert.NotContains(t, out, tc.notOut)
			}
		})
	}
}
