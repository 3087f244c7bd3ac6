// Package keyring is the keyring of the warm functions that sign or verify
// links (the Custom Message trigger, the notifier, the Custom Email Sender,
// the page; the trigger and the senders only sign, so only the page calls
// Unknown): loaded at cold
// start, fetched again while Secrets Manager fails, so that a secret briefly
// out of reach costs links for a while, not until the next cold start, and
// re-read while warm, so that a rotation (lambda/rotation) reaches them: at
// most every RefreshEvery, and at once (at most every RetryEvery) when a link
// names a key the ring lacks.
package keyring

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// RetryEvery is how often a missing keyring is fetched again, and the
// least time between two reads for an unknown key: often enough to heal
// soon, rarely enough not to hammer Secrets Manager on every event (a
// stream of forged links names unknown keys at will).
const RetryEvery = 30 * time.Second

// RefreshEvery is how often a warm function re-reads a loaded keyring. A
// key added by a rotation becomes current only keys.DefaultOverlap later,
// so every warm function knows it long before links signed with it arrive.
const RefreshEvery = 5 * time.Minute

// Fetch loads the keyring again.
type Fetch func(context.Context) (*link.Keyring, error)

// Keys is a keyring that may have failed to load, re-read while warm. Safe
// for concurrent use.
type Keys struct {
	retry   Fetch
	logger  *slog.Logger
	without string
	now     func() time.Time // time.Now; tests move it

	mu       sync.Mutex
	ring     *link.Keyring
	loadedAt time.Time // when ring was read
	lastTry  time.Time // the last read, whatever came of it
}

// New returns ring. With retry set, Get calls it at most every RetryEvery
// while ring is nil and every RefreshEvery once loaded, and Unknown at most
// every RetryEvery; without retry the ring never changes. without says, for
// the log, what a missing key means for the function ("emails go out
// without a link").
func New(ring *link.Keyring, retry Fetch, logger *slog.Logger, without string) *Keys {
	k := &Keys{retry: retry, logger: logger, without: without, ring: ring, now: time.Now}
	k.loadedAt = k.now()
	return k
}

// WithClock makes now the clock of k's refreshes, counted from now on: the
// trigger's Config.Now, which tests move. Call it before k is shared.
func (k *Keys) WithClock(now func() time.Time) *Keys {
	k.now = now
	k.loadedAt = now()
	return k
}

// Get is the keyring, fetched again if it failed to load or is
// RefreshEvery old; nil when there is none yet.
func (k *Keys) Get(ctx context.Context) *link.Keyring {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	switch {
	case k.retry == nil || now.Sub(k.lastTry) < RetryEvery:
	case k.ring == nil || now.Sub(k.loadedAt) >= RefreshEvery:
		k.read(ctx, now)
	}
	return k.ring
}

// Unknown is the keyring after a link named a key that ring (what Get
// returned) lacks: read again at once unless a read was made less than
// RetryEvery ago, or another caller already read a newer one.
func (k *Keys) Unknown(ctx context.Context, ring *link.Keyring) *link.Keyring {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	if k.ring == ring && k.retry != nil && now.Sub(k.lastTry) >= RetryEvery {
		k.read(ctx, now)
	}
	return k.ring
}

// read fetches the keyring; a failure keeps the one loaded, if any.
func (k *Keys) read(ctx context.Context, now time.Time) {
	k.lastTry = now
	ring, err := k.retry(ctx)
	switch {
	case err != nil && k.ring == nil:
		k.logger.Error("signing keys still unavailable: "+k.without, "error", err.Error())
	case err != nil:
		k.logger.Warn("signing keys not re-read; the loaded ones stay", "error", err.Error())
	case k.ring == nil:
		k.logger.Info("signing keys loaded on retry", "keyring", ring)
	case !slices.Equal(ring.IDs(), k.ring.IDs()) || ring.Current() != k.ring.Current():
		k.logger.Info("signing keys re-read", "keyring", ring)
	}
	if err == nil {
		k.ring, k.loadedAt = ring, now
	}
}

// Start loads the keyring (keys.Load) while the caller sets up the rest.
// The function it returns waits for the load, logs its outcome (without
// says what a missing key means, as for New) and returns the keyring and,
// when it comes from Secrets Manager (loaded or not), the Fetch that reads
// it again (Reload); both nil when another source failed.
func Start(ctx context.Context, getenv func(string) string, logger *slog.Logger, without string) (wait func() (*link.Keyring, Fetch)) {
	type loaded struct {
		ring   *link.Keyring
		source keys.Source
		err    error
	}
	done := make(chan loaded, 1)
	go func() {
		ring, source, err := keys.Load(ctx, keys.Options{Getenv: getenv})
		done <- loaded{ring, source, err}
	}()
	return func() (*link.Keyring, Fetch) {
		k := <-done
		var retry Fetch
		switch {
		case k.err != nil && k.source == keys.SourceSecretsManager:
			logger.Error("no signing key yet; "+without+" until it loads", "source", string(k.source), "error", k.err.Error())
			retry = Reload(getenv)
		case k.source == keys.SourceSecretsManager:
			retry = Reload(getenv) // rotations reach the warm function
		case k.err != nil:
			logger.Error("no signing key; "+without, "source", string(k.source), "error", k.err.Error())
		case k.source == keys.SourceDevelopment:
			logger.Warn("signing with the built-in development keyring: links prove nothing; set COGMAIL_SIGNING_KEYS or COGMAIL_KEYS_SECRET_ARN")
		}
		return k.ring, retry
	}
}

// Reload reads the keyring again as the cold start did (keys.Load).
func Reload(getenv func(string) string) Fetch {
	return func(ctx context.Context) (*link.Keyring, error) {
		ring, _, err := keys.Load(ctx, keys.Options{Getenv: getenv})
		return ring, err
	}
}
