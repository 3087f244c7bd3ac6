package link_test

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
)

// now is the clock every test reads; links expire an hour later.
var (
	now     = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	expires = now.Add(time.Hour)
)

// testKey returns 32 bytes derived from kid: fixed, so tests are
// deterministic, and random-looking, so finding them in output means a leak.
func testKey(kid string) []byte {
	sum := sha256.Sum256([]byte("cogmail test key " + kid))
	return sum[:]
}

// newRing returns a ring holding kids, signing with current.
func newRing(t testing.TB, current string, kids ...string) *link.Keyring {
	t.Helper()
	keys := make([]string, len(kids))
	for i, kid := range kids {
		keys[i] = fmt.Sprintf("%q:%q", kid, base64.StdEncoding.EncodeToString(testKey(kid)))
	}
	ring, err := link.ParseKeyring([]byte(fmt.Sprintf(`{"current":%q,"keys":{%s}}`, current, strings.Join(keys, ","))))
	require.NoError(t, err)
	return ring
}

// pool is the user pool the tests' links are for.
const pool = "eu-west-1_Ab12Cd34E"

// params returns a valid query-mode reset link without a code.
func params() link.Params {
	return link.Params{
		Base:     "https://app.example.com/reset",
		Mode:     link.ModeQuery,
		Purpose:  link.PurposeReset,
		Tenant:   "acme",
		UserPool: pool,
		Username: "alice",
		Locale:   "en",
		Expires:  expires,
	}
}

func sign(t testing.TB, p link.Params, ring *link.Keyring) string {
	t.Helper()
	u, err := link.Sign(p, ring)
	require.NoError(t, err)
	return u
}

// edit returns the query-mode link u with its parameters changed by f.
func edit(t testing.TB, u string, f func(url.Values)) string {
	t.Helper()
	parsed, err := url.Parse(u)
	require.NoError(t, err)
	q := parsed.Query()
	f(q)
	parsed.RawQuery = q.Encode()
	return parsed.String()
}

func param(t testing.TB, u, name string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	require.NoError(t, err)
	return parsed.Query().Get(name)
}

func TestSignVerifyRoundTrip(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	purposes := []struct {
		purpose link.Purpose
		code    string
	}{
		{link.PurposeReset, "{####}"},
		{link.PurposeInvite, ""},
		{link.PurposeVerify, "{####}"},
		{link.PurposeReport, ""},
	}
	usernames := []string{
		"alice", "a+b@example.com", "first last", "a&b=c", "x#y", "zoë.łukasz.李",
		"4f1c2a70-5b6e-4c1d-9a3e-0c2d1f0e9b7a", "100%", "a/b?c;d",
	}
	bases := map[string]string{
		"plain base":      "https://app.example.com/reset",
		"base with query": "https://app.example.com/reset?app=web",
	}

	for _, pp := range purposes {
		for _, mode := range []link.Mode{link.ModeQuery, link.ModeFragment} {
			for baseName, base := range bases {
				for _, username := range usernames {
					t.Run(fmt.Sprintf("case=%s/%s/%s/%s", pp.purpose, mode, baseName, username), func(t *testing.T) {
						p := link.Params{
							Base: base, Mode: mode, Purpose: pp.purpose, Tenant: "acme", UserPool: pool,
							Username: username, Locale: "pt-BR", Expires: expires, Code: pp.code,
						}
						signed := sign(t, p, ring)
						assert.True(t, strings.HasPrefix(signed, base), "the base comes first, unchanged: %s", signed)
						sep := "?"
						if mode == link.ModeFragment {
							sep = "#"
						} else if strings.Contains(base, "?") {
							sep = "&"
						}
						assert.True(t, strings.HasPrefix(signed, base+sep+"username="), "%s", signed)
						assert.NotContains(t, strings.ToLower(signed), "%7b", "the placeholder must stay literal")

						want := link.Claims{
							Purpose: pp.purpose, Tenant: "acme", UserPool: pool, Username: username, Locale: "pt-BR",
							Expires: time.Unix(expires.Unix(), 0).UTC(), KeyID: "k1", Version: 2,
						}
						// As signed, the link still holds {####}: it is what a
						// reader sees before Cognito substitutes the code.
						links := map[string]string{"as signed": signed}
						if pp.code == "" {
							assert.NotContains(t, signed, link.ParamCode+"=")
						} else {
							assert.True(t, strings.HasSuffix(signed, "&code={####}"), "code must be the last parameter, verbatim: %s", signed)
							links["after substitution"] = strings.Replace(signed, "{####}", "123456", 1)
						}
						for name, u := range links {
							got, err := link.Verify(u, ring, now)
							require.NoError(t, err, "%s: %s", name, u)
							if name == "after substitution" {
								assert.Equal(t, "123456", got.Code)
							}
							got.Code = ""
							assert.Equal(t, want, got, name)
						}
					})
				}
			}
		}
	}
}

