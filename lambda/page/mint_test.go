package page_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/url"

	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
)

// testCSRFKey is a CSRF key the tests know (Config.CSRFKey), so that they
// can mint the token of a form the page would not show.
var testCSRFKey = []byte("a-csrf-key-the-tests-know-32-bytes-long")

// mintResend returns the resend form a page would show for raw, with a
// token bound to raw's own signature and a nonce cookie set for it, minted
// as csrf.go does: whatever refuses the post, it is not the token. The
// page must have testCSRFKey.
func (e *env) mintResend(raw string) url.Values {
	e.t.Helper()
	u, err := url.Parse(raw)
	require.NoError(e.t, err)
	q := u.Query()
	form := url.Values{}
	for _, name := range []string{link.ParamUsername, link.ParamTenant, link.ParamUserPool, link.ParamLocale,
		link.ParamExpires, link.ParamKeyID, link.ParamSignature} {
		if q.Has(name) {
			form.Set(name, q.Get(name))
		}
	}
	nonce := make([]byte, 32)
	_, _ = rand.Read(nonce)
	n := base64.RawURLEncoding.EncodeToString(nonce)
	srv, err := url.Parse(e.srv.URL)
	require.NoError(e.t, err)
	e.client.Jar.SetCookies(srv, []*http.Cookie{{Name: "cogmail-csrf", Value: n, Path: "/"}})
	form.Set("csrf", mintToken(testCSRFKey, n, "link /resend "+q.Get(link.ParamSignature), e.clock().Unix()))
	return form
}

// mintToken is csrf.go's tokenAt: the issue time, then the MAC of the
// length-prefixed version, nonce and binding and of the issue time.
func mintToken(key []byte, nonce, binding string, issued int64) string {
	mac := hmac.New(sha256.New, key)
	var n [8]byte
	for _, part := range []string{"cogmail-csrf-2", nonce, binding} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		mac.Write(n[:])
		mac.Write([]byte(part))
	}
	binary.BigEndian.PutUint64(n[:], uint64(issued))
	mac.Write(n[:])
	return base64.RawURLEncoding.EncodeToString(mac.Sum(n[:]))
}
