package keys_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
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
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/keys"
)

// env returns a Getenv reading only m, so no test depends on the machine's
// environment (a CI runner might itself look like Lambda).
func env(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

// newKey returns n random bytes in base64: random so that finding it in an
// error message can only mean the message leaked it.
func newKey(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(b)
}

func ringJSON(kid, key string) string {
	return fmt.Sprintf(`{"current":%q,"keys":{%q:%q}}`, kid, kid, key)
}

// assertNoSecrets fails if err shows any of secrets, in any format a logger
// might use.
func assertNoSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		for _, s := range secrets {
			assert.NotContains(t, text, s, "error shows secret material")
		}
	}
}

func TestDevelopment(t *testing.T) {
	ring := keys.Development()
	require.NotNil(t, ring, "DevelopmentJSON must parse")
	assert.Equal(t, "dev-1", ring.Current())
	assert.Equal(t, []string{"dev-1"}, ring.IDs())
	assert.Same(t, ring, keys.Development(), "parsed once and shared")
}

func TestInLambda(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"case=empty", nil, false},
		{"case=function-name", map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "cogmail"}, true},
		{"case=runtime-api", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"}, true},
		{"case=both", map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "cogmail", "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"}, true},
		{"case=other-aws", map[string]string{"AWS_REGION": "eu-west-1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, keys.InLambda(env(tt.env)))
		})
	}
}

// TestLoad covers every source but Secrets Manager, which needs a server.
func TestLoad(t *testing.T) {
	good := newKey(t, 32)
	other := newKey(t, 48)
	short := newKey(t, 16)
	lambda := map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "cogmail"}
	with := func(base map[string]string, name, value string) map[string]string {
		m := map[string]string{name: value}
		for k, v := range base {
			m[k] = v
		}
		return m
	}

	tests := []struct {
		name       string
		env        map[string]string
		wantSource keys.Source
		wantKid    string   // current kid of the ring; "" means an error
		wantErr    []string // substrings of the error
		wantIs     error
	}{
		{
			name:       "case=env-good",
			env:        map[string]string{keys.EnvSigningKeys: ringJSON("k1", good)},
			wantSource: keys.SourceEnv, wantKid: "k1",
		},
		{
			name:       "case=env-good-in-lambda",
			env:        with(lambda, keys.EnvSigningKeys, ringJSON("k2", other)),
			wantSource: keys.SourceEnv, wantKid: "k2",
		},
		{
			name:       "case=env-not-json",
			env:        map[string]string{keys.EnvSigningKeys: `{"current":"k1","keys":{"k1":"` + good + `"`},
			wantSource: keys.SourceEnv,
			wantErr:    []string{keys.EnvSigningKeys, "not valid JSON"},
		},
		{
			name:       "case=env-key-too-short",
			env:        map[string]string{keys.EnvSigningKeys: ringJSON("k1", short)},
			wantSource: keys.SourceEnv,
			wantErr:    []string{keys.EnvSigningKeys, `key "k1" has 16 bytes, needs at least 32`},
		},
		{
			// A configured but broken source is an error, even outside
			// Lambda: falling back to development keys would hide it.
			name:       "case=env-malformed-no-fallback",
			env:        map[string]string{keys.EnvSigningKeys: `[]`},
			wantSource: keys.SourceEnv,
			wantErr:    []string{keys.EnvSigningKeys},
		},
		{
			name:       "case=development",
			env:        nil,
			wantSource: keys.SourceDevelopment, wantKid: "dev-1",
		},
		{
			// Set but blank is a broken configuration, not an absent one:
			// never the public development keyring (production_test.go).
			name:       "case=blank-env-no-development",
			env:        map[string]string{keys.EnvSigningKeys: "  \n"},
			wantSource: keys.SourceEnv,
			wantErr:    []string{keys.EnvSigningKeys, "blank"},
			wantIs:     keys.ErrBlank,
		},
		{
			name:       "case=none-function-name",
			env:        lambda,
			wantSource: keys.SourceNone,
			wantErr:    []string{keys.EnvSecretARN, keys.EnvSigningKeys},
			wantIs:     keys.ErrNoKeys,
		},
		{
			name:       "case=none-runtime-api",
			env:        map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"},
			wantSource: keys.SourceNone,
			wantIs:     keys.ErrNoKeys,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring, source, err := keys.Load(context.Background(), keys.Options{Getenv: env(tt.env)})
			assert.Equal(t, tt.wantSource, source)
			assertNoSecrets(t, err, good, other, short)
			if tt.wantKid == "" {
				require.Error(t, err)
				assert.Nil(t, ring)
				for _, want := range tt.wantErr {
					assert.Contains(t, err.Error(), want)
				}
				if tt.wantIs != nil {
					assert.ErrorIs(t, err, tt.wantIs)
				}
				return
			}
			require.NoError(t, err)
			require.NotNil(t, ring)
			assert.Equal(t, tt.wantKid, ring.Current())
			if tt.wantSource == keys.SourceDevelopment {
				assert.Same(t, keys.Development(), ring)
			}
		})
	}
}

