package link

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
)

// MinKeyBytes is the shortest key accepted: HMAC-SHA256 gains nothing from
// more than its block of output, and loses strength below it.
const MinKeyBytes = 32

// Keyring holds the HMAC keys links are signed and verified with. New links
// are signed with the current key; every key in the ring verifies, so a key can
// be rotated out only after the links it signed have expired.
type Keyring struct {
	current string
	keys    map[string][]byte
	// macs keeps a pool of HMAC states per key: setting one up costs more
	// than signing a link.
	macs map[string]*sync.Pool
	// added is when each key was added, where the keyring says: what a
	// rotation needs to know when a key may become current or be retired.
	// Verification never looks at it.
	added map[string]time.Time
}

type keyringJSON struct {
	Current string            `json:"current"`
	Keys    map[string]string `json:"keys"`
	Added   map[string]string `json:"added,omitempty"`
}

// ParseKeyring reads {"current":"KID","keys":{"KID":"<base64>"}}, with an
// optional "added":{"KID":"<RFC 3339 time>"} saying when keys were added (by
// package keys' edits), which only rotation reads. Keys may be
// standard or URL-safe base64, padded or not, and must decode to at least
// MinKeyBytes that are not one byte repeated (32 zero bytes, a key someone
// typed to get going). Every problem is reported at once; no error repeats
// key material. Whether a key is the public development key is for the
// caller to judge (package keys): tests and local tools may use it.
func ParseKeyring(data []byte) (*Keyring, error) {
	var raw keyringJSON
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("keyring: not valid JSON of the form {\"current\":…,\"keys\":{…}}: %s", jsonErrorWithoutInput(err))
	}
	if err := dec.Decode(&json.RawMessage{}); err != io.EOF {
		return nil, errors.New("keyring: data after the keyring object")
	}
	var errs []error
	if len(raw.Keys) == 0 {
		errs = append(errs, errors.New("keyring: no keys"))
	}
	ring := &Keyring{current: raw.Current, keys: make(map[string][]byte, len(raw.Keys))}
	for kid, encoded := range raw.Keys {
		if !keyID(kid) {
			errs = append(errs, fmt.Errorf("keyring: key id %q must be 1-64 characters of A-Z a-z 0-9 . _ -", kid))
			continue
		}
		key, err := decodeKey(encoded)
		if err != nil {
			errs = append(errs, fmt.Errorf("keyring: key %q is not base64", kid))
			continue
		}
		if len(key) < MinKeyBytes {
			errs = append(errs, fmt.Errorf("keyring: key %q has %d bytes, needs at least %d", kid, len(key), MinKeyBytes))
			continue
		}
		if repeated(key) {
			errs = append(errs, fmt.Errorf("keyring: key %q is one byte repeated: use %d random bytes", kid, MinKeyBytes))
			continue
		}
		ring.keys[kid] = key
	}
	// A time that does not parse, or names no key, is refused rather than
	// dropped: a rotation would misjudge the key's age.
	ring.added = make(map[string]time.Time, len(raw.Added))
	for kid, text := range raw.Added {
		if _, ok := raw.Keys[kid]; !ok {
			errs = append(errs, fmt.Errorf("keyring: \"added\" names key %q, which is not among the keys", kid))
			continue
		}
		at, err := time.Parse(time.RFC3339, text)
		if err != nil {
			errs = append(errs, fmt.Errorf("keyring: \"added\" time of key %q is not RFC 3339 (2006-01-02T15:04:05Z)", kid))
			continue
		}
		ring.added[kid] = at.UTC()
	}
	if raw.Current == "" {
		errs = append(errs, errors.New("keyring: \"current\" is empty"))
	} else if _, ok := raw.Keys[raw.Current]; !ok {
		errs = append(errs, fmt.Errorf("keyring: current key %q is not among the keys", raw.Current))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	ring.macs = make(map[string]*sync.Pool, len(ring.keys))
	for kid, key := range ring.keys {
		ring.macs[kid] = &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}
	}
	return ring, nil
}

