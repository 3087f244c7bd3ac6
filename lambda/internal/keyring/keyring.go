// Package keyring is the notifier's and the Custom Email Sender's signing
// keyring: loaded at cold start, and fetched again while Secrets Manager
// fails, so that a secret briefly out of reach costs links for a while, not
// until the next cold start.
package keyring

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// RetryEvery is how often a missing keyring is fetched again: often enough
// to heal soon, rarely enough not to hammer Secrets Manager on every event.
const RetryEvery = 30 * time.Second

// Fetch loads the keyring again.
type Fetch func(context.Context) (*link.Keyring, error)

// Keys is a keyring that may have failed to load. Safe for concurrent use.
type Keys struct {
	retry   Fetch
	logger  *slog.Logger
	without string

	mu      sync.Mutex
	ring    *link.Keyring
	lastTry time.Time
}

// New returns ring; while it is nil and retry is set, Get calls retry at
// most every RetryEvery. without says, for the log, what a missing key means
// for the function ("emails go out without a link").
func New(ring *link.Keyring, retry Fetch, logger *slog.Logger, without string) *Keys {
	return &Keys{retry: retry, logger: logger, without: without, ring: ring}
}

// Get is the signing keyring, fetched again if it failed to load; nil when
// there is none yet.
func (k *Keys) Get(ctx context.Context) *link.Keyring {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ring != nil || k.retry == nil || time.Since(k.lastTry) < RetryEvery {
		return k.ring
	}
	k.lastTry = time.Now()
	ring, err := k.retry(ctx)
	if err != nil {
		k.logger.Error("signing keys still unavailable: "+k.without, "error", err.Error())
		return nil
	}
	k.logger.Info("signing keys loaded on retry", "keyring", ring)
	k.ring = ring
	return ring
}

// Start loads the keyring (keys.Load) while the caller sets up the rest.
// The function it returns waits for the load, logs its outcome (without
// says what a missing key means, as for New) and returns the keyring and,
// when Secrets Manager failed, the Fetch that tries again; both nil when
// another source failed.
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
			retry = func(ctx context.Context) (*link.Keyring, error) {
				ring, _, err := keys.Load(ctx, keys.Options{Getenv: getenv})
				return ring, err
			}
		case k.err != nil:
			logger.Error("no signing key; "+without, "source", string(k.source), "error", k.err.Error())
		case k.source == keys.SourceDevelopment:
			logger.Warn("signing with the built-in development keyring: links prove nothing; set COGMAIL_SIGNING_KEYS or COGMAIL_KEYS_SECRET_ARN")
		}
		return k.ring, retry
	}
}