// isolateAWS points the SDK at endpoint with dummy credentials and keeps it
// away from the machine's AWS files, profiles and instance metadata.
func isolateAWS(t *testing.T, endpoint string) {
	t.Helper()
	absent := filepath.Join(t.TempDir(), "absent")
	for name, value := range map[string]string{
		"AWS_ACCESS_KEY_ID":                "test",
		"AWS_SECRET_ACCESS_KEY":            "test",
		"AWS_SESSION_TOKEN":                "",
		"AWS_REGION":                       "us-east-1",
		"AWS_PROFILE":                      "",
		"AWS_CONFIG_FILE":                  absent,
		"AWS_SHARED_CREDENTIALS_FILE":      absent,
		"AWS_EC2_METADATA_DISABLED":        "true",
		"AWS_ENDPOINT_URL":                 endpoint,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": endpoint,
	} {
		t.Setenv(name, value)
	}
}

// TestLoadSecretsManager runs Load against moto, a real implementation of the
// Secrets Manager API.
func TestLoadSecretsManager(t *testing.T) {
	endpoint := moto.Start(t)
	isolateAWS(t, endpoint)

	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	require.NoError(t, err)
	sm := secretsmanager.NewFromConfig(cfg)
	create := func(name string, in secretsmanager.CreateSecretInput) string {
		t.Helper()
		in.Name = &name
		out, err := sm.CreateSecret(ctx, &in)
		require.NoError(t, err, "creating secret %s", name)
		require.NotNil(t, out.ARN)
		return *out.ARN
	}
	str := func(s string) *string { return &s }

	good := newKey(t, 32)
	binary := newKey(t, 64)
	envKey := newKey(t, 32)
	short := newKey(t, 31)
	malformedValue := `{"current":"k1","keys":{"k1":"` + good + `",}}`

	goodARN := create("cogmail/good", secretsmanager.CreateSecretInput{SecretString: str(ringJSON("sm-1", good))})
	binaryARN := create("cogmail/binary", secretsmanager.CreateSecretInput{SecretBinary: []byte(ringJSON("bin-1", binary))})
	malformedARN := create("cogmail/malformed", secretsmanager.CreateSecretInput{SecretString: str(malformedValue)})
	shortARN := create("cogmail/short", secretsmanager.CreateSecretInput{SecretString: str(ringJSON("k1", short))})
	missingARN := strings.Replace(goodARN, "cogmail/good", "cogmail/missing", 1)

	tests := []struct {
		name    string
		env     map[string]string
		wantKid string   // current kid of the ring; "" means an error
		wantErr []string // substrings of the error
		wantAs  any      // pointer to an error type the error must wrap
	}{
		{
			name:    "case=good",
			env:     map[string]string{keys.EnvSecretARN: goodARN},
			wantKid: "sm-1",
		},
		{
			name:    "case=binary",
			env:     map[string]string{keys.EnvSecretARN: binaryARN},
			wantKid: "bin-1",
		},
		{
			name:    "case=in-lambda",
			env:     map[string]string{keys.EnvSecretARN: goodARN, "AWS_LAMBDA_FUNCTION_NAME": "cogmail"},
			wantKid: "sm-1",
		},
		{
			// The secret wins: a deployed function must use the managed
			// keyring even if COGMAIL_SIGNING_KEYS was left in its config.
			name:    "case=arn-wins-over-env",
			env:     map[string]string{keys.EnvSecretARN: goodARN, keys.EnvSigningKeys: ringJSON("env-1", envKey)},
			wantKid: "sm-1",
		},
		{
			// ...and a failing secret does not fall back to the variable.
			name:    "case=arn-wins-over-env-even-failing",
			env:     map[string]string{keys.EnvSecretARN: missingARN, keys.EnvSigningKeys: ringJSON("env-1", envKey)},
			wantErr: []string{"not found", missingARN, "ResourceNotFoundException"},
			wantAs:  new(*keys.APIError),
		},
		{
			name:    "case=missing",
			env:     map[string]string{keys.EnvSecretARN: missingARN},
			wantErr: []string{"not found", missingARN, "ResourceNotFoundException"},
			wantAs:  new(*keys.APIError),
		},
		{
			name:    "case=not-json",
			env:     map[string]string{keys.EnvSecretARN: malformedARN},
			wantErr: []string{malformedARN, "not valid JSON"},
		},
		{
			name:    "case=key-too-short",
			env:     map[string]string{keys.EnvSecretARN: shortARN},
			wantErr: []string{shortARN, `key "k1" has 31 bytes, needs at least 32`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not the function's 2 s budget: this test is about answers,
			// and moto on a busy machine is slower than Secrets Manager.
			ring, source, err := keys.Load(ctx, keys.Options{Getenv: env(tt.env), Timeout: patience.For(2 * time.Second)})
			assert.Equal(t, keys.SourceSecretsManager, source)
			assertNoSecrets(t, err, good, binary, envKey, short, malformedValue)
			if tt.wantKid == "" {
				require.Error(t, err)
				assert.Nil(t, ring)
				for _, want := range tt.wantErr {
					assert.Contains(t, err.Error(), want)
				}
				if tt.wantAs != nil {
					assert.ErrorAs(t, err, tt.wantAs)
				}
				return
			}
			require.NoError(t, err)
			require.NotNil(t, ring)
			assert.Equal(t, tt.wantKid, ring.Current())
		})
	}
}

