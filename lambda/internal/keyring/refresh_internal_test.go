package keyring

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// clocked is Keys on a clock the test moves, whose Fetch answers what the
// test sets and counts its calls.
type clocked struct {
	*Keys
	at    time.Time
	next  *link.Keyring
	err   error
	calls int
	log   bytes.Buffer
}

func newClocked(t *testing.T, ring *link.Keyring) *clocked {
	t.Helper()
	c := &clocked{at: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), next: ring}
	c.Keys = New(ring, func(context.Context) (*link.Keyring, error) { c.calls++; return c.next, c.err },
		slog.New(slog.NewTextHandler(&c.log, nil)), "links cannot be checked")
	c.Keys.now = func() time.Time { return c.at }
	c.Keys.loadedAt = c.at
	return c
}

func ring(t *testing.T, data []byte) *link.Keyring {
	t.Helper()
	r, err := link.ParseKeyring(data)
	require.NoError(t, err)
	return r
}

func TestRefresh(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	oldJSON, err := keys.New(t0)
	require.NoError(t, err)
	newJSON, _, err := keys.Add(oldJSON, t0)
	require.NoError(t, err)
	old, fresh := ring(t, oldJSON), ring(t, newJSON)

	for _, c := range []struct {
		name  string
		steps func(t *testing.T, k *clocked)
	}{
		{"get re-reads every RefreshEvery", func(t *testing.T, k *clocked) {
			k.at = k.at.Add(RefreshEvery - time.Second)
			assert.Same(t, old, k.Get(ctx))
			assert.Zero(t, k.calls)
			k.at = k.at.Add(time.Second)
			assert.Same(t, fresh, k.Get(ctx))
			assert.Equal(t, 1, k.calls)
			assert.Contains(t, k.log.String(), "signing keys re-read")
		}},
		{"unknown re-reads at once, then at most every RetryEvery", func(t *testing.T, k *clocked) {
			k.next = old // the rotation has not reached Secrets Manager yet
			assert.Same(t, old, k.Unknown(ctx, old))
			assert.Equal(t, 1, k.calls)
			k.next = fresh
			k.at = k.at.Add(RetryEvery - time.Second)
			assert.Same(t, old, k.Unknown(ctx, old), "a forged kid cannot make every request read")
			assert.Equal(t, 1, k.calls)
			k.at = k.at.Add(time.Second)
			assert.Same(t, fresh, k.Unknown(ctx, old))
			assert.Equal(t, 2, k.calls)
		}},
		{"unknown with a stale ring takes the newer one", func(t *testing.T, k *clocked) {
			k.at = k.at.Add(RefreshEvery)
			require.Same(t, fresh, k.Get(ctx))
			k.at = k.at.Add(RetryEvery)
			assert.Same(t, fresh, k.Unknown(ctx, old))
			assert.Equal(t, 1, k.calls)
		}},
		{"a failed re-read keeps the loaded ring", func(t *testing.T, k *clocked) {
			k.next, k.err = nil, errors.New("throttled")
			k.at = k.at.Add(RefreshEvery)
			assert.Same(t, old, k.Get(ctx))
			assert.Contains(t, k.log.String(), "signing keys not re-read; the loaded ones stay")
			assert.Same(t, old, k.Get(ctx), "tried again no sooner than RetryEvery")
			assert.Equal(t, 1, k.calls)
			k.next, k.err = fresh, nil
			k.at = k.at.Add(RetryEvery)
			assert.Same(t, fresh, k.Get(ctx))
		}},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			k := newClocked(t, old)
			k.next = fresh
			c.steps(t, k)
		})
	}
}

// The page's path: a link signed with a key added by a rotation fails
// with the ring loaded at cold start, and verifies after Unknown.
func TestUnknownKeyPickedUp(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	oldJSON, err := keys.New(t0)
	require.NoError(t, err)
	addedJSON, kid, err := keys.Add(oldJSON, t0)
	require.NoError(t, err)
	promotedJSON, err := keys.Promote(addedJSON, kid, t0, 0)
	require.NoError(t, err)
	signer := ring(t, promotedJSON)
	raw, err := link.Sign(link.Params{
		Base: "https://app.example.com/reset", Mode: link.ModeQuery, Purpose: link.PurposeReset, Tenant: "default",
		UserPool: "eu-west-1_Ab12Cd34E", Username: "someone", Locale: "en", Expires: t0.Add(time.Hour), Code: "{####}",
	}, signer)
	require.NoError(t, err)

	k := newClocked(t, ring(t, oldJSON))
	k.next = ring(t, addedJSON)
	have := k.Get(context.Background())
	_, err = link.Verify(raw, have, t0)
	require.ErrorIs(t, err, link.ErrUnknownKey)
	_, err = link.Verify(raw, k.Unknown(context.Background(), have), t0)
	assert.NoError(t, err)
}
