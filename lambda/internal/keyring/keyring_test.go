package keyring_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	// Every test binary accepts -update (go test ./... -update).
	_ "github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/internal/keyring"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

const without = "emails go out without a link"

func TestGet(t *testing.T) {
	dev := keys.Development()
	for _, c := range []struct {
		name   string
		ring   *link.Keyring
		retry  func() (*link.Keyring, error) // nil: no retry
		want   *link.Keyring
		calls  int // after two Gets: the second falls within RetryEvery
		logged string
	}{
		{"loaded at cold start", dev, func() (*link.Keyring, error) { return nil, errors.New("unused") }, dev, 0, ""},
		{"no retry", nil, nil, nil, 0, ""},
		{"retry succeeds", nil, func() (*link.Keyring, error) { return dev, nil }, dev, 1, "signing keys loaded on retry"},
		{"retry fails", nil, func() (*link.Keyring, error) { return nil, errors.New("throttled") },
			nil, 1, "signing keys still unavailable: " + without},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			var buf bytes.Buffer
			calls := 0
			var retry keyring.Fetch
			if c.retry != nil {
				retry = func(context.Context) (*link.Keyring, error) { calls++; return c.retry() }
			}
			k := keyring.New(c.ring, retry, slog.New(slog.NewTextHandler(&buf, nil)), without)
			assert.Same(t, c.want, k.Get(context.Background()))
			assert.Same(t, c.want, k.Get(context.Background()))
			assert.Equal(t, c.calls, calls)
			if c.logged == "" {
				assert.Empty(t, buf.String())
			} else {
				assert.Contains(t, buf.String(), c.logged)
			}
		})
	}
}

func TestStart(t *testing.T) {
	for _, c := range []struct {
		name   string
		env    map[string]string
		ring   bool
		retry  bool
		logged string // "" logs nothing
	}{
		{"development", nil, true, false, "development keyring: links prove nothing"},
		{"from the environment", map[string]string{keys.EnvSigningKeys: keys.DevelopmentJSON}, true, false, ""},
		{"a broken variable", map[string]string{keys.EnvSigningKeys: "{"}, false, false, `"no signing key; ` + without + `"`},
		// A blank ARN fails as Secrets Manager does, without the network.
		{"Secrets Manager fails", map[string]string{keys.EnvSecretARN: " "}, false, true, `"no signing key yet; ` + without + ` until it loads"`},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			var buf bytes.Buffer
			getenv := func(name string) string { return c.env[name] }
			wait := keyring.Start(context.Background(), getenv, slog.New(slog.NewTextHandler(&buf, nil)), without)
			ring, retry := wait()
			assert.Equal(t, c.ring, ring != nil)
			require.Equal(t, c.retry, retry != nil)
			if c.logged == "" {
				assert.Empty(t, buf.String())
			} else {
				assert.Contains(t, buf.String(), c.logged)
			}
			if retry != nil {
				_, err := retry(context.Background())
				assert.ErrorIs(t, err, keys.ErrBlank, "the retry loads as the cold start did")
			}
		})
	}
}
