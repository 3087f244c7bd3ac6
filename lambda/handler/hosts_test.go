package handler_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

func TestExampleHost(t *testing.T) {
	for _, tc := range []struct {
		url     string
		example bool
	}{
		{"https://app.example.com/reset-password", true},
		{"https://example.com/", true},
		{"https://EXAMPLE.NET./x", true},
		{"https://a.b.example.org/x", true},
		{"https://login.acme-rockets.example/passwort", true},
		{"https://page.test/reset", true},
		{"https://x.invalid/reset", true},
		{"http://localhost:8080/reset", true},
		{"http://app.localhost/reset", true},
		{"http://127.0.0.1:8080/reset", false}, // loopback: the local page, allowed
		{"http://127.9.9.9/reset", false},
		{"http://[::1]:8080/reset", false},
		{"http://localhost.example.com/reset", true},
		{"https://abc123.lambda-url.eu-west-1.on.aws/reset", false},
		{"https://example.co/reset", false},
		{"https://myexample.com/reset", false},
		{"https://example.com.evil.net/reset", false},
		{"https://testing.dev/reset", false},
	} {
		t.Run("case="+tc.url, func(t *testing.T) {
			assert.Equal(t, tc.example, handler.ExampleHost(tc.url))
		})
	}
}

func TestPageBase(t *testing.T) {
	for _, tc := range []struct {
		raw      string
		inLambda bool
		want     string
		err      string
	}{
		{"", true, "", ""},
		{"https://abc.lambda-url.eu-west-1.on.aws/", true, "https://abc.lambda-url.eu-west-1.on.aws", ""},
		{" https://login.acme.example/account// ", true, "https://login.acme.example/account", ""},
		{"http://127.0.0.1:8080", false, "http://127.0.0.1:8080", ""},
		{"http://127.0.0.1:8080", true, "http://127.0.0.1:8080", ""},
		{"http://[::1]:8088/", true, "http://[::1]:8088", ""},
		{"http://localhost:8080", true, "", "https"},
		{"http://10.0.0.1:8080", true, "", "https"},
		{"http://page.acme.example", false, "", "https"},
		{"https://page.acme.example/?x=1", true, "", "query"},
		{"https://page.acme.example/#x", true, "", "fragment"},
		{"https://user:pw@page.acme.example/", true, "", "credentials"},
		{"/reset", false, "", "https"},
	} {
		t.Run("case="+tc.raw, func(t *testing.T) {
			got, err := handler.PageBase(tc.raw, tc.inLambda)
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// productionRing is a keyring as a deployment has one: not the public
// development keyring, nor a weak key.
var productionRing = func() string {
	key := sha256.Sum256([]byte("cogmail handler test production key"))
	return `{"current":"p1","keys":{"p1":"` + base64.StdEncoding.EncodeToString(key[:]) + `"}}`
}()

// setupLines runs Setup with env and returns the handler and the log so far.
func setupLines(t *testing.T, env map[string]string) (*handler.Handler, *bytes.Buffer) {
	t.Helper()
	logs := new(bytes.Buffer)
	h := handler.Setup(context.Background(), func(k string) string { return env[k] },
		slog.New(slog.NewJSONHandler(logs, nil)))
	return h, logs
}

// logLines decodes every JSON log line.
func logLines(t *testing.T, logs *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		out = append(out, m)
	}
	return out
}

// Inside Lambda the shipped default tenant's example hosts never reach a
// user: the link is left out (the code stays) and the log says so, loudly
// at cold start and in every answer's line, unless COGMAIL_PAGE_URL points
// the links at a real page, or at the local page on a loopback address.
// Outside Lambda example hosts still work. The development keyring signs
// nothing inside Lambda, an emulator included.
func TestExampleHostsInsideLambda(t *testing.T) {
	const page = "https://abc123.lambda-url.eu-west-1.on.aws/"
	inLambda := func(extra map[string]string) map[string]string {
		env := map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "cogmail", keys.EnvSigningKeys: productionRing}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	for _, tc := range []struct {
		name      string
		env       map[string]string
		event     string
		wantLink  string // the link's scheme, host and path; "" none
		coldError string // a cold-start ERROR containing this; "" none
		answer    string // the answer's log line's error contains this
	}{
		{"inside Lambda, shipped default: no link", inLambda(nil), "forgot-password", "",
			"https://app.example.com/reset-password", "links.resetUrl of tenant default"},
		{"runtime API variable alone counts as Lambda", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", keys.EnvSigningKeys: productionRing},
			"forgot-password", "", "https://app.example.com/reset-password", "reserved example host"},
		{"inside Lambda, invitation: no link", inLambda(nil), "admin-create-user", "",
			"https://app.example.com/activate", "links.inviteUrl of tenant default"},
		{"inside Lambda with the page URL: reset", inLambda(map[string]string{handler.EnvPageURL: page}), "forgot-password",
			"https://abc123.lambda-url.eu-west-1.on.aws/reset", "", ""},
		{"inside Lambda with the page URL: invitation", inLambda(map[string]string{handler.EnvPageURL: page}), "admin-create-user",
			"https://abc123.lambda-url.eu-west-1.on.aws/activate", "", ""},
		{"inside Lambda with the page URL: sign-up", inLambda(map[string]string{handler.EnvPageURL: page}), "sign-up",
			"https://abc123.lambda-url.eu-west-1.on.aws/confirm", "", ""},
		{"inside Lambda, page URL over http: refused", inLambda(map[string]string{handler.EnvPageURL: "http://page.acme.example/"}), "forgot-password", "",
			handler.EnvPageURL, "reserved example host"},
		{"inside Lambda, page URL on an example host: no link", inLambda(map[string]string{handler.EnvPageURL: "https://page.example.org"}), "forgot-password", "",
			"https://page.example.org/reset", "(https://page.example.org/reset) is a reserved example host"},
		{"emulator with the development keyring: no key, no link", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", keys.EnvSigningKeys: keys.DevelopmentJSON},
			"forgot-password", "", "public development key", "reserved example host"},
		{"emulator with the development keyring and a page: still no link", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
			keys.EnvSigningKeys: keys.DevelopmentJSON, handler.EnvPageURL: "http://127.0.0.1:8088"},
			"forgot-password", "", "public development key", "no signing key"},
		{"inside Lambda, page on loopback: the local page", inLambda(map[string]string{handler.EnvPageURL: "http://127.0.0.1:8088"}), "admin-create-user",
			"http://127.0.0.1:8088/activate", "", ""},
		{"inside Lambda, page on localhost: refused", inLambda(map[string]string{handler.EnvPageURL: "http://localhost:8088"}), "forgot-password", "",
			handler.EnvPageURL, "reserved example host"},
		{"outside Lambda: the shipped links", map[string]string{keys.EnvSigningKeys: productionRing}, "forgot-password",
			"https://app.example.com/reset-password", "", ""},
		{"outside Lambda, page on loopback", map[string]string{handler.EnvPageURL: "http://127.0.0.1:8089"}, "forgot-password",
			"http://127.0.0.1:8089/reset", "", ""},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			h, logs := setupLines(t, tc.env)
			cold := logLines(t, logs)
			var coldErrors []string
			for _, l := range cold {
				if l["level"] == "ERROR" {
					b, _ := json.Marshal(l)
					coldErrors = append(coldErrors, string(b))
				}
			}
			if tc.coldError == "" {
				assert.Empty(t, coldErrors)
			} else {
				require.NotEmpty(t, coldErrors, "a loud error at cold start")
				assert.Contains(t, strings.Join(coldErrors, "\n"), tc.coldError)
			}

			logs.Reset()
			_, a := invoke(t, h, readEvent(t, tc.event))
			require.True(t, a.rendered())
			assert.Contains(t, a.email(), "{####}", "the code reaches the user")
			lines := logLines(t, logs)
			require.Len(t, lines, 1, "one line per answer: the tenant's links were reported at cold start")
			answer := lines[0]
			assert.Equal(t, "rendered", answer["outcome"], "the rich email, in the user's language")
			if tc.wantLink == "" {
				assert.Empty(t, hrefs(a.email()))
				assert.NotContains(t, a.email(), "example.com/", "no example link, not even as text")
				assert.Equal(t, "WARN", answer["level"])
				assert.Contains(t, answer["error"], tc.answer)
				return
			}
			links := hrefs(a.email())
			require.NotEmpty(t, links)
			u, err := url.Parse(links[0])
			require.NoError(t, err)
			assert.Equal(t, tc.wantLink, u.Scheme+"://"+u.Host+u.Path)
			ring, err := link.ParseKeyring([]byte(tc.env[keys.EnvSigningKeys]))
			if err != nil {
				ring = keys.Development()
			}
			_, err = link.Verify(strings.Replace(links[0], "{####}", "123456", 1), ring, time.Now())
			assert.NoError(t, err)
			assert.Nil(t, answer["error"])
		})
	}
}

