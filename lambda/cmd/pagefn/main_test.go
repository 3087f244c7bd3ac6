package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdaurl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/page/pagetest"
)

// The function reads its environment as keys.Getenv does: a keyring
// variable set to "" (a failed $(…), an empty deployment parameter) stops
// it, where os.Getenv would read it as unset and, outside Lambda, check
// links with the public development keyring.
func TestEnvironRefusesABlankKeyring(t *testing.T) {
	_, ringJSON := pagetest.Keyring(t)
	tests := []struct {
		name, variable, value string
		want                  string // error text; "" builds the page
	}{
		{"case=signing-keys-set-empty", keys.EnvSigningKeys, "", "blank"},
		{"case=secret-arn-set-empty", keys.EnvSecretARN, "", "blank"},
		{"case=signing-keys", keys.EnvSigningKeys, ringJSON, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t, "")
			// Outside Lambda, where an unset keyring would be the development one.
			for _, name := range []string{"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_RUNTIME_API", EnvConfigSecret,
				keys.EnvSigningKeys, keys.EnvSecretARN, "COGMAIL_TEMPLATES_DIR"} {
				t.Setenv(name, "") // restored after the test
				require.NoError(t, os.Unsetenv(name))
			}
			t.Setenv(page.EnvConfig, pagetest.Config)
			t.Setenv(tt.variable, tt.value)
			_, err := setup(context.Background(), environ, slog.New(slog.NewJSONHandler(io.Discard, nil)), time.Now, nil)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestWithCookies(t *testing.T) {
	tests := []struct {
		name    string
		cookies []string
		header  map[string]string
		want    string
	}{
		{"case=event-cookies", []string{"a=1", "__Host-cogmail-csrf=n"}, nil, "a=1; __Host-cogmail-csrf=n"},
		{"case=none", nil, nil, ""},
		{"case=header-wins", []string{"a=1"}, map[string]string{"cookie": "b=2"}, "b=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, proto string
			fn := lambdaurl.Wrap(withCookies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, proto = r.Header.Get("Cookie"), r.Header.Get("X-Forwarded-Proto")
				w.WriteHeader(http.StatusNoContent)
			})))
			header := map[string]string{"x-forwarded-proto": "https"}
			for k, v := range tt.header {
				header[k] = v
			}
			res, err := fn(context.Background(), &events.LambdaFunctionURLRequest{
				RawPath: "/healthz", Cookies: tt.cookies, Headers: header,
				RequestContext: events.LambdaFunctionURLRequestContext{DomainName: "page.example",
					HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: http.MethodGet}},
			})
			require.NoError(t, err)
			_, err = io.Copy(io.Discard, res.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, "https", proto, "the page learns HTTPS from this header")
		})
	}
}
