package link_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
)

// Version 2 signs the user pool: a link made for one pool's user says so,
// and no edit moves it to another pool or strips the pool off.
func TestVersion2BindsThePool(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	for _, mode := range []link.Mode{link.ModeQuery, link.ModeFragment} {
		t.Run("case=round-trip/"+string(mode), func(t *testing.T) {
			p := params()
			p.Mode, p.Code = mode, "{####}"
			signed := sign(t, p, ring)
			assert.Contains(t, signed, "&tenant=acme&pool="+pool+"&locale=", "the pool follows the tenant")
			got, err := link.Verify(strings.Replace(signed, "{####}", "123456", 1), ring, now)
			require.NoError(t, err)
			assert.Equal(t, pool, got.UserPool)
			assert.Equal(t, 2, got.Version)
		})
	}

	signed := sign(t, params(), ring)
	v1 := params()
	v1.UserPool = ""
	unbound := sign(t, v1, ring)
	for _, tc := range []struct {
		name string
		url  string
		want error
	}{
		{"case=another pool", edit(t, signed, func(q url.Values) { q.Set(link.ParamUserPool, "eu-west-1_Zz99Yy88X") }), link.ErrBadSignature},
		{"case=pool removed: not a version-1 link", edit(t, signed, func(q url.Values) { q.Del(link.ParamUserPool) }), link.ErrBadSignature},
		{"case=pool added to a version-1 link", edit(t, unbound, func(q url.Values) { q.Set(link.ParamUserPool, pool) }), link.ErrBadSignature},
		{"case=pool emptied", edit(t, signed, func(q url.Values) { q.Set(link.ParamUserPool, "") }), link.ErrMalformed},
		{"case=pool twice", edit(t, signed, func(q url.Values) { q.Add(link.ParamUserPool, "eu-west-1_Zz99Yy88X") }), link.ErrMalformed},
		{"case=pool in the query of a fragment link", func() string {
			p := params()
			p.Mode = link.ModeFragment
			u := sign(t, p, ring)
			return strings.Replace(u, "#", "?pool=eu-west-1_Zz99Yy88X#", 1)
		}(), link.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := link.Verify(tc.url, ring, now)
			assert.ErrorIs(t, err, tc.want, tc.url)
		})
	}
}

// Links an earlier cogmail sent (version 1, no pool) keep verifying until
// they expire, naming no pool. The link below is byte for byte what the
// previous release wrote into events/golden/forgot-password.json, with the
// public development keyring.
func TestVersion1LinksVerifyUntilTheyExpire(t *testing.T) {
	const developmentJSON = `{"current":"dev-1","keys":{"dev-1":"Y29nbWFpbC1kZXZlbG9wbWVudC1rZXktTk9ULUEtU0VDUkVULTAx"}}`
	ring, err := link.ParseKeyring([]byte(developmentJSON))
	require.NoError(t, err)
	const old = "https://app.example.com/reset-password?username=d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f&tenant=default&locale=en" +
		"&exp=1768473000&kid=dev-1&sig=fCCiAF__AXMkASMgYYvjtoiT02EmjDRqdNzMz3GorIk&code=123456"
	exp := time.Unix(1768473000, 0)
	for _, tc := range []struct {
		name    string
		at      time.Time
		expired bool
	}{
		{"case=an hour before expiry", exp.Add(-time.Hour), false},
		{"case=a second before expiry", exp.Add(-time.Second), false},
		{"case=at expiry", exp, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := link.Verify(old, ring, tc.at)
			if tc.expired {
				assert.ErrorIs(t, err, link.ErrExpired)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, 1, got.Version)
			assert.Empty(t, got.UserPool, "a version-1 link names no pool")
			assert.Equal(t, "default", got.Tenant)
			assert.Equal(t, link.PurposeReset, got.Purpose)
		})
	}
	t.Run("case=signed again today: version 2 and another signature", func(t *testing.T) {
		signed, err := link.Sign(link.Params{Base: "https://app.example.com/reset-password", Purpose: link.PurposeReset,
			Tenant: "default", UserPool: "eu-west-1_Ab12Cd34E", Username: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f",
			Locale: "en", Expires: exp, Code: "{####}"}, ring)
		require.NoError(t, err)
		assert.NotContains(t, signed, "fCCiAF__AXMkASMgYYvjtoiT02EmjDRqdNzMz3GorIk")
		got, err := link.Verify(signed, ring, exp.Add(-time.Hour))
		require.NoError(t, err)
		assert.Equal(t, 2, got.Version)
	})
}

func TestSignRefusesAPoolCognitoNeverWrites(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	for _, p := range []string{"eu-west-1", "eu west-1_Ab12", "eu-west-1_Ab&x=1", "eu-west-1_" + strings.Repeat("a", 50)} {
		t.Run("case="+p, func(t *testing.T) {
			q := params()
			q.UserPool = p
			_, err := link.Sign(q, ring)
			assert.ErrorContains(t, err, "user pool")
		})
	}
	t.Run("case=a base URL with a pool parameter", func(t *testing.T) {
		q := params()
		q.Base = "https://app.example.com/reset?pool=x"
		_, err := link.Sign(q, ring)
		assert.ErrorContains(t, err, `"pool"`)
	})
}
