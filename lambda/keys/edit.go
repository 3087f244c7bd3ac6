package keys

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cogmail/cogmail/lambda/link"
)

// The keyring edits (New, Add, Promote, Retire) work on the keyring's JSON,
// as Secrets Manager and `cogmail keys` hold it: every key keeps the text it
// was written as, and "added" records when each key came in. Their input
// and their output both pass link.ParseKeyring, so a weak key is refused,
// never carried over. Errors name key ids, never keys.

// DefaultOverlap is how long a key must have been in the keyring before it
// may become current: the longest a link cogmail signs stays valid, an
// invitation's (as long as Cognito's temporary password, 7 days by default;
// reset and verify links live 1 hour to 1 day). A verifier holding a copy of
// the keyring that is up to that old still knows the key of every link it is
// shown.
const DefaultOverlap = 7 * 24 * time.Hour

// ErrTooSoon is wrapped by Promote's error when the key was added less than
// the overlap ago, or the keyring says not when.
var ErrTooSoon = errors.New("keys: key added too recently to become current")

// ErrUnknownKey is wrapped by Promote's and Retire's errors when the keyring
// has no key of that id.
var ErrUnknownKey = errors.New("keys: no such key in the keyring")

// ErrRetireCurrent is wrapped by Retire's error for the current key: new
// links would have nothing to be signed with.
var ErrRetireCurrent = errors.New("keys: the current key cannot be retired")

// editable is the keyring JSON being edited.
type editable struct {
	Current string            `json:"current"`
	Keys    map[string]string `json:"keys"`
	Added   map[string]string `json:"added,omitempty"`
}

// New returns a fresh keyring holding one random key of 32 bytes, current,
// added at now.
func New(now time.Time) ([]byte, error) {
	kid := newKeyID(now, nil)
	return encode(editable{
		Current: kid,
		Keys:    map[string]string{kid: randomKey()},
		Added:   map[string]string{kid: stamp(now)},
	})
}

// Add returns ring with a new random key of 32 bytes, added at now, and its
// id. The key is not current: Promote makes it so, once every verifier has
// had time to learn it (DefaultOverlap).
func Add(ring []byte, now time.Time) ([]byte, string, error) {
	e, _, err := decode(ring)
	if err != nil {
		return nil, "", err
	}
	kid := newKeyID(now, e.Keys)
	e.Keys[kid] = randomKey()
	e.Added[kid] = stamp(now)
	out, err := encode(e)
	if err != nil {
		return nil, "", err
	}
	return out, kid, nil
}

// Promote returns ring with kid current. It refuses a kid the ring lacks
// (ErrUnknownKey) and, unless overlap is 0 or less, a key added less than
// overlap before now or with no "added" time (ErrTooSoon): links signed with
// it would fail where the keyring has not been re-read. Promoting the current
// key changes nothing.
func Promote(ring []byte, kid string, now time.Time, overlap time.Duration) ([]byte, error) {
	e, parsed, err := decode(ring)
	if err != nil {
		return nil, err
	}
	if _, ok := e.Keys[kid]; !ok {
		return nil, fmt.Errorf("%w: %q (it has %v)", ErrUnknownKey, kid, parsed.IDs())
	}
	if kid != e.Current && overlap > 0 {
		added, ok := parsed.Added(kid)
		if !ok {
			return nil, fmt.Errorf("%w: the keyring says not when key %q was added; wait %s after adding it, then override the check",
				ErrTooSoon, kid, overlap)
		}
		if ready := added.Add(overlap); now.Before(ready) {
			return nil, fmt.Errorf("%w: key %q was added at %s, less than %s ago; it may become current from %s",
				ErrTooSoon, kid, stamp(added), overlap, stamp(ready))
		}
	}
	e.Current = kid
	return encode(e)
}

// Retire returns ring without key kid, whose links then no longer verify:
// retire a key only once the links it signed have expired. It refuses the
// current key (ErrRetireCurrent) and a kid the ring lacks (ErrUnknownKey).
func Retire(ring []byte, kid string) ([]byte, error) {
	e, parsed, err := decode(ring)
	if err != nil {
		return nil, err
	}
	if _, ok := e.Keys[kid]; !ok {
		return nil, fmt.Errorf("%w: %q (it has %v)", ErrUnknownKey, kid, parsed.IDs())
	}
	if kid == e.Current {
		return nil, fmt.Errorf("%w: %q; promote another key first", ErrRetireCurrent, kid)
	}
	delete(e.Keys, kid)
	delete(e.Added, kid)
	return encode(e)
}

// decode reads a keyring to edit. It must pass link.ParseKeyring (no weak
// key, an "added" that parses) and must not hold the public development key:
// an edited keyring is meant for production, where Load refuses it.
func decode(ring []byte) (editable, *link.Keyring, error) {
	parsed, err := link.ParseKeyring(ring)
	if err != nil {
		return editable{}, nil, err
	}
	if err := RefuseDevelopment(parsed); err != nil {
		return editable{}, nil, err
	}
	var e editable
	dec := json.NewDecoder(bytes.NewReader(ring))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil { // ParseKeyring read it already
		return editable{}, nil, errors.New("keys: keyring: not valid JSON")
	}
	if e.Added == nil {
		e.Added = map[string]string{}
	}
	return e, parsed, nil
}

// encode writes e (object members sorted, so an edit changes only what it
// edits) and checks that link.ParseKeyring reads it back.
func encode(e editable) ([]byte, error) {
	out, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("keys: writing the keyring: %w", err)
	}
	if _, err := link.ParseKeyring(out); err != nil {
		return nil, fmt.Errorf("keys: the edited keyring does not parse: %w", err)
	}
	return out, nil
}

// randomKey is link.MinKeyBytes from crypto/rand, in standard base64.
func randomKey() string {
	key := make([]byte, link.MinKeyBytes)
	_, _ = io.ReadFull(rand.Reader, key) // never fails: crypto/rand crashes the program instead
	return base64.StdEncoding.EncodeToString(key)
}

// newKeyID names a key by the day it was added, and a random suffix so that
// two keys of one day differ: k-20261130-1a2b3c4d. It is not one of taken.
func newKeyID(now time.Time, taken map[string]string) string {
	for {
		suffix := make([]byte, 4)
		_, _ = io.ReadFull(rand.Reader, suffix)
		kid := "k-" + now.UTC().Format("20060102") + "-" + hex.EncodeToString(suffix)
		if _, ok := taken[kid]; !ok {
			return kid
		}
	}
}

// stamp is how "added" writes a time: RFC 3339, UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }
