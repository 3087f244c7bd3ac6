package keys_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/keys"
)

const testARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cogmail/keys-AbCdEf"

// seen is a request as the fake Secrets Manager received it.
type seen struct {
	header http.Header
	body   []byte
	// signed: the signature verifies, as AWS verifies it, with the test's
	// credentials.
	signed bool
}

// fakeSecretsManager answers each request with the next of answers (the
// last one again once they run out) and records what it received.
func fakeSecretsManager(t *testing.T, answers ...func(w http.ResponseWriter)) (*[]seen, *sync.Mutex) {
	t.Helper()
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{header: r.Header.Clone(), body: body, signed: verifies(r, body)})
		answer := answers[min(len(got), len(answers))-1]
		mu.Unlock()
		answer(w)
	}))
	t.Cleanup(srv.Close)
	isolateAWS(t, srv.URL)
	t.Setenv("AWS_SESSION_TOKEN", "session-token")
	return &got, &mu
}

// verifies checks r's Signature Version 4 as AWS does: the headers it
// names as signed, with the test's credentials, give the same signature.
func verifies(r *http.Request, body []byte) bool {
	auth := r.Header.Get("Authorization")
	_, signedList, ok := strings.Cut(auth, "SignedHeaders=")
	if !ok {
		return false
	}
	signedList, _, _ = strings.Cut(signedList, ",")
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return false
	}
	again, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return false
	}
	for name := range strings.SplitSeq(signedList, ";") {
		if name != "host" && name != "content-length" {
			again.Header[http.CanonicalHeaderKey(name)] = r.Header.Values(name)
		}
	}
	again.Header.Del("X-Amz-Date")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", SessionToken: "session-token"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", at); err != nil {
		return false
	}
	return again.Header.Get("Authorization") == auth
}

func secretAnswer(ring string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(map[string]any{"ARN": testARN, "Name": "cogmail/keys", "SecretString": ring})
	}
}

func errorAnswer(status int, code string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"__type":"`+code+`","message":"said the fake"}`)
	}
}

func load(t *testing.T) (string, error) {
	t.Helper()
	ring, _, err := keys.Load(context.Background(), keys.Options{
		Getenv: env(map[string]string{keys.EnvSecretARN: testARN}), Timeout: patience.For(2 * time.Second),
	})
	if ring == nil {
		return "", err
	}
	return ring.Current(), err
}

// The request is GetSecretValue as Secrets Manager reads it: signed with
// the environment's credentials, session token included, for the region's
// secretsmanager, and the very request the AWS SDK's own client makes.
func TestSecretsManagerRequest(t *testing.T) {
	got, mu := fakeSecretsManager(t, secretAnswer(ringJSON("sm-1", newKey(t, 32))))
	kid, err := load(t)
	require.NoError(t, err)
	assert.Equal(t, "sm-1", kid)

	cfg, err := config.LoadDefaultConfig(context.Background())
	require.NoError(t, err)
	arn := testARN
	_, err = secretsmanager.NewFromConfig(cfg).GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: &arn})
	require.NoError(t, err)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, *got, 2)
	ours, sdk := (*got)[0], (*got)[1]
	assert.True(t, ours.signed, "the signature verifies")
	assert.True(t, sdk.signed, "the check itself verifies the SDK's")
	assert.JSONEq(t, string(sdk.body), string(ours.body))
	for _, h := range []string{"X-Amz-Target", "Content-Type", "X-Amz-Security-Token"} {
		assert.Equal(t, sdk.header.Get(h), ours.header.Get(h), h)
	}
	assert.Contains(t, ours.header.Get("Authorization"), "/us-east-1/secretsmanager/aws4_request")
}

// What may pass is tried again, three attempts in all; what will not pass
// is not; no attempt outlives the timeout.
func TestSecretsManagerRetries(t *testing.T) {
	good := secretAnswer(ringJSON("sm-1", newKey(t, 32)))
	for _, tc := range []struct {
		name     string
		answers  []func(http.ResponseWriter)
		requests int
		wantErr  string // "" for the keyring
	}{
		{"case=throttled then served", []func(http.ResponseWriter){errorAnswer(400, "ThrottlingException"), good}, 2, ""},
		{"case=server errors then served", []func(http.ResponseWriter){errorAnswer(500, "InternalServiceError"), errorAnswer(503, "ServiceUnavailable"), good}, 3, ""},
		{"case=always failing", []func(http.ResponseWriter){errorAnswer(500, "InternalServiceError")}, 3, "InternalServiceError"},
		{"case=not found", []func(http.ResponseWriter){errorAnswer(400, "ResourceNotFoundException"), good}, 1, "not found"},
		{"case=prefixed code", []func(http.ResponseWriter){errorAnswer(400, "com.amazonaws.secretsmanager#AccessDeniedException:http://internal")}, 1, "access denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, mu := fakeSecretsManager(t, tc.answers...)
			kid, err := load(t)
			mu.Lock()
			defer mu.Unlock()
			assert.Len(t, *got, tc.requests)
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, "sm-1", kid)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.Contains(t, err.Error(), testARN)
			var api *keys.APIError
			assert.ErrorAs(t, err, &api)
		})
	}
}

// An answer that is not a secret value is refused without showing it: it
// may be the secret.
func TestSecretsManagerAnswerNeverInErrors(t *testing.T) {
	key := newKey(t, 32)
	fakeSecretsManager(t, func(w http.ResponseWriter) { _, _ = io.WriteString(w, `{"SecretString": 1, "k": "`+key+`"`) })
	_, err := load(t)
	require.Error(t, err)
	assertNoSecrets(t, err, key)
}

// Without credentials in the environment the error says where they come
// from.
func TestSecretsManagerNeedsCredentials(t *testing.T) {
	fakeSecretsManager(t, secretAnswer("{}"))
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	_, err := load(t)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AWS_ACCESS_KEY_ID")
	assert.Contains(t, err.Error(), testARN)
}
