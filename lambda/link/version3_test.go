package link_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
)

// signedCode returns params for a version-3 link: the real code, signed.
func signedCode(purpose link.Purpose, mode link.Mode) link.Params {
	p := params()
	p.Purpose, p.Mode, p.Code, p.SignCode = purpose, mode, "482916", true
	return p
}

// A version-3 link signs the code: it verifies with it, as version 3, and
// has the very parameters of a version-2 link (pages that read links
// themselves need no change).
func TestVersion3SignsTheCode(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	for _, purpose := range []link.Purpose{link.PurposeReset, link.PurposeVerify} {
		for _, mode := range []link.Mode{link.ModeQuery, link.ModeFragment} {
			t.Run("case="+string(purpose)+"/"+string(mode), func(t *testing.T) {
				p := signedCode(purpose, mode)
				v3 := sign(t, p, ring)
				got, err := link.Verify(v3, ring, now)
				require.NoError(t, err)
				assert.Equal(t, link.Claims{Purpose: purpose, Tenant: "acme", UserPool: pool, Username: "alice", Locale: "en",
					Expires: time.Unix(expires.Unix(), 0).UTC(), KeyID: "k1", Version: 3, CodeSigned: true, Code: "482916"}, got)
				assert.True(t, strings.HasSuffix(v3, "&code=482916"), "the code is last, verbatim: %s", v3)

				p.SignCode = false
				v2 := sign(t, p, ring)
				assert.Equal(t, names(t, v2), names(t, v3), "the same parameters, in the same order")
				assert.NotEqual(t, sigOf(t, v2), sigOf(t, v3))
			})
		}
	}
}

// Only the code told apart: a version-3 link whose every other field is
// authentic fails with ErrCodeTampered (still ErrBadSignature for callers
// that do not look for it), its claims returned without the code. Any other
// change is a bad signature like any other.
func TestVersion3TamperedCode(t *testing.T) {
	ring := newRing(t, "k1", "k1", "k2")
	signed := sign(t, signedCode(link.PurposeReset, link.ModeQuery), ring)
	fragment := sign(t, signedCode(link.PurposeVerify, link.ModeFragment), ring)
	set := func(name, value string) string { return edit(t, signed, func(q url.Values) { q.Set(name, value) }) }
	sig, err := base64.RawURLEncoding.DecodeString(param(t, signed, link.ParamSignature))
	require.NoError(t, err)
	flip := func(i int) string {
		b := append([]byte(nil), sig...)
		b[i] ^= 1
		return set(link.ParamSignature, base64.RawURLEncoding.EncodeToString(b))
	}
	for _, tc := range []struct {
		name     string
		url      string
		tampered bool
	}{
		{"case=another code", set(link.ParamCode, "482917"), true},
		{"case=another code in a fragment link", strings.Replace(fragment, "code=482916", "code=111111", 1), true},
		{"case=code removed", edit(t, signed, func(q url.Values) { q.Del(link.ParamCode) }), true},
		{"case=code emptied", set(link.ParamCode, ""), true},
		{"case=code cut short", strings.TrimSuffix(signed, "6"), true},
		{"case=code lengthened", signed + "0", true},
		{"case=code twice, the signed one first", signed + "&code=000000", true},
		{"case=code twice, the signed one second", edit(t, signed, func(q url.Values) { q["code"] = []string{"000000", "482916"} }), true},
		// The second tag is the code's: changing it reads as a changed code.
		{"case=the code's tag changed", flip(31), true},
		{"case=the fields' tag changed", flip(0), false},
		{"case=username changed", set(link.ParamUsername, "mallory"), false},
		{"case=username and code changed", edit(t, signed, func(q url.Values) { q.Set(link.ParamUsername, "mallory"); q.Set(link.ParamCode, "1") }), false},
		{"case=tenant changed", set(link.ParamTenant, "evil"), false},
		{"case=pool changed", set(link.ParamUserPool, "eu-west-1_Zz99Yy88X"), false},
		{"case=pool removed", edit(t, signed, func(q url.Values) { q.Del(link.ParamUserPool) }), false},
		{"case=locale changed", set(link.ParamLocale, "de"), false},
		{"case=exp changed", set(link.ParamExpires, "1741951014"), false},
		{"case=kid of another key", set(link.ParamKeyID, "k2"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := link.Verify(tc.url, ring, now)
			require.ErrorIs(t, err, link.ErrBadSignature, tc.url)
			assert.Equal(t, tc.tampered, errors.Is(err, link.ErrCodeTampered), "%v: %s", err, tc.url)
			if !tc.tampered {
				assert.Equal(t, link.Claims{}, got, "a bad signature vouches for nothing")
				return
			}
			assert.Empty(t, got.Code, "a tampered code is never passed on")
			assert.True(t, got.CodeSigned)
			assert.Equal(t, 3, got.Version)
			assert.Equal(t, "alice", got.Username)
			assert.Equal(t, "acme", got.Tenant)
			assert.Equal(t, pool, got.UserPool)
			assert.Equal(t, "en", got.Locale)
			assert.Equal(t, time.Unix(expires.Unix(), 0).UTC(), got.Expires)
		})
	}
	t.Run("case=tampered and expired: tampered, with its expiry", func(t *testing.T) {
		got, err := link.Verify(set(link.ParamCode, "000000"), ring, expires.Add(time.Hour))
		assert.ErrorIs(t, err, link.ErrCodeTampered)
		assert.NotErrorIs(t, err, link.ErrExpired)
		assert.Equal(t, time.Unix(expires.Unix(), 0).UTC(), got.Expires)
	})
	t.Run("case=expired, code intact", func(t *testing.T) {
		got, err := link.Verify(signed, ring, expires)
		assert.ErrorIs(t, err, link.ErrExpired)
		assert.NotErrorIs(t, err, link.ErrBadSignature)
		assert.Equal(t, "482916", got.Code)
	})
}