// The page URL replaces only example hosts: a default tenant from an
// overlay that names its own page keeps it.
func TestPageURLLeavesRealHosts(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tenants", "default", "tenant.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
	require.NoError(t, os.WriteFile(file, []byte(`{"id": "default", "displayName": "Ours",
	  "links": {"resetUrl": "https://login.ours.example.com.au/reset", "inviteUrl": "https://login.example.test/activate",
	            "mode": "query", "resetExpiry": "1h", "inviteExpiry": "24h"},
	  "brand": {"productName": "Ours", "primaryColor": "#1a56db", "buttonTextColor": "#ffffff"},
	  "languages": {"default": "en", "supported": ["en"]}}`), 0o644))
	h, _ := setupLines(t, map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "cogmail", keys.EnvSigningKeys: productionRing,
		handler.EnvTemplatesDir: dir, handler.EnvPageURL: "https://page.ours.example.com.au",
	})
	_, a := invoke(t, h, readEvent(t, "forgot-password"))
	assert.Equal(t, "login.ours.example.com.au", firstLink(t, a).Host)
	_, a = invoke(t, h, readEvent(t, "admin-create-user"))
	assert.Equal(t, "https://page.ours.example.com.au/activate", strings.Split(firstLink(t, a).String(), "?")[0])
}

