package keys_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// developmentKey is the development key's base64, read from DevelopmentJSON
// as any copier of the public keyring would.
func developmentKey(t *testing.T) string {
	t.Helper()
	var ring struct {
		Keys map[string]string `json:"keys"`
	}
	require.NoError(t, json.Unmarshal([]byte(keys.DevelopmentJSON), &ring))
	return ring.Keys[keys.DevelopmentKeyID]
}

// A keyring variable set to nothing is a mistake (a failed $(…), an empty
// deployment parameter), never "unset": it must not fall back to the public
// development keyring, which verifies links anyone can sign.
func TestLoadRefusesBlank(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantSource keys.Source
		wantIn     string
	}{
		{"case=arn-blank", map[string]string{keys.EnvSecretARN: " "}, keys.SourceSecretsManager, keys.EnvSecretARN},
		{"case=arn-blank-with-keys", map[string]string{keys.EnvSecretARN: "\t", keys.EnvSigningKeys: keys.Random()}, keys.SourceSecretsManager, keys.EnvSecretARN},
		{"case=keys-blank", map[string]string{keys.EnvSigningKeys: " \n"}, keys.SourceEnv, keys.EnvSigningKeys},
		{"case=keys-blank-in-lambda", map[string]string{keys.EnvSigningKeys: " ", "AWS_LAMBDA_FUNCTION_NAME": "cogmail"}, keys.SourceEnv, keys.EnvSigningKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring, source, err := keys.Load(context.Background(), keys.Options{Getenv: env(tt.env)})
			assert.Nil(t, ring)
			assert.Equal(t, tt.wantSource, source)
			require.ErrorIs(t, err, keys.ErrBlank)
			assert.Contains(t, err.Error(), tt.wantIn)
		})
	}
}

// Through the process environment, as the commands read it, a variable set
// to "" is told from an unset one: by Load itself, and by keys.Getenv for
// callers that pass a getenv function along.
func TestLoadRefusesEmptyInTheProcessEnvironment(t *testing.T) {
	unset := func(t *testing.T, name string) {
		t.Setenv(name, "") // restored after the test
		require.NoError(t, os.Unsetenv(name))
	}
	for _, name := range []string{keys.EnvSecretARN, keys.EnvSigningKeys} {
		for _, via := range []string{"process", "keys.Getenv"} {
			t.Run("case="+name+"-via-"+via, func(t *testing.T) {
				for _, other := range []string{keys.EnvSecretARN, keys.EnvSigningKeys, "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_RUNTIME_API"} {
					unset(t, other)
				}
				t.Setenv(name, "")
				opt := keys.Options{}
				if via == "keys.Getenv" {
					opt.Getenv = keys.Getenv
				}
				ring, _, err := keys.Load(context.Background(), opt)
				assert.Nil(t, ring)
				assert.ErrorIs(t, err, keys.ErrBlank)
			})
		}
	}
	t.Run("case=unset-still-development-outside-lambda", func(t *testing.T) {
		for _, name := range []string{keys.EnvSecretARN, keys.EnvSigningKeys, "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_RUNTIME_API"} {
			unset(t, name)
		}
		ring, source, err := keys.Load(context.Background(), keys.Options{Getenv: keys.Getenv})
		require.NoError(t, err)
		assert.Equal(t, keys.SourceDevelopment, source)
		assert.Same(t, keys.Development(), ring)
	})
}

// The public development key, by its id or its bytes under any id, is
// refused inside Lambda (an emulator counts) whatever the source; outside
// Lambda the variable may still hand it over, for tests and local tools.
func TestLoadRefusesDevelopmentKeyInsideLambda(t *testing.T) {
	dev := developmentKey(t)
	prod := newKey(t, 32)
	lambda := map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "cogmail"}
	emulator := map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"}
	with := func(base map[string]string, ring string) map[string]string {
		m := map[string]string{keys.EnvSigningKeys: ring}
		for k, v := range base {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		refused bool
	}{
		{"case=development-keyring-in-lambda", with(lambda, keys.DevelopmentJSON), true},
		{"case=development-keyring-in-emulator", with(emulator, keys.DevelopmentJSON), true},
		{"case=development-bytes-renamed", with(lambda, ringJSON("prod-2025", dev)), true},
		{"case=development-id-other-bytes", with(lambda, ringJSON(keys.DevelopmentKeyID, prod)), true},
		{"case=development-key-kept-for-verifying", with(lambda,
			fmt.Sprintf(`{"current":"p1","keys":{"p1":%q,"old":%q}}`, prod, dev)), true},
		{"case=real-key-in-lambda", with(lambda, ringJSON("p1", prod)), false},
		{"case=development-keyring-outside-lambda", with(nil, keys.DevelopmentJSON), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring, source, err := keys.Load(context.Background(), keys.Options{Getenv: env(tt.env)})
			assert.Equal(t, keys.SourceEnv, source)
			assertNoSecrets(t, err, dev, prod)
			if tt.refused {
				require.ErrorIs(t, err, keys.ErrDevelopmentKey)
				assert.Contains(t, err.Error(), keys.EnvSigningKeys)
				assert.Nil(t, ring)
				return
			}
			require.NoError(t, err)
			assert.NotNil(t, ring)
		})
	}
}

