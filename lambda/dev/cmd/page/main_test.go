package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const config = `{"tenants": {"default": {"userPoolId": "local_abc1", "clientId": "c1", "signInUrl": "http://127.0.0.1:3000/"}}}`

func TestRun(t *testing.T) {
	tests := []struct {
		name, addr string
		public     bool
		want       string // error text; "" runs until cancelled
	}{
		{"case=non-loopback-refused", "0.0.0.0:0", false, "pass -public"},
		{"case=all-interfaces-refused", ":0", false, "pass -public"},
		{"case=bad-address", "nonsense", false, "COGMAIL_PAGE_ADDR"},
		{"case=loopback-serves-and-stops", "127.0.0.1:0", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{EnvAddr: tt.addr, "COGMAIL_PAGE_CONFIG": config}
			logs := new(bytes.Buffer)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := run(ctx, tt.public, func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(logs, nil)))
			if tt.want != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			require.NoError(t, err)
			assert.Contains(t, logs.String(), `"msg":"page listening"`)
			assert.Contains(t, logs.String(), `"msg":"shutting down"`)
		})
	}
}

// The sign-in page exists only where Cognito is cognito-local on this
// machine: behind a real pool it would be a password oracle nobody needs.
func TestLocalSignInOnlyWithLocalCognito(t *testing.T) {
	tests := []struct {
		name, endpoint string
		want           int
	}{
		{"case=cognito-local", "http://127.0.0.1:9229", http.StatusOK},
		{"case=aws", "https://cognito-idp.eu-west-1.amazonaws.com", http.StatusNotFound},
		{"case=no-endpoint", "", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The SDK reads its endpoint from the process environment itself.
			for _, k := range []string{"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ENDPOINT_URL"} {
				t.Setenv(k, "") // restored after the test
				require.NoError(t, os.Unsetenv(k))
			}
			if tt.endpoint != "" {
				t.Setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", tt.endpoint)
			}
			t.Setenv("AWS_REGION", "us-east-1")
			t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
			env := map[string]string{"COGMAIL_PAGE_CONFIG": config}
			h, err := newHandler(func(k string) string { return env[k] }, false, slog.New(slog.NewJSONHandler(io.Discard, nil)))
			require.NoError(t, err)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/signin", nil))
			assert.Equal(t, tt.want, rec.Code)
		})
	}
}