func TestVerifyCodeIsNotSigned(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	for _, mode := range []link.Mode{link.ModeQuery, link.ModeFragment} {
		p := params()
		p.Mode, p.Code = mode, "{####}"
		signed := sign(t, p, ring)
		for _, code := range []string{"123456", "000000", "Ab3$x!"} {
			t.Run(fmt.Sprintf("case=%s/%s", mode, code), func(t *testing.T) {
				u := strings.Replace(signed, "{####}", url.QueryEscape(code), 1)
				got, err := link.Verify(u, ring, now)
				require.NoError(t, err)
				assert.Equal(t, code, got.Code)
				assert.Equal(t, "alice", got.Username)
			})
		}
	}
	t.Run("case=code removed", func(t *testing.T) {
		p := params()
		p.Code = "{####}"
		u := strings.TrimSuffix(sign(t, p, ring), "&code={####}")
		got, err := link.Verify(u, ring, now)
		require.NoError(t, err)
		assert.Empty(t, got.Code)
	})
}

func TestVerifyErrors(t *testing.T) {
	ring := newRing(t, "k1", "k1", "k2")
	signed := sign(t, params(), ring)
	set := func(name, value string) string {
		return edit(t, signed, func(q url.Values) { q.Set(name, value) })
	}
	sig, err := base64.RawURLEncoding.DecodeString(param(t, signed, link.ParamSignature))
	require.NoError(t, err)
	flipped := append([]byte(nil), sig...)
	flipped[0] ^= 1

	type verifyCase struct {
		name string
		url  string
		want error
	}
	tests := []verifyCase{
		{"case=not a URL", "https://app.example.com/%zz", link.ErrMalformed},
		{"case=no scheme", "://app.example.com/reset", link.ErrMalformed},
		{"case=empty", "", link.ErrMalformed},
		{"case=unreadable query", signed + "&x=%zz", link.ErrMalformed},
		{"case=exp not numeric", set(link.ParamExpires, "soon"), link.ErrMalformed},
		{"case=exp with fraction", set(link.ParamExpires, "1741947413.5"), link.ErrMalformed},
		{"case=exp negative", set(link.ParamExpires, "-1"), link.ErrMalformed},
		{"case=exp overflows", set(link.ParamExpires, "99999999999999999999"), link.ErrMalformed},
		{"case=sig not base64url", set(link.ParamSignature, "!!!!"), link.ErrMalformed},
		{"case=sig padded", set(link.ParamSignature, base64.URLEncoding.EncodeToString(sig)), link.ErrMalformed},
		{"case=sig too short", set(link.ParamSignature, base64.RawURLEncoding.EncodeToString(sig[:31])), link.ErrMalformed},
		{"case=sig too long", set(link.ParamSignature, base64.RawURLEncoding.EncodeToString(append(sig, 0))), link.ErrMalformed},
		{"case=empty username", set(link.ParamUsername, ""), link.ErrMalformed},
		{"case=unknown kid", set(link.ParamKeyID, "k9"), link.ErrUnknownKey},
		{"case=tampered username", set(link.ParamUsername, "mallory"), link.ErrBadSignature},
		{"case=tampered tenant", set(link.ParamTenant, "evil"), link.ErrBadSignature},
		{"case=tampered pool", set(link.ParamUserPool, "eu-west-1_Other1"), link.ErrBadSignature},
		{"case=pool removed", edit(t, signed, func(q url.Values) { q.Del(link.ParamUserPool) }), link.ErrBadSignature},
		{"case=empty pool", set(link.ParamUserPool, ""), link.ErrMalformed},
		{"case=repeated pool", edit(t, signed, func(q url.Values) { q.Add(link.ParamUserPool, pool) }), link.ErrMalformed},
		{"case=tampered locale", set(link.ParamLocale, "de"), link.ErrBadSignature},
		{"case=locale emptied", set(link.ParamLocale, ""), link.ErrBadSignature},
		{"case=tampered exp", set(link.ParamExpires, strconv.FormatInt(expires.Unix()+3600, 10)), link.ErrBadSignature},
		{"case=tampered sig", set(link.ParamSignature, base64.RawURLEncoding.EncodeToString(flipped)), link.ErrBadSignature},
		{"case=kid of another key in the ring", set(link.ParamKeyID, "k2"), link.ErrBadSignature},
	}
	for _, name := range []string{link.ParamUsername, link.ParamTenant, link.ParamLocale, link.ParamExpires, link.ParamKeyID, link.ParamSignature} {
		tests = append(tests,
			verifyCase{"case=missing " + name, edit(t, signed, func(q url.Values) { q.Del(name) }), link.ErrMalformed},
			verifyCase{"case=repeated " + name, edit(t, signed, func(q url.Values) { q.Add(name, q.Get(name)) }), link.ErrMalformed},
		)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := link.Verify(tc.url, ring, now)
			require.Error(t, err, tc.url)
			assert.ErrorIs(t, err, tc.want, tc.url)
		})
	}

	t.Run("case=nil keyring", func(t *testing.T) {
		_, err := link.Verify(signed, nil, now)
		assert.Error(t, err)
	})
}

