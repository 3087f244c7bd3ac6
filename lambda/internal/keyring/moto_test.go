package keyring_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/internal/keyring"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// A warm function whose keyring came from Secrets Manager reads it again
// when a link names a key added since (moto_server's Secrets Manager).
func TestWarmReReadFindsANewKey(t *testing.T) {
	endpoint := moto.Start(t)
	// keys.Load reads the AWS variables from the process environment.
	for name, value := range map[string]string{
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": endpoint, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "",
	} {
		t.Setenv(name, value)
	}
	client := sm.New(sm.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	ctx := context.Background()
	now := time.Now()
	first, err := keys.New(now)
	require.NoError(t, err)
	out, err := client.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("cogmail-keys"), SecretString: aws.String(string(first))})
	require.NoError(t, err)
	getenv := func(name string) string { return map[string]string{keys.EnvSecretARN: aws.ToString(out.ARN)}[name] }

	var log bytes.Buffer
	wait := keyring.Start(ctx, getenv, slog.New(slog.NewTextHandler(&log, nil)), without)
	ring, reload := wait()
	require.NotNil(t, ring, log.String())
	require.NotNil(t, reload, "a keyring from Secrets Manager is re-read while warm")
	k := keyring.New(ring, reload, slog.New(slog.NewTextHandler(&log, nil)), without)

	// A rotation adds a key; a link signed with it (as once promoted).
	added, kid, err := keys.Add(first, now)
	require.NoError(t, err)
	_, err = client.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: out.ARN, SecretString: aws.String(string(added))})
	require.NoError(t, err)
	promoted, err := keys.Promote(added, kid, now, 0)
	require.NoError(t, err)
	signer, err := link.ParseKeyring(promoted)
	require.NoError(t, err)
	raw, err := link.Sign(link.Params{
		Base: "https://app.example.com/reset", Mode: link.ModeQuery, Purpose: link.PurposeReset, Tenant: "default",
		UserPool: "eu-west-1_Ab12Cd34E", Username: "someone", Locale: "en", Expires: now.Add(time.Hour), Code: "{####}",
	}, signer)
	require.NoError(t, err)

	have := k.Get(ctx)
	_, err = link.Verify(raw, have, now)
	require.ErrorIs(t, err, link.ErrUnknownKey, "the ring read at cold start lacks the key")
	_, err = link.Verify(raw, k.Unknown(ctx, have), now)
	assert.NoError(t, err)
	assert.Contains(t, log.String(), "signing keys re-read")
}
