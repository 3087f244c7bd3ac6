package rotation_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/rotation"
)

// fixture is a keyring secret in moto_server with rotation enabled, and a
// Rotator on a clock the test moves.
type fixture struct {
	client *sm.Client
	secret string
	now    time.Time
	r      *rotation.Rotator
	log    bytes.Buffer
}

func newFixture(t *testing.T, t0 time.Time) *fixture {
	t.Helper()
	endpoint := moto.Start(t)
	f := &fixture{now: t0, secret: "cogmail-keys-" + token(t)}
	f.client = sm.New(sm.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	ring, err := keys.New(t0)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = f.client.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(f.secret), SecretString: aws.String(string(ring))})
	require.NoError(t, err)
	// Enables rotation; without a function moto_server relabels a copy of
	// the value, as a rotation that changed nothing.
	_, err = f.client.RotateSecret(ctx, &sm.RotateSecretInput{
		SecretId:          aws.String(f.secret),
		RotationRules:     &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7)},
		RotateImmediately: aws.Bool(false),
	})
	require.NoError(t, err)
	f.r = &rotation.Rotator{Client: f.client, Now: func() time.Time { return f.now }, Logger: slog.New(slog.NewJSONHandler(&f.log, nil))}
	return f
}

func token(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// rotate plays Secrets Manager: the four steps with one token, each twice
// (a retried step must change nothing).
func (f *fixture) rotate(t *testing.T) {
	t.Helper()
	tok := token(t)
	for _, step := range []string{rotation.StepCreate, rotation.StepSet, rotation.StepTest, rotation.StepFinish} {
		for range 2 {
			require.NoError(t, f.r.Handle(context.Background(), rotation.Event{SecretID: f.secret, ClientRequestToken: tok, Step: step}), step)
		}
	}
	desc, err := f.client.DescribeSecret(context.Background(), &sm.DescribeSecretInput{SecretId: aws.String(f.secret)})
	require.NoError(t, err)
	assert.Contains(t, desc.VersionIdsToStages[tok], rotation.StageCurrent, "the rotated version is current")
}

func (f *fixture) current(t *testing.T) *link.Keyring {
	t.Helper()
	// By stage: moto_server's GetSecretValue without one keeps answering
	// the version that was current before UpdateSecretVersionStage.
	out, err := f.client.GetSecretValue(context.Background(), &sm.GetSecretValueInput{
		SecretId: aws.String(f.secret), VersionStage: aws.String(rotation.StageCurrent),
	})
	require.NoError(t, err)
	ring, err := link.ParseKeyring([]byte(aws.ToString(out.SecretString)))
	require.NoError(t, err)
	return ring
}

func TestRotateKeepsLinksValid(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	f := newFixture(t, t0)
	first := f.current(t).Current()

	f.rotate(t)
	ring := f.current(t)
	assert.Equal(t, first, ring.Current(), "a new key is not current at once")
	assert.Len(t, ring.IDs(), 2)

	// A link signed just before the promotion, valid 7 days.
	f.now = t0.Add(keys.DefaultOverlap - time.Minute)
	raw, err := link.Sign(link.Params{
		Base: "https://app.example.com/invite", Mode: link.ModeQuery, Purpose: link.PurposeInvite, Tenant: "default",
		UserPool: "eu-west-1_Ab12Cd34E", Username: "someone", Locale: "en", Expires: f.now.Add(rotation.LinkLife),
	}, ring)
	require.NoError(t, err)

	f.now = t0.Add(keys.DefaultOverlap + time.Minute)
	f.rotate(t)
	ring = f.current(t)
	assert.NotEqual(t, first, ring.Current(), "the key added a rotation ago is current")
	_, err = link.Verify(raw, ring, f.now.Add(time.Minute))
	assert.NoError(t, err, "a link the superseded key signed still verifies")

	// Past the link's life the superseded key goes.
	f.now = t0.Add(keys.DefaultOverlap + rotation.LinkLife + time.Minute)
	f.rotate(t)
	ring = f.current(t)
	assert.NotContains(t, ring.IDs(), first)
	assert.Len(t, ring.IDs(), 3)
}

func TestHandleRefuses(t *testing.T) {
	f := newFixture(t, time.Now())
	for _, c := range []struct {
		name string
		e    rotation.Event
		want string
	}{
		{"no token", rotation.Event{SecretID: f.secret, Step: rotation.StepCreate}, "needs SecretId and ClientRequestToken"},
		{"unknown step", rotation.Event{SecretID: f.secret, ClientRequestToken: "t", Step: "dropSecret"}, "unknown step"},
		{"a token never staged", rotation.Event{SecretID: f.secret, ClientRequestToken: token(t), Step: rotation.StepFinish}, "is not staged AWSPENDING"},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			err := f.r.Handle(context.Background(), c.e)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestLogsHoldNoKeys(t *testing.T) {
	f := newFixture(t, time.Now())
	f.rotate(t)
	out, err := f.client.GetSecretValue(context.Background(), &sm.GetSecretValueInput{
		SecretId: aws.String(f.secret), VersionStage: aws.String(rotation.StageCurrent),
	})
	require.NoError(t, err)
	var ring struct{ Keys map[string]string }
	require.NoError(t, jsonUnmarshal(aws.ToString(out.SecretString), &ring))
	require.NotEmpty(t, ring.Keys)
	for _, key := range ring.Keys {
		assert.False(t, strings.Contains(f.log.String(), key), "a key is in the log")
	}
	assert.Contains(t, f.log.String(), "pending keyring put")
}
