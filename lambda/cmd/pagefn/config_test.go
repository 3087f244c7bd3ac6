package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/page"
)

// csrfKey is what template.yaml's GenerateSecretString makes: 64 letters
// and digits (ExcludePunctuation), which is base64 of 48 bytes.
const csrfKey = "Qx7bN2kLm9PzR4tVw8YcD3fGh6JsA1eUo5iK0nHqXyZrTuVbWcEdFgSaPlOkMjNi"

// pageConfig is the configuration JSON as the stack's secret holds it.
const pageConfig = `{"tenants":{"default":{"userPoolId":"eu-west-1_Ab12Cd34E","clientId":"5k2m9q4t7w1z3c6f8h0j2n4p6r",` +
	`"signInUrl":"https://abc123.lambda-url.eu-west-1.on.aws/","passwordPolicy":{"minLength":12,"requireUppercase":true,` +
	`"requireLowercase":true,"requireNumbers":true,"requireSymbols":false}}},"csrfKey":"` + csrfKey + `"}`

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// clock is a settable time for the retry interval.
type clock struct{ t atomic.Pointer[time.Time] }

func newClock() *clock {
	c := &clock{}
	c.set(time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC))
	return c
}
func (c *clock) now() time.Time            { return *c.t.Load() }
func (c *clock) set(t time.Time)           { c.t.Store(&t) }
func (c *clock) advance(d time.Duration)   { c.set(c.now().Add(d)) }
func get(t *testing.T, h http.Handler) int { return serve(t, h).Code }

func serve(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	return rec
}

// A page whose configuration cannot be read answers 503 and tries again
// on a later request, no more than every 30 seconds.
func TestLazyRetries(t *testing.T) {
	c := newClock()
	builds := 0
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	var logs bytes.Buffer
	l := &lazy{now: c.now, logger: slog.New(slog.NewJSONHandler(&logs, nil)), build: func(context.Context) (http.Handler, error) {
		builds++
		if builds == 1 {
			return nil, errors.New("throttled")
		}
		return ok, nil
	}}
	for _, step := range []struct {
		name   string
		after  time.Duration
		status int
		builds int
	}{
		{"case=cold start fails", 0, http.StatusServiceUnavailable, 1},
		{"case=no second try within 30 s", 29 * time.Second, http.StatusServiceUnavailable, 1},
		{"case=tried again after 30 s", 2 * time.Second, http.StatusOK, 2},
		{"case=built once for good", time.Hour, http.StatusOK, 2},
	} {
		t.Run(step.name, func(t *testing.T) {
			c.advance(step.after)
			rec := serve(t, l)
			assert.Equal(t, step.status, rec.Code)
			assert.Equal(t, step.builds, builds)
			if step.status == http.StatusServiceUnavailable {
				assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
				assert.Equal(t, "no-referrer", rec.Header().Get("Referrer-Policy"))
				assert.NotEmpty(t, rec.Header().Get("Retry-After"))
			}
		})
	}
	assert.Contains(t, logs.String(), "throttled")
}

// COGMAIL_PAGE_CONFIG (the PageConfig parameter) wins over the secret, which
// is then never read; with neither, setup fails as before.
func TestSetupPrecedence(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	isolateAWS(t, srv.URL)

	h, err := setup(context.Background(), envOf(map[string]string{
		page.EnvConfig: pageConfig, EnvConfigSecret: "cogmail-page-config", keys.EnvSigningKeys: keys.DevelopmentJSON,
	}), quiet(), time.Now, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, get(t, h))
	assert.Zero(t, requests.Load(), "the secret is not read when the variable is set")

	_, err = setup(context.Background(), envOf(map[string]string{keys.EnvSigningKeys: keys.DevelopmentJSON}), quiet(), time.Now, nil)
	assert.ErrorContains(t, err, page.EnvConfig)
}

// Inside Lambda the configuration, which holds an app client's secret and
// the CSRF key, never comes from an environment variable: anyone allowed
// lambda:GetFunctionConfiguration reads those.
func TestSetupRefusesConfigVariableInLambda(t *testing.T) {
	for _, inLambda := range []string{"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_RUNTIME_API"} {
		t.Run("case="+inLambda, func(t *testing.T) {
			_, err := setup(context.Background(), envOf(map[string]string{
				page.EnvConfig: pageConfig, EnvConfigSecret: "cogmail-page-config", inLambda: "x",
			}), quiet(), time.Now, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), page.EnvConfig+" is not read inside Lambda")
			assert.NotContains(t, err.Error(), csrfKey)
		})
	}
}

