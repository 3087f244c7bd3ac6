package page_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cogmail/cogmail/lambda/internal/keyring"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
)

// A link signed with a key added since the warm page read its keyring: the
// page reads the keyring again at once (rate-limited), and the link works.
func TestLinkOfANewKeyReReads(t *testing.T) {
	for _, c := range []struct {
		name   string
		fetch  bool // the re-read finds the new key
		status int
	}{
		{"the re-read finds the key", true, http.StatusOK},
		{"the key is unknown still", false, http.StatusBadRequest},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			rotated := newRing(t, "k2")
			calls := 0
			e := newEnv(t, func(cfg *page.Config) {
				loaded := cfg.Keyring
				cfg.Keys = keyring.New(loaded, func(context.Context) (*link.Keyring, error) {
					calls++
					if c.fetch {
						return rotated, nil
					}
					return loaded, nil
				}, cfg.Logger, "links cannot be checked")
			})
			res := e.get(e.link(linkOpts{ring: rotated}))
			assert.Equal(t, c.status, res.status)
			assert.Equal(t, 1, calls)
			if c.fetch {
				e.get(e.link(linkOpts{ring: rotated}))
				assert.Equal(t, 1, calls, "a key found needs no read") // the rate limit: lambda/internal/keyring's tests
			}
		})
	}
}