// jsonErrorWithoutInput keeps only the position of a JSON syntax error: the
// default message can quote the input, which holds secrets.
func jsonErrorWithoutInput(err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Sprintf("syntax error at byte %d", syntax.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Sprintf("field %q has the wrong type", typ.Field)
	}
	if strings.HasPrefix(err.Error(), "json: unknown field") {
		return err.Error()
	}
	return "unreadable"
}

// repeated reports whether key is a single byte value over and over.
func repeated(key []byte) bool {
	for _, b := range key {
		if b != key[0] {
			return false
		}
	}
	return true
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// Derive returns a key for another purpose, named by label, derived from
// the current key (HMAC-SHA256(key, "cogmail-derive\x00"+label)), so that
// a deployment needs no second secret; it never reveals the key itself.
// Rotating the current key changes every derived key.
func (k *Keyring) Derive(label string) []byte {
	key, _ := k.DeriveWith(k.current, label)
	return key
}

// DeriveWith is Derive from key kid, false if the ring lacks it: a
// verifier accepts what any instance derived, whichever key was current
// when it started (the page's CSRF tokens across a promotion).
func (k *Keyring) DeriveWith(kid, label string) ([]byte, bool) {
	key, ok := k.keys[kid]
	if !ok {
		return nil, false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("cogmail-derive\x00" + label))
	return mac.Sum(nil), true
}

// Current returns the id of the key new links are signed with.
func (k *Keyring) Current() string { return k.current }

// Added returns when key kid was added, if the keyring says (the optional
// "added" member); ok is false for a key it gives no time for.
func (k *Keyring) Added(kid string) (at time.Time, ok bool) {
	at, ok = k.added[kid]
	return at, ok
}

// IDs returns the key ids in the ring, sorted.
func (k *Keyring) IDs() []string {
	ids := make([]string, 0, len(k.keys))
	for id := range k.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Find returns the id of a key in the ring that signs as key does, comparing
// every key in constant time: how a caller refuses a known key (the public
// development one) under whatever id it was given, without the ring ever
// handing its keys out. Keys are compared as HMAC uses them, so the same key
// with zero bytes appended, or its SHA-256 when it is longer than a block,
// is found too.
func (k *Keyring) Find(key []byte) (kid string, ok bool) {
	want := hmacKey(key)
	for _, id := range k.IDs() {
		if got := hmacKey(k.keys[id]); hmac.Equal(got[:], want[:]) {
			kid, ok = id, true
		}
	}
	return kid, ok
}

// hmacKey is the block HMAC-SHA256 really keys with (RFC 2104): a key longer
// than the block is hashed, and every key is padded with zeros to the block.
func hmacKey(key []byte) [sha256.BlockSize]byte {
	var block [sha256.BlockSize]byte
	if len(key) > sha256.BlockSize {
		sum := sha256.Sum256(key)
		copy(block[:], sum[:])
	} else {
		copy(block[:], key)
	}
	return block
}

func (k *Keyring) key(kid string) ([]byte, bool) {
	key, ok := k.keys[kid]
	return key, ok
}

// hash returns a reset HMAC state for a key known to be in the ring.
func (k *Keyring) hash(kid string) hash.Hash {
	h := k.macs[kid].Get().(hash.Hash)
	h.Reset()
	return h
}

func (k *Keyring) release(kid string, h hash.Hash) { k.macs[kid].Put(h) }

// LogValue keeps key material out of logs even when a ring is logged whole.
func (k *Keyring) LogValue() slog.Value {
	return slog.GroupValue(slog.String("current", k.current), slog.Any("kids", k.IDs()))
}

// String keeps key material out of fmt output.
func (k *Keyring) String() string {
	return fmt.Sprintf("Keyring{current: %s, kids: %v}", k.current, k.IDs())
}

// GoString keeps key material out of %#v.
func (k *Keyring) GoString() string { return k.String() }