func TestReadSecretFailures(t *testing.T) {
	const id = "cogmail-page-config"
	slow := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	denied := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"AccessDeniedException","Message":"not authorized to perform: secretsmanager:GetSecretValue"}`)
	}
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    []string
		is      error
	}{
		{"case=slow endpoint", slow, []string{"timed out", id}, context.DeadlineExceeded},
		{"case=access denied", denied, []string{"AccessDeniedException", "secretsmanager:GetSecretValue", id}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			t.Cleanup(srv.Close)
			isolateAWS(t, srv.URL)
			_, err := readSecret(context.Background(), id, 300*time.Millisecond)
			require.Error(t, err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
		})
	}
}

// TestSetupFromSecret runs the page's configuration through moto, a real
// implementation of the Secrets Manager API: a secret missing at cold start
// (the stack creating it after the function, say) is read on a later try.
func TestSetupFromSecret(t *testing.T) {
	endpoint := moto.Start(t)
	isolateAWS(t, endpoint)
	// A busy machine may answer slower than production's 2 s budget; the
	// budget itself is checked with a slow endpoint above.
	defer func(d time.Duration) { secretTimeout = d }(secretTimeout)
	secretTimeout = time.Minute
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	require.NoError(t, err)
	sm := secretsmanager.NewFromConfig(cfg)
	create := func(name, value string) {
		t.Helper()
		_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: &value})
		require.NoError(t, err)
	}
	env := func(name string) func(string) string {
		return envOf(map[string]string{EnvConfigSecret: name, keys.EnvSigningKeys: keys.DevelopmentJSON})
	}

	t.Run("case=read at cold start", func(t *testing.T) {
		create("stack-a-page-config", pageConfig)
		h, err := setup(ctx, env("stack-a-page-config"), quiet(), time.Now, nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, get(t, h))
	})
	t.Run("case=missing at cold start, read later", func(t *testing.T) {
		c := newClock()
		var logs bytes.Buffer
		h, err := setup(ctx, env("stack-b-page-config"), slog.New(slog.NewJSONHandler(&logs, nil)), c.now, nil)
		require.NoError(t, err, "a secret that cannot be read is not fatal")
		assert.Equal(t, http.StatusServiceUnavailable, get(t, h))
		assert.Contains(t, logs.String(), "ResourceNotFoundException")
		create("stack-b-page-config", pageConfig)
		assert.Equal(t, http.StatusServiceUnavailable, get(t, h), "not tried again within 30 s")
		c.advance(retryEvery)
		assert.Equal(t, http.StatusOK, get(t, h))
		assert.NotContains(t, logs.String(), csrfKey)
	})
	t.Run("case=a bad value is retried too, and never logged", func(t *testing.T) {
		c := newClock()
		var logs bytes.Buffer
		bad := strings.Replace(pageConfig, `"tenants"`, `"tennats"`, 1)
		create("stack-c-page-config", bad)
		h, err := setup(ctx, env("stack-c-page-config"), slog.New(slog.NewJSONHandler(&logs, nil)), c.now, nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusServiceUnavailable, get(t, h))
		assert.Contains(t, logs.String(), page.EnvConfig)
		assert.NotContains(t, logs.String(), csrfKey)
		_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: strPtr("stack-c-page-config"), SecretString: strPtr(pageConfig)})
		require.NoError(t, err)
		c.advance(retryEvery)
		assert.Equal(t, http.StatusOK, get(t, h))
	})
}

func strPtr(s string) *string { return &s }

func quiet() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// isolateAWS points the SDK at endpoint with dummy credentials and keeps it
// away from the machine's AWS files, profiles and instance metadata.
func isolateAWS(t *testing.T, endpoint string) {
	t.Helper()
	absent := filepath.Join(t.TempDir(), "absent")
	for name, value := range map[string]string{
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": absent, "AWS_SHARED_CREDENTIALS_FILE": absent,
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": endpoint, "AWS_ENDPOINT_URL_SECRETS_MANAGER": endpoint,
	} {
		t.Setenv(name, value)
	}
}