// Another tenant's example hosts are reported once, on its first use.
func TestExampleHostsOfAnotherTenantReportedOnce(t *testing.T) {
	h, logs := setupLines(t, map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "cogmail", keys.EnvSigningKeys: productionRing,
		handler.EnvPageURL: "https://abc123.lambda-url.eu-west-1.on.aws",
	})
	acme := func(ev map[string]any) { ev["userPoolId"] = "eu-west-1_Mn34Pq56R" }
	logs.Reset()
	for range 2 {
		_, a := invoke(t, h, withEvent(t, "forgot-password", acme))
		assert.Empty(t, hrefs(a.email()), "acme's shipped links are on an example host")
		assert.Contains(t, a.email(), "{####}")
	}
	var errors []map[string]any
	for _, l := range logLines(t, logs) {
		if l["level"] == "ERROR" {
			errors = append(errors, l)
		}
	}
	require.Len(t, errors, 2, "each of acme's two links, once: %s", logs)
	for i, want := range []struct{ field, url string }{
		{"links.resetUrl", "https://login.acme-rockets.example/passwort"},
		{"links.inviteUrl", "https://login.acme-rockets.example/aktivieren"},
	} {
		assert.Equal(t, "acme", errors[i]["tenant"])
		assert.Equal(t, want.field, errors[i]["field"])
		assert.Equal(t, want.url, errors[i]["url"])
		assert.Contains(t, errors[i]["fix"], "tenants/acme/tenant.json")
	}
}