// No version verifies as another, in every pair: the version is signed.
// A link is signed as one version, then dressed as each version: the pool
// added or removed (version 1 has none), the code changed (only version 3
// signs it).
func TestVersionsNeverVerifyAsAnother(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	signedAs := map[int]string{}
	for v := 1; v <= 3; v++ {
		p := params()
		p.Code = "482916"
		switch v {
		case 1:
			p.UserPool = ""
		case 3:
			p.SignCode = true
		}
		signedAs[v] = sign(t, p, ring)
	}
	withPool := func(u string) string { return edit(t, u, func(q url.Values) { q.Set(link.ParamUserPool, pool) }) }
	withoutPool := func(u string) string { return edit(t, u, func(q url.Values) { q.Del(link.ParamUserPool) }) }
	otherCode := func(u string) string { return edit(t, u, func(q url.Values) { q.Set(link.ParamCode, "000000") }) }
	for _, tc := range []struct {
		name    string
		url     string
		version int   // what it verifies as: 0 when it does not
		want    error // when it does not
	}{
		{"case=1 as 1", signedAs[1], 1, nil},
		{"case=1 as 1, another code: unsigned", otherCode(signedAs[1]), 1, nil},
		{"case=1 as 2", withPool(signedAs[1]), 0, link.ErrBadSignature},
		{"case=1 as 3", otherCode(withPool(signedAs[1])), 0, link.ErrBadSignature},
		{"case=2 as 1", withoutPool(signedAs[2]), 0, link.ErrBadSignature},
		{"case=2 as 2", signedAs[2], 2, nil},
		{"case=2 as 2, another code: unsigned", otherCode(signedAs[2]), 2, nil},
		{"case=3 as 1", withoutPool(signedAs[3]), 0, link.ErrBadSignature},
		// A version-3 link with its code changed does not fall back to
		// version 2, whose code is unsigned.
		{"case=3 as 2", otherCode(signedAs[3]), 0, link.ErrCodeTampered},
		{"case=3 as 3", signedAs[3], 3, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := link.Verify(tc.url, ring, now)
			if tc.version == 0 {
				assert.ErrorIs(t, err, tc.want, tc.url)
				return
			}
			require.NoError(t, err, tc.url)
			assert.Equal(t, tc.version, got.Version)
			assert.Equal(t, tc.version == 3, got.CodeSigned)
		})
	}
	// The same fields give three signatures, and neither half of a
	// version-2 signature is a version-3 tag.
	sigs := map[string]bool{}
	for _, u := range signedAs {
		sigs[sigOf(t, u)] = true
	}
	assert.Len(t, sigs, 3)
	v2, v3 := rawSig(t, signedAs[2]), rawSig(t, signedAs[3])
	assert.NotEqual(t, v2[:16], v3[:16])
	assert.NotEqual(t, v2[16:], v3[16:])
}