// TestLoadSecretsManagerFake covers what moto cannot show: a slow endpoint and
// a refusal. It needs no moto, so it always runs.
func TestLoadSecretsManagerFake(t *testing.T) {
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cogmail/keys-AbCdEf"
	slow := func(w http.ResponseWriter, r *http.Request) {
		// Read the body so the server notices when the client gives up
		// and cancels r.Context(); srv.Close would otherwise wait.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	denied := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"AccessDeniedException","Message":"User is not authorized to perform: secretsmanager:GetSecretValue"}`)
	}

	// Only the slow endpoint is meant to reach the timeout; the others must
	// not, however busy the machine.
	const short = 300 * time.Millisecond
	tests := []struct {
		name    string
		handler http.HandlerFunc
		cancel  bool          // cancel the caller's context up front
		timeout time.Duration // 0: one the answer comes well within
		wantErr []string
		wantIs  error
	}{
		{
			name:    "case=slow-endpoint",
			handler: slow,
			timeout: short,
			wantErr: []string{"timed out after " + short.String(), arn},
			wantIs:  context.DeadlineExceeded,
		},
		{
			name:    "case=caller-canceled",
			handler: slow,
			cancel:  true,
			wantErr: []string{"canceled", arn},
			wantIs:  context.Canceled,
		},
		{
			name:    "case=access-denied",
			handler: denied,
			wantErr: []string{"access denied", "secretsmanager:GetSecretValue", arn},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				tt.handler(w, r)
			}))
			t.Cleanup(srv.Close)
			isolateAWS(t, srv.URL)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = patience.For(2 * time.Second)
			}
			ring, source, err := keys.Load(ctx, keys.Options{
				Getenv:  env(map[string]string{keys.EnvSecretARN: arn}),
				Timeout: timeout,
			})
			t.Logf("%d request(s); error: %v", requests.Load(), err)
			assert.Equal(t, keys.SourceSecretsManager, source)
			assert.Nil(t, ring)
			require.Error(t, err)
			for _, want := range tt.wantErr {
				assert.Contains(t, err.Error(), want)
			}
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs)
			}
			if !errors.Is(tt.wantIs, context.DeadlineExceeded) {
				assert.NotErrorIs(t, err, context.DeadlineExceeded)
			}
		})
	}
}