func TestVerifyExpiry(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	signed := sign(t, params(), ring)
	tests := []struct {
		name    string
		at      time.Time
		expired bool
	}{
		{"case=long before", now, false},
		{"case=one second before", expires.Add(-time.Second), false},
		{"case=one nanosecond before", expires.Add(-time.Nanosecond), false},
		{"case=at exp", expires, true},
		{"case=after exp", expires.Add(time.Second), true},
		{"case=at exp in another zone", expires.In(time.FixedZone("UTC+9", 9*3600)), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := link.Verify(signed, ring, tc.at)
			if tc.expired {
				assert.ErrorIs(t, err, link.ErrExpired)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestPurposeBinding(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	byPurpose := map[link.Purpose]string{}
	for _, purpose := range []link.Purpose{link.PurposeReset, link.PurposeInvite, link.PurposeVerify, link.PurposeReport} {
		p := params()
		p.Purpose = purpose
		u := sign(t, p, ring)
		got, err := link.Verify(u, ring, now)
		require.NoError(t, err)
		assert.Equal(t, purpose, got.Purpose, "a %s link verifies as nothing else", purpose)
		byPurpose[purpose] = param(t, u, link.ParamSignature)
	}
	assert.Len(t, map[string]bool{
		byPurpose[link.PurposeReset]: true, byPurpose[link.PurposeInvite]: true, byPurpose[link.PurposeVerify]: true,
		byPurpose[link.PurposeReport]: true,
	}, 4, "the purpose is signed: the same fields give four signatures")
}

func TestKeyRotation(t *testing.T) {
	signed := sign(t, params(), newRing(t, "old", "old"))

	rotated := newRing(t, "new", "old", "new")
	got, err := link.Verify(signed, rotated, now)
	require.NoError(t, err, "links signed before the rotation still verify")
	assert.Equal(t, "old", got.KeyID)

	fresh := sign(t, params(), rotated)
	assert.Equal(t, "new", param(t, fresh, link.ParamKeyID), "new links are signed with the new current key")

	_, err = link.Verify(signed, newRing(t, "new", "new"), now)
	assert.ErrorIs(t, err, link.ErrUnknownKey, "once the old key is gone its links no longer verify")
}

func TestSignRefuses(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	tests := []struct {
		name string
		edit func(*link.Params)
		ring *link.Keyring
	}{
		{"case=http base", func(p *link.Params) { p.Base = "http://app.example.com/reset" }, ring},
		{"case=relative base", func(p *link.Params) { p.Base = "/reset" }, ring},
		{"case=empty base", func(p *link.Params) { p.Base = "" }, ring},
		{"case=base with credentials", func(p *link.Params) { p.Base = "https://user:pw@app.example.com/reset" }, ring},
		{"case=base with fragment", func(p *link.Params) { p.Base = "https://app.example.com/reset#top" }, ring},
		{"case=base with empty fragment", func(p *link.Params) { p.Base = "https://app.example.com/reset#" }, ring},
		{"case=invite with code", func(p *link.Params) { p.Purpose, p.Code = link.PurposeInvite, "{####}" }, ring},
		{"case=report with code", func(p *link.Params) { p.Purpose, p.Code = link.PurposeReport, "{####}" }, ring},
		{"case=report without pool", func(p *link.Params) { p.Purpose, p.UserPool = link.PurposeReport, "" }, ring},
		{"case=code with quote", func(p *link.Params) { p.Code = `{##"##}` }, ring},
		{"case=code with ampersand", func(p *link.Params) { p.Code = "a&b" }, ring},
		{"case=code with space", func(p *link.Params) { p.Code = "{## ##}" }, ring},
		{"case=empty tenant", func(p *link.Params) { p.Tenant = "" }, ring},
		{"case=empty username", func(p *link.Params) { p.Username = "" }, ring},
		{"case=unknown purpose", func(p *link.Params) { p.Purpose = "admin" }, ring},
		{"case=empty purpose", func(p *link.Params) { p.Purpose = "" }, ring},
		{"case=unknown mode", func(p *link.Params) { p.Mode = "path" }, ring},
		{"case=nil keyring", func(*link.Params) {}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := params()
			tc.edit(&p)
			u, err := link.Sign(p, tc.ring)
			assert.Error(t, err)
			assert.Empty(t, u)
		})
	}
}

func TestSignatureIsLengthPrefixed(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	tests := []struct {
		name string
		a, b func(*link.Params)
	}{
		{"case=tenant|username", func(p *link.Params) { p.Tenant, p.Username = "ab", "c" }, func(p *link.Params) { p.Tenant, p.Username = "a", "bc" }},
		{"case=username|locale", func(p *link.Params) { p.Username, p.Locale = "ab", "c" }, func(p *link.Params) { p.Username, p.Locale = "a", "bc" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pa, pb := params(), params()
			tc.a(&pa)
			tc.b(&pb)
			ua, ub := sign(t, pa, ring), sign(t, pb, ring)
			sigA, sigB := param(t, ua, link.ParamSignature), param(t, ub, link.ParamSignature)
			assert.NotEqual(t, sigA, sigB)

			swapped := edit(t, ua, func(q url.Values) { q.Set(link.ParamSignature, sigB) })
			_, err := link.Verify(swapped, ring, now)
			assert.ErrorIs(t, err, link.ErrBadSignature)
		})
	}
}

func TestVerifyErrorsAreDistinct(t *testing.T) {
	all := []error{link.ErrMalformed, link.ErrUnknownKey, link.ErrBadSignature, link.ErrExpired}
	for i, a := range all {
		for j, b := range all {
			assert.Equal(t, i == j, errors.Is(a, b), "%v vs %v", a, b)
		}
	}
}

// Plain http only for the local stack: loopback hosts.
func TestSignAcceptsHTTPOnLoopbackOnly(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	for base, ok := range map[string]bool{
		"http://127.0.0.1:8080/reset": true, "http://localhost/reset": true, "http://[::1]:9000/r": true,
		"http://app.example.com/reset": false, "http://10.0.0.1/reset": false, "http://127.0.0.1.example.com/r": false,
	} {
		_, err := link.Sign(link.Params{Base: base, Purpose: link.PurposeReset, Tenant: "t", Username: "u", Expires: time.Unix(2e9, 0)}, ring)
		assert.Equal(t, ok, err == nil, base)
	}
}

func TestOneLinkOneText(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	now := time.Unix(1_700_000_000, 0)
	signed, err := link.Sign(link.Params{Base: "https://a.example/r", Purpose: link.PurposeReset, Tenant: "t",
		Username: "u", Locale: "en", Expires: now.Add(time.Hour), Code: "{####}"}, ring)
	require.NoError(t, err)
	u, err := url.Parse(strings.Replace(signed, "{####}", "123456", 1))
	require.NoError(t, err)
	q := u.Query()
	for _, tc := range []struct {
		name string
		edit func(q url.Values) string
	}{
		{"exp with a plus sign", func(q url.Values) string { q.Set("exp", "+"+q.Get("exp")); return "?" + q.Encode() }},
		{"exp with a leading zero", func(q url.Values) string { q.Set("exp", "0"+q.Get("exp")); return "?" + q.Encode() }},
		{"a signed parameter in the query and the fragment", func(q url.Values) string {
			return "?username=victim#" + q.Encode()
		}},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			c := url.Values{}
			for k, v := range q {
				c[k] = append([]string(nil), v...)
			}
			_, err := link.Verify("https://a.example/r"+tc.edit(c), ring, now)
			assert.ErrorIs(t, err, link.ErrMalformed)
		})
	}
	t.Run("case=another spelling of the signature's last character", func(t *testing.T) {
		sig := q.Get("sig")
		last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", sig[len(sig)-1])
		c := url.Values{}
		for k, v := range q {
			c[k] = append([]string(nil), v...)
		}
		c.Set("sig", sig[:len(sig)-1]+string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last^1]))
		_, err := link.Verify("https://a.example/r?"+c.Encode(), ring, now)
		assert.Error(t, err)
	})
	t.Run("case=an unrelated fragment on a query link", func(t *testing.T) {
		_, err := link.Verify("https://a.example/r?"+q.Encode()+"#/done?analytics_sig=1", ring, now)
		assert.NoError(t, err)
	})
}

func TestSignRefusesConflictingBaseAndNoExpiry(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	_, err := link.Sign(link.Params{Base: "https://a.example/r?tenant=acme", Purpose: link.PurposeReset, Tenant: "t",
		Username: "u", Expires: time.Unix(2e9, 0)}, ring)
	assert.ErrorContains(t, err, `"tenant"`)
	_, err = link.Sign(link.Params{Base: "https://a.example/r", Purpose: link.PurposeReset, Tenant: "t", Username: "u"}, ring)
	assert.ErrorContains(t, err, "no expiry")
}
