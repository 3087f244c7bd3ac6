package link_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
)

// secretKey is 32 bytes whose standard base64 starts with "++//" and whose
// URL-safe base64 starts with "--__", so the two alphabets differ.
func secretKey() []byte {
	return append([]byte{0xfb, 0xef, 0xff}, testKey("secret")[3:]...)
}

// encodings returns every text a key may be written as.
func encodings(key []byte) map[string]string {
	return map[string]string{
		"std padded": base64.StdEncoding.EncodeToString(key),
		"std raw":    base64.RawStdEncoding.EncodeToString(key),
		"url padded": base64.URLEncoding.EncodeToString(key),
		"url raw":    base64.RawURLEncoding.EncodeToString(key),
	}
}

// assertNoKey fails if text shows key in any encoding or as raw bytes.
func assertNoKey(t *testing.T, text string, key []byte) {
	t.Helper()
	for name, enc := range encodings(key) {
		assert.NotContains(t, text, strings.TrimRight(enc, "="), "shows the key as %s base64", name)
	}
	assert.NotContains(t, text, string(key), "shows the raw key")
	assert.NotContains(t, text, strings.Trim(fmt.Sprint(key), "[]"), "shows the key's bytes")
	assert.NotContains(t, text, fmt.Sprintf("%x", key[:8]), "shows the key in hex")
}

func TestParseKeyringEncodings(t *testing.T) {
	key := secretKey()
	require.True(t, strings.HasPrefix(base64.StdEncoding.EncodeToString(key), "++//"))

	signed := sign(t, params(), newRing(t, "k1", "k1")) // signed with testKey("k1")
	for name, enc := range encodings(key) {
		t.Run("case="+name, func(t *testing.T) {
			ring, err := link.ParseKeyring([]byte(fmt.Sprintf(`{"current":"s","keys":{"s":%q}}`, enc)))
			require.NoError(t, err)
			assert.Equal(t, "s", ring.Current())
			assert.Equal(t, []string{"s"}, ring.IDs())

			// The decoded key must be exactly key: a link signed by a ring
			// read from another encoding verifies.
			ref, err := link.ParseKeyring([]byte(fmt.Sprintf(`{"current":"s","keys":{"s":%q}}`, base64.StdEncoding.EncodeToString(key))))
			require.NoError(t, err)
			_, err = link.Verify(sign(t, params(), ref), ring, now)
			assert.NoError(t, err)
			_, err = link.Verify(signed, ring, now)
			assert.ErrorIs(t, err, link.ErrUnknownKey)
		})
	}
}

func TestParseKeyringIDs(t *testing.T) {
	ring := newRing(t, "b", "c", "a", "b")
	assert.Equal(t, "b", ring.Current())
	assert.Equal(t, []string{"a", "b", "c"}, ring.IDs())
}

func TestParseKeyringRejects(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(secretKey())
	short := base64.StdEncoding.EncodeToString(secretKey()[:31])
	zeros := base64.StdEncoding.EncodeToString(make([]byte, 32))
	sevens := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 64))
	tests := []struct {
		name string
		json string
		want []string // each must be in the error
	}{
		{"case=empty", ``, []string{"not valid JSON"}},
		{"case=not JSON", `current=k1`, []string{"not valid JSON"}},
		{"case=truncated", `{"current":"k1","keys":{"k1":"` + key, []string{"not valid JSON"}},
		{"case=array", `["` + key + `"]`, []string{"not valid JSON"}},
		{"case=key not a string", `{"current":"k1","keys":{"k1":12345}}`, []string{"wrong type"}},
		{"case=unknown field", `{"current":"k1","keys":{"k1":"` + key + `"},"previous":"k0"}`, []string{`unknown field "previous"`}},
		{"case=no keys", `{"current":"k1","keys":{}}`, []string{"no keys"}},
		{"case=keys missing", `{"current":"k1"}`, []string{"no keys"}},
		{"case=empty current", `{"current":"","keys":{"k1":"` + key + `"}}`, []string{`"current" is empty`}},
		{"case=current not among keys", `{"current":"k2","keys":{"k1":"` + key + `"}}`, []string{`current key "k2" is not among the keys`}},
		{"case=kid with space", `{"current":"k 1","keys":{"k 1":"` + key + `"}}`, []string{`key id "k 1"`}},
		{"case=kid with slash", `{"current":"k/1","keys":{"k/1":"` + key + `"}}`, []string{`key id "k/1"`}},
		{"case=kid too long", `{"current":"k1","keys":{"k1":"` + key + `","` + strings.Repeat("k", 65) + `":"` + key + `"}}`, []string{"1-64 characters"}},
		{"case=key not base64", `{"current":"k1","keys":{"k1":"` + key[:20] + `!!` + key[22:] + `"}}`, []string{`key "k1" is not base64`}},
		{"case=key mixes alphabets", `{"current":"k1","keys":{"k1":"+_` + key[2:] + `"}}`, []string{`key "k1" is not base64`}},
		{"case=key of 31 bytes", `{"current":"k1","keys":{"k1":"` + short + `"}}`, []string{`key "k1" has 31 bytes, needs at least 32`}},
		{"case=empty key", `{"current":"k1","keys":{"k1":""}}`, []string{`key "k1" has 0 bytes`}},
		{"case=32 zero bytes", `{"current":"k1","keys":{"k1":"` + zeros + `"}}`, []string{`key "k1" is one byte repeated`}},
		{"case=64 bytes of 7", `{"current":"k1","keys":{"k1":"` + sevens + `"}}`, []string{`key "k1" is one byte repeated`}},
		{"case=a weak key kept for verifying", `{"current":"k1","keys":{"k1":"` + key + `","k0":"` + zeros + `"}}`, []string{`key "k0" is one byte repeated`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ring, err := link.ParseKeyring([]byte(tc.json))
			require.Error(t, err)
			assert.Nil(t, ring)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			assertNoKey(t, err.Error(), secretKey())
			assertNoKey(t, fmt.Sprintf("%+v %#v", err, err), secretKey())
		})
	}
}

