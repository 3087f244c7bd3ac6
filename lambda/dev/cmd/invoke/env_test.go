package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// lookup returns the last value of name in env, as exec.Cmd reads it.
func lookup(env []string, name string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// Under the emulator the function refuses the development keyring, so
// invoke hands it a fresh random one per run, and points the default
// tenant's links at the local page unless told otherwise.
func TestInvokeEnv(t *testing.T) {
	own := keys.Random()
	for _, tc := range []struct {
		name    string
		environ []string
		keys    string // the keyring the function gets; "random": a fresh one
		page    string
		err     string
	}{
		{"case=nothing set", []string{"HOME=/home/dev"}, "random", localPage, ""},
		{"case=own keyring", []string{keys.EnvSigningKeys + "=" + own}, own, localPage, ""},
		{"case=own page", []string{handler.EnvPageURL + "=https://page.example.net"}, "random", "https://page.example.net", ""},
		{"case=secret named", []string{keys.EnvSecretARN + "=arn:aws:secretsmanager:eu-west-1:1:secret:k"}, "", localPage, ""},
		{"case=blank keyring", []string{keys.EnvSigningKeys + "= "}, "", "", "set but blank"},
		{"case=empty secret", []string{keys.EnvSecretARN + "="}, "", "", "set but blank"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			env, notes, err := invokeEnv(tc.environ, dir)
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			page, _ := lookup(env, handler.EnvPageURL)
			assert.Equal(t, tc.page, page)
			ring, set := lookup(env, keys.EnvSigningKeys)
			switch tc.keys {
			case "":
				assert.False(t, set)
			case "random":
				parsed, err := link.ParseKeyring([]byte(ring))
				require.NoError(t, err)
				assert.False(t, keys.IsDevelopment(parsed))
				saved, err := os.ReadFile(filepath.Join(dir, "keys.json"))
				require.NoError(t, err)
				assert.Equal(t, ring, strings.TrimSpace(string(saved)), "saved, to verify the link with")
				info, err := os.Stat(filepath.Join(dir, "keys.json"))
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
				again, _, err := invokeEnv(tc.environ, t.TempDir())
				require.NoError(t, err)
				other, _ := lookup(again, keys.EnvSigningKeys)
				assert.NotEqual(t, ring, other, "a fresh keyring per run")
				assert.Contains(t, strings.Join(notes, "\n"), "fresh random keyring")
			default:
				assert.Equal(t, tc.keys, ring)
				assert.NoFileExists(t, filepath.Join(dir, "keys.json"))
			}
		})
	}
}

// localPage is the page server's default address.
func TestLocalPageIsThePagesDefault(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "page", "main.go"))
	require.NoError(t, err)
	assert.Contains(t, string(src), `defaultAddr = "`+strings.TrimPrefix(localPage, "http://")+`"`)
}

// make invoke end to end: the recorded ForgotPassword event through the
// emulator gives a link to the local page, signed with this run's keyring
// and bound to the event's pool.
func TestInvokeLinksToTheLocalPage(t *testing.T) {
	root, err := rie.ModuleRoot()
	require.NoError(t, err)
	if _, err := rie.Find(root); err != nil {
		t.Skip("aws-lambda-rie not installed: run make tools")
	}
	goTool, err := exec.LookPath("go")
	require.NoError(t, err)
	bootstrap := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command(goTool, "build", "-tags", "lambda.norpc", "-trimpath", "-o", bootstrap, "./lambda/cmd/bootstrap")
	build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	var environ []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COGMAIL_") && !strings.HasPrefix(kv, "AWS_") {
			environ = append(environ, kv)
		}
	}
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"-bootstrap", bootstrap, "-event", filepath.Join(root, "events", "forgot-password.json"), "-out", dir},
		environ, &stdout, &stderr)
	require.NoError(t, err, stderr.String())
	m := regexp.MustCompile(`(?m)^link:\s+(\S+)$`).FindStringSubmatch(stdout.String())
	require.NotNil(t, m, "no link in the summary:\n%s", stdout.String())
	assert.True(t, strings.HasPrefix(m[1], localPage+"/reset?"), m[1])

	saved, err := os.ReadFile(filepath.Join(dir, "keys.json"))
	require.NoError(t, err)
	ring, err := link.ParseKeyring(saved)
	require.NoError(t, err)
	claims, err := link.Verify(strings.Replace(m[1], "{####}", "123456", 1), ring, time.Now())
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1_Ab12Cd34E", claims.UserPool)
	assert.Equal(t, link.PurposeReset, claims.Purpose)

	whole, err := os.ReadFile(filepath.Join(dir, "forgot-password.json"))
	require.NoError(t, err)
	assert.True(t, json.Valid(whole))
	assert.NotContains(t, string(whole), "app.example.com/reset", "no link to the example host")
}