// A secret is a production source wherever it is read: the development key
// in it is refused outside Lambda too.
func TestLoadRefusesDevelopmentKeyInSecret(t *testing.T) {
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cogmail/keys-AbCdEf"
	dev := developmentKey(t)
	for _, tc := range []struct {
		name, value string
	}{
		{"case=development-keyring", keys.DevelopmentJSON},
		{"case=development-bytes-renamed", ringJSON("k2025", dev)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				_ = json.NewEncoder(w).Encode(map[string]any{
					"ARN": arn, "Name": "cogmail/keys", "VersionId": "v1", "SecretString": tc.value, "CreatedDate": 1.7e9,
				})
			}))
			t.Cleanup(srv.Close)
			isolateAWS(t, srv.URL)
			ring, source, err := keys.Load(context.Background(), keys.Options{Getenv: env(map[string]string{keys.EnvSecretARN: arn})})
			assert.Equal(t, keys.SourceSecretsManager, source)
			assert.Nil(t, ring)
			require.ErrorIs(t, err, keys.ErrDevelopmentKey)
			assert.Contains(t, err.Error(), arn)
			assertNoSecrets(t, err, dev)
		})
	}
}

func TestRefuseDevelopment(t *testing.T) {
	parse := func(js string) *link.Keyring {
		ring, err := link.ParseKeyring([]byte(js))
		require.NoError(t, err)
		return ring
	}
	assert.ErrorIs(t, keys.RefuseDevelopment(keys.Development()), keys.ErrDevelopmentKey)
	assert.True(t, keys.IsDevelopment(parse(ringJSON("x", developmentKey(t)))), "the bytes, under another id")
	// HMAC pads a key with zeros to its block: the same key, padded, signs
	// the same links and must be refused as well.
	raw, err := base64.StdEncoding.DecodeString(developmentKey(t))
	require.NoError(t, err)
	padded := base64.StdEncoding.EncodeToString(append(raw, 0, 0))
	assert.True(t, keys.IsDevelopment(parse(ringJSON("prod-1", padded))), "the bytes with zeros appended")
	assert.False(t, keys.IsDevelopment(parse(keys.Random())))
	assert.NoError(t, keys.RefuseDevelopment(nil))
}

// Random gives a usable keyring, a new one each time, never the
// development key.
func TestRandom(t *testing.T) {
	a, b := keys.Random(), keys.Random()
	assert.NotEqual(t, a, b)
	var parsed struct {
		Current string            `json:"current"`
		Keys    map[string]string `json:"keys"`
	}
	require.NoError(t, json.Unmarshal([]byte(a), &parsed))
	assert.Regexp(t, regexp.MustCompile(`^local-[0-9a-f]{8}$`), parsed.Current)
	key, err := base64.StdEncoding.DecodeString(parsed.Keys[parsed.Current])
	require.NoError(t, err)
	assert.Len(t, key, link.MinKeyBytes)
	ring, err := link.ParseKeyring([]byte(a))
	require.NoError(t, err)
	assert.NoError(t, keys.RefuseDevelopment(ring))
	loaded, _, err := keys.Load(context.Background(), keys.Options{Getenv: env(map[string]string{
		keys.EnvSigningKeys: a, "AWS_LAMBDA_FUNCTION_NAME": "cogmail"})})
	require.NoError(t, err, "accepted inside Lambda")
	assert.Equal(t, parsed.Current, loaded.Current())
}