func TestParseKeyringReportsEveryProblem(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(secretKey())
	short := base64.StdEncoding.EncodeToString(secretKey()[:16])
	_, err := link.ParseKeyring([]byte(`{"current":"","keys":{"bad kid":"` + key + `","k2":"` + short + `","k3":"%%%"}}`))
	require.Error(t, err)
	for _, want := range []string{`"current" is empty`, `key id "bad kid"`, `key "k2" has 16 bytes`, `key "k3" is not base64`} {
		assert.Contains(t, err.Error(), want)
	}
	var joined interface{ Unwrap() []error }
	require.True(t, errors.As(err, &joined), "problems are joined with errors.Join")
	assert.Len(t, joined.Unwrap(), 4)
	assertNoKey(t, err.Error(), secretKey())
}

func TestKeyringKeepsKeyOutOfOutput(t *testing.T) {
	key := secretKey()
	ring, err := link.ParseKeyring([]byte(`{"current":"k1","keys":{"k1":"` + base64.StdEncoding.EncodeToString(key) + `"}}`))
	require.NoError(t, err)

	t.Run("case=fmt", func(t *testing.T) {
		out := fmt.Sprintf("%v %+v %#v %s", ring, ring, ring, ring)
		assert.Contains(t, out, "k1", "the ring still shows its key ids")
		assertNoKey(t, out, key)
	})
	t.Run("case=fmt in a struct", func(t *testing.T) {
		out := fmt.Sprintf("%v %+v", struct{ Ring *link.Keyring }{ring}, struct{ Ring *link.Keyring }{ring})
		assertNoKey(t, out, key)
	})
	for name, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		t.Run("case=slog "+name, func(t *testing.T) {
			var buf bytes.Buffer
			slog.New(newHandler(&buf)).Info("loaded keys", "ring", ring)
			assert.Contains(t, buf.String(), "k1")
			assertNoKey(t, buf.String(), key)
		})
	}
	t.Run("case=slog json shape", func(t *testing.T) {
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("loaded keys", "ring", ring)
		assert.Contains(t, buf.String(), `"ring":{"current":"k1","kids":["k1"]}`)
	})
}

func TestDerive(t *testing.T) {
	a := newRing(t, "k1", "k1", "k2")
	b := newRing(t, "k2", "k1", "k2")
	assert.Len(t, a.Derive("x"), 32)
	assert.Equal(t, a.Derive("x"), newRing(t, "k1", "k1").Derive("x"), "same current key, same derived key")
	assert.NotEqual(t, a.Derive("x"), a.Derive("y"), "labels separate purposes")
	assert.NotEqual(t, a.Derive("x"), b.Derive("x"), "rotating the current key changes it")
}

// Find names the key a ring holds under any id, and hands out no key.
func TestFind(t *testing.T) {
	ring := newRing(t, "b", "a", "b")
	for _, tc := range []struct {
		name string
		key  []byte
		kid  string
	}{
		{"case=first", testKey("a"), "a"},
		{"case=second", testKey("b"), "b"},
		{"case=absent", testKey("c"), ""},
		{"case=prefix", testKey("a")[:31], ""},
		{"case=longer", append(testKey("a"), 1), ""},
		// HMAC pads keys with zeros: this one signs exactly as "a" does.
		{"case=padded with zeros", append(testKey("a"), 0, 0), "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kid, ok := ring.Find(tc.key)
			assert.Equal(t, tc.kid, kid)
			assert.Equal(t, tc.kid != "", ok)
		})
	}
}
