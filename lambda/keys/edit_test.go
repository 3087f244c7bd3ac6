package keys_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// t0 is when the tests' first key is added.
var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// ringOf is the keyring JSON as the edits write it, for assertions.
type ringOf struct {
	Current string            `json:"current"`
	Keys    map[string]string `json:"keys"`
	Added   map[string]string `json:"added"`
}

func read(t *testing.T, ring []byte) (ringOf, *link.Keyring) {
	t.Helper()
	parsed, err := link.ParseKeyring(ring)
	require.NoError(t, err, "every edit's output parses")
	var r ringOf
	require.NoError(t, json.Unmarshal(ring, &r))
	return r, parsed
}

// inviteLink signs the longest-lived link there is with ring's current key.
func inviteLink(t *testing.T, ring []byte, now time.Time) string {
	t.Helper()
	_, parsed := read(t, ring)
	u, err := link.Sign(link.Params{
		Base: "https://app.example.com/invite", Mode: link.ModeQuery, Purpose: link.PurposeInvite,
		Tenant: "acme", UserPool: "eu-west-1_Ab12Cd34E", Username: "alice", Locale: "en",
		Expires: now.Add(keys.DefaultOverlap),
	}, parsed)
	require.NoError(t, err)
	return u
}

func linkVerifies(t *testing.T, u string, ring []byte, now time.Time) error {
	t.Helper()
	_, parsed := read(t, ring)
	_, err := link.Verify(u, parsed, now)
	return err
}

func TestNew(t *testing.T) {
	ring, err := keys.New(t0)
	require.NoError(t, err)
	r, parsed := read(t, ring)
	require.Len(t, r.Keys, 1)
	assert.Contains(t, r.Keys, r.Current)
	key, err := base64.StdEncoding.DecodeString(r.Keys[r.Current])
	require.NoError(t, err)
	assert.Len(t, key, link.MinKeyBytes)
	assert.Equal(t, map[string]string{r.Current: "2026-11-30T12:00:00Z"}, r.Added)
	assert.Regexp(t, `^k-20261130-[0-9a-f]{8}$`, r.Current)
	assert.NoError(t, keys.RefuseDevelopment(parsed))

	other, err := keys.New(t0)
	require.NoError(t, err)
	o, _ := read(t, other)
	assert.NotEqual(t, r.Current, o.Current, "ids are random")
	assert.NotEqual(t, r.Keys[r.Current], o.Keys[o.Current], "keys are random")
}

func TestAdd(t *testing.T) {
	ring, err := keys.New(t0)
	require.NoError(t, err)
	before, _ := read(t, ring)
	later := t0.Add(36 * time.Hour)

	out, kid, err := keys.Add(ring, later)
	require.NoError(t, err)
	r, parsed := read(t, out)
	assert.Equal(t, before.Current, r.Current, "the new key is not current")
	assert.Len(t, r.Keys, 2)
	assert.Equal(t, before.Keys[before.Current], r.Keys[before.Current], "the old key is kept as written")
	assert.Equal(t, "2026-12-02T00:00:00Z", r.Added[kid])
	assert.Equal(t, before.Added[before.Current], r.Added[before.Current])
	at, ok := parsed.Added(kid)
	require.True(t, ok)
	assert.True(t, at.Equal(later))

	// A keyring written by hand, without "added", keeps its keys as written.
	hand := `{"current":"k1","keys":{"k1":"` + base64.RawURLEncoding.EncodeToString(make32(1)) + `"}}`
	out, kid, err = keys.Add([]byte(hand), t0)
	require.NoError(t, err)
	r, _ = read(t, out)
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(make32(1)), r.Keys["k1"])
	assert.Equal(t, map[string]string{kid: "2026-11-30T12:00:00Z"}, r.Added)
}

// make32 is 32 distinct bytes from seed: a key that is not weak.
func make32(seed byte) []byte {
	b := make([]byte, 32)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return b
}

// Every edit refuses a keyring ParseKeyring refuses, and the development key.
func TestEditsRefuseBadRings(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(make32(1))
	zeros := base64.StdEncoding.EncodeToString(make([]byte, 32))
	short := base64.StdEncoding.EncodeToString(make32(1)[:31])
	devKey := `Y29nbWFpbC1kZXZlbG9wbWVudC1rZXktTk9ULUEtU0VDUkVULTAx`
	for _, tc := range []struct{ name, ring, want string }{
		{"case=not JSON", `current=k1`, "not valid JSON"},
		{"case=repeated byte", `{"current":"k1","keys":{"k1":"` + good + `","k0":"` + zeros + `"}}`, `key "k0" is one byte repeated`},
		{"case=short key", `{"current":"k1","keys":{"k1":"` + short + `"}}`, `key "k1" has 31 bytes`},
		{"case=bad added", `{"current":"k1","keys":{"k1":"` + good + `"},"added":{"k1":"yesterday"}}`, `"added" time of key "k1"`},
		{"case=development keyring", keys.DevelopmentJSON, "development key"},
		{"case=development key renamed", `{"current":"k1","keys":{"k1":"` + good + `","old":"` + devKey + `"}}`, "development key"},
	} {
		edits := map[string]func([]byte) error{
			"add":     func(r []byte) error { _, _, err := keys.Add(r, t0); return err },
			"promote": func(r []byte) error { _, err := keys.Promote(r, "k1", t0, 0); return err },
			"retire":  func(r []byte) error { _, err := keys.Retire(r, "k0"); return err },
		}
		for name, edit := range edits {
			t.Run(tc.name+"/edit="+name, func(t *testing.T) {
				err := edit([]byte(tc.ring))
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.want)
				assert.NotContains(t, err.Error(), strings.TrimRight(good, "="))
				assert.NotContains(t, err.Error(), devKey)
			})
		}
	}
}