// A version-2 link the previous release signed, byte for byte (its golden
// forgot-password email, the public development keyring), verifies as
// before: version 2, code unsigned.
func TestVersion2LinksVerifyAsBefore(t *testing.T) {
	const developmentJSON = `{"current":"dev-1","keys":{"dev-1":"Y29nbWFpbC1kZXZlbG9wbWVudC1rZXktTk9ULUEtU0VDUkVULTAx"}}`
	ring, err := link.ParseKeyring([]byte(developmentJSON))
	require.NoError(t, err)
	const old = "https://app.example.com/reset-password?username=d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f&tenant=default" +
		"&pool=eu-west-1_Ab12Cd34E&locale=en&exp=1768473000&kid=dev-1&sig=zsltO5w3pOsAvZzXlnPDH2mtCObDIGQxnrc-3zrWH6k&code=123456"
	got, err := link.Verify(old, ring, time.Unix(1768473000, 0).Add(-time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 2, got.Version)
	assert.False(t, got.CodeSigned)
	assert.Equal(t, "123456", got.Code)
	assert.Equal(t, link.PurposeReset, got.Purpose)
}

func TestSignCodeRefuses(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	for _, tc := range []struct {
		name string
		edit func(*link.Params)
		want string
	}{
		{"case=invitation", func(p *link.Params) { p.Purpose, p.Code = link.PurposeInvite, "" }, "temporary password"},
		{"case=invitation with a code", func(p *link.Params) { p.Purpose = link.PurposeInvite }, "temporary password"},
		{"case=report", func(p *link.Params) { p.Purpose, p.Code = link.PurposeReport, "" }, "report link"},
		{"case=no pool", func(p *link.Params) { p.UserPool = "" }, "user pool"},
		{"case=no code", func(p *link.Params) { p.Code = "" }, "real code"},
		{"case=the placeholder", func(p *link.Params) { p.Code = "{####}" }, "real code"},
		{"case=a code that cannot go into a URL verbatim", func(p *link.Params) { p.Code = "48 29" }, "verbatim"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := signedCode(link.PurposeReset, link.ModeQuery)
			tc.edit(&p)
			u, err := link.Sign(p, ring)
			assert.ErrorContains(t, err, tc.want)
			assert.Empty(t, u)
		})
	}
}

func TestCodeTamperedIsABadSignatureOnly(t *testing.T) {
	assert.ErrorIs(t, link.ErrCodeTampered, link.ErrBadSignature)
	for _, other := range []error{link.ErrMalformed, link.ErrUnknownKey, link.ErrExpired} {
		assert.NotErrorIs(t, link.ErrCodeTampered, other)
	}
	assert.NotErrorIs(t, link.ErrBadSignature, link.ErrCodeTampered)
}

// What a tool prints (cogmail verify) says whether the code is signed, and
// never the code.
func TestClaimsJSONSaysWhetherTheCodeIsSigned(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	got, err := link.Verify(sign(t, signedCode(link.PurposeReset, link.ModeQuery), ring), ring, now)
	require.NoError(t, err)
	out, err := json.Marshal(got)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"codeSigned":true`)
	assert.Contains(t, string(out), `"version":3`)
	assert.NotContains(t, string(out), "482916")
}

// names lists a link's parameter names in order.
func names(t *testing.T, u string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(u, "?")
	if !ok {
		_, rest, _ = strings.Cut(u, "#")
	}
	var out []string
	for _, kv := range strings.Split(rest, "&") {
		name, _, _ := strings.Cut(kv, "=")
		out = append(out, name)
	}
	return out
}

// sigOf returns a link's sig, from its query or its fragment.
func sigOf(t *testing.T, u string) string {
	t.Helper()
	_, rest, ok := strings.Cut(u, "#")
	if !ok {
		_, rest, _ = strings.Cut(u, "?")
	}
	q, err := url.ParseQuery(rest)
	require.NoError(t, err)
	return q.Get(link.ParamSignature)
}

func rawSig(t *testing.T, u string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(sigOf(t, u))
	require.NoError(t, err)
	return b
}