func TestPromote(t *testing.T) {
	ring, err := keys.New(t0)
	require.NoError(t, err)
	first, _ := read(t, ring)
	added := t0.Add(time.Hour)
	ring, kid, err := keys.Add(ring, added)
	require.NoError(t, err)
	noAdded := `{"current":"k1","keys":{"k1":"` + base64.StdEncoding.EncodeToString(make32(1)) +
		`","k2":"` + base64.StdEncoding.EncodeToString(make32(2)) + `"}}`

	for _, tc := range []struct {
		name    string
		ring    string
		kid     string
		now     time.Time
		overlap time.Duration
		want    error // nil: promoted
	}{
		{"case=after the overlap", string(ring), kid, added.Add(keys.DefaultOverlap), keys.DefaultOverlap, nil},
		{"case=long after", string(ring), kid, added.Add(90 * 24 * time.Hour), keys.DefaultOverlap, nil},
		{"case=a second too soon", string(ring), kid, added.Add(keys.DefaultOverlap - time.Second), keys.DefaultOverlap, keys.ErrTooSoon},
		{"case=just added", string(ring), kid, added, keys.DefaultOverlap, keys.ErrTooSoon},
		{"case=shorter overlap", string(ring), kid, added.Add(2 * time.Hour), time.Hour, nil},
		{"case=overlap 0 overrides", string(ring), kid, added, 0, nil},
		{"case=no added time", noAdded, "k2", t0, keys.DefaultOverlap, keys.ErrTooSoon},
		{"case=no added time, overridden", noAdded, "k2", t0, 0, nil},
		{"case=unknown kid", string(ring), "k-nope", added.Add(keys.DefaultOverlap), keys.DefaultOverlap, keys.ErrUnknownKey},
		{"case=unknown kid, overridden", string(ring), "k-nope", added, 0, keys.ErrUnknownKey},
		{"case=already current", string(ring), first.Current, t0, keys.DefaultOverlap, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := keys.Promote([]byte(tc.ring), tc.kid, tc.now, tc.overlap)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				assert.Nil(t, out)
				return
			}
			require.NoError(t, err)
			r, parsed := read(t, out)
			before, _ := read(t, []byte(tc.ring))
			assert.Equal(t, tc.kid, r.Current)
			assert.Equal(t, tc.kid, parsed.Current())
			assert.Equal(t, before.Keys, r.Keys, "promotion keeps every key")
			assert.Equal(t, before.Added, r.Added, "and every added time")
		})
	}

	t.Run("case=too soon says when", func(t *testing.T) {
		_, err := keys.Promote(ring, kid, added, keys.DefaultOverlap)
		require.Error(t, err)
		assert.Contains(t, err.Error(), added.Add(keys.DefaultOverlap).Format(time.RFC3339))
	})
}

func TestRetire(t *testing.T) {
	ring, err := keys.New(t0)
	require.NoError(t, err)
	old, _ := read(t, ring)
	ring, kid, err := keys.Add(ring, t0)
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		kid  string
		want error
	}{
		{"case=not current", kid, nil},
		{"case=current", old.Current, keys.ErrRetireCurrent},
		{"case=unknown", "k-nope", keys.ErrUnknownKey},
		{"case=empty", "", keys.ErrUnknownKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := keys.Retire(ring, tc.kid)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			r, parsed := read(t, out)
			assert.Equal(t, []string{old.Current}, parsed.IDs())
			assert.NotContains(t, r.Added, tc.kid, "its added time goes with it")
			assert.Equal(t, old.Keys, r.Keys)
		})
	}
}

// A whole rotation: links signed before each step verify after it, until
// their key is retired.
func TestRotationKeepsLinks(t *testing.T) {
	ring, err := keys.New(t0)
	require.NoError(t, err)
	r0, _ := read(t, ring)
	before := inviteLink(t, ring, t0)

	ring, k1, err := keys.Add(ring, t0.Add(time.Hour))
	require.NoError(t, err)
	require.NoError(t, linkVerifies(t, before, ring, t0.Add(time.Hour)), "after add")
	afterAdd := inviteLink(t, ring, t0.Add(time.Hour))
	assert.Contains(t, afterAdd, "kid="+r0.Current, "the added key does not sign yet")

	promoted := t0.Add(time.Hour + keys.DefaultOverlap)
	ring, err = keys.Promote(ring, k1, promoted, keys.DefaultOverlap)
	require.NoError(t, err)
	// The ring is what changes; each link is checked while it is valid.
	require.NoError(t, linkVerifies(t, before, ring, t0.Add(2*time.Hour)), "after promote")
	require.NoError(t, linkVerifies(t, afterAdd, ring, t0.Add(2*time.Hour)), "after promote")
	afterPromote := inviteLink(t, ring, promoted)
	assert.Contains(t, afterPromote, "kid="+k1)

	// A third key comes and goes: retiring it touches no other link.
	ring, k2, err := keys.Add(ring, promoted)
	require.NoError(t, err)
	ring, err = keys.Retire(ring, k2)
	require.NoError(t, err)
	require.NoError(t, linkVerifies(t, before, ring, t0.Add(2*time.Hour)), "after retiring another key")
	require.NoError(t, linkVerifies(t, afterAdd, ring, t0.Add(2*time.Hour)), "after retiring another key")
	require.NoError(t, linkVerifies(t, afterPromote, ring, promoted), "after retiring another key")

	// Retiring the old key ends its links, and only those.
	ring, err = keys.Retire(ring, r0.Current)
	require.NoError(t, err)
	assert.ErrorIs(t, linkVerifies(t, afterAdd, ring, t0.Add(2*time.Hour)), link.ErrUnknownKey)
	assert.NoError(t, linkVerifies(t, afterPromote, ring, promoted))
}
