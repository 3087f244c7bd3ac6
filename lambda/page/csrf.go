package page

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cogmail/cogmail/lambda/link"
)

// Signed double-submit: a random nonce in a cookie, and in each form a token
// that MACs the nonce, what the form was issued for (the link it carries and
// the path it posts to) and when. A cross-site form can neither read the
// cookie nor compute the token; a token is good for one link's forms and for
// CSRFLifetime only; the server keeps no state.
const (
	cookieName       = "cogmail-csrf"
	secureCookieName = "__Host-" + cookieName // __Host-: Secure, Path=/, no Domain: no subdomain can plant it
	csrfField        = "csrf"
	nonceBytes       = 32
	csrfLabel        = "cogmail-page-csrf"
	// tokenVersion is MACed first, so a later format never verifies as this one.
	tokenVersion = "cogmail-csrf-2"
	// csrfSkew admits a token issued slightly "later" by an instance whose
	// clock runs ahead.
	csrfSkew = time.Minute
)

// CSRFLifetime is how long a form's token is accepted: a form left open
// longer is refused, and a token that leaks soon stops working.
const CSRFLifetime = time.Hour

// deriveCSRFKey derives the CSRF key from the keyring's current key: every
// instance sharing the keyring gets the same key.
func deriveCSRFKey(ring *link.Keyring) ([]byte, error) {
	if ring == nil {
		return nil, errors.New("page: cannot derive the CSRF key without a keyring")
	}
	return ring.Derive(csrfLabel), nil
}

// ring is the keyring the page holds now: re-read while warm (Config.Keys),
// else the one it started with.
func (h *Handler) ring(ctx context.Context) *link.Keyring {
	if h.cfg.Keys != nil {
		if ring := h.cfg.Keys.Get(ctx); ring != nil {
			return ring
		}
	}
	return h.cfg.Keyring
}

// signingCSRFKey is the key new tokens are made with: the configured one,
// else the one derived from the current key of the keyring held now.
func (h *Handler) signingCSRFKey(ctx context.Context) []byte {
	if len(h.cfg.CSRFKey) > 0 {
		return h.csrfKey
	}
	return h.ring(ctx).Derive(csrfLabel)
}

// verifyingCSRFKeys are the keys a token may have been made with. With
// none configured, each key of the ring derives one: after a rotation
// promotes a key, an instance started before it and one started after it
// derive different keys from their current ones, and a form served by one
// is posted to the other; both keys are in both rings (a key is added long
// before it is promoted, and retired long after).
func (h *Handler) verifyingCSRFKeys(ctx context.Context) [][]byte {
	if len(h.cfg.CSRFKey) > 0 {
		return [][]byte{h.csrfKey}
	}
	ring := h.ring(ctx)
	keys := [][]byte{ring.Derive(csrfLabel)}
	for _, kid := range ring.IDs() {
		if kid != ring.Current() {
			key, _ := ring.DeriveWith(kid, csrfLabel)
			keys = append(keys, key)
		}
	}
	return keys
}

// overHTTPS reports whether the visitor's connection was HTTPS: TLS here, or
// a trusted front end (Config.TrustForwardedProto) that says so.
func (h *Handler) overHTTPS(r *http.Request) bool {
	return r.TLS != nil || h.cfg.TrustForwardedProto && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (h *Handler) csrfCookieName(r *http.Request) string {
	if h.overHTTPS(r) {
		return secureCookieName
	}
	return cookieName
}

// nonce returns the request's CSRF nonce, or "" when it has no usable one.
func (h *Handler) nonce(r *http.Request) string {
	c, err := r.Cookie(h.csrfCookieName(r))
	if err != nil {
		return ""
	}
	if b, err := base64.RawURLEncoding.DecodeString(c.Value); err != nil || len(b) != nonceBytes {
		return ""
	}
	return c.Value
}

// tokenAt is the token under key for nonce and binding issued at unix time issued:
// the issue time in clear, then the MAC of length-prefixed fields.
func tokenAt(key []byte, nonce, binding string, issued int64) string {
	mac := hmac.New(sha256.New, key)
	var n [8]byte
	for _, part := range []string{tokenVersion, nonce, binding} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		mac.Write(n[:])
		mac.Write([]byte(part))
	}
	binary.BigEndian.PutUint64(n[:], uint64(issued))
	mac.Write(n[:])
	return base64.RawURLEncoding.EncodeToString(mac.Sum(n[:]))
}

// csrfFor returns the token for a form bound to binding, setting a fresh
// nonce cookie when the request has none.
func (h *Handler) csrfFor(w http.ResponseWriter, r *http.Request, binding string) string {
	n := h.nonce(r)
	if n == "" {
		b := make([]byte, nonceBytes)
		_, _ = rand.Read(b) // never fails: it crashes the program instead
		n = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{
			Name: h.csrfCookieName(r), Value: n, Path: "/",
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.overHTTPS(r),
		})
	}
	return tokenAt(h.signingCSRFKey(r.Context()), n, binding, h.cfg.Now().Unix())
}

// validCSRF checks the form's token against the cookie's nonce, what the
// POST is for, and the token's age, under any key it may have been made
// with (verifyingCSRFKeys).
func (h *Handler) validCSRF(r *http.Request, binding string) bool {
	n, got := h.nonce(r), r.PostForm.Get(csrfField)
	raw, err := base64.RawURLEncoding.Strict().DecodeString(got)
	if n == "" || err != nil || len(raw) != 8+sha256.Size {
		return false
	}
	issued := int64(binary.BigEndian.Uint64(raw[:8]))
	age := h.cfg.Now().Sub(time.Unix(issued, 0))
	if age > CSRFLifetime || age < -csrfSkew {
		return false
	}
	for _, key := range h.verifyingCSRFKeys(r.Context()) {
		if hmac.Equal([]byte(got), []byte(tokenAt(key, n, binding, issued))) {
			return true
		}
	}
	return false
}

// What a form's token is bound to. A link's forms are bound to the link's
// signature, which the server verifies again on every POST, so a token
// issued for one link is worthless on another, and to the path the form
// posts to. The fragment opener's form is bound to its path alone: the
// server has not seen the link yet, and that form only opens it.
func linkBinding(path, sig string) string { return "link " + path + " " + sig }
func openBinding(path string) string      { return "open " + path }

// formBinding is what a POST's token must have been issued for.
func formBinding(r *http.Request) string {
	switch {
	case r.URL.Query().Get("step") == "open":
		return openBinding(r.URL.Path)
	case r.URL.Path == SignInPath:
		return SignInPath
	}
	return linkBinding(r.URL.Path, r.PostForm.Get(link.ParamSignature))
}

// sameOrigin refuses a POST that a browser says came from elsewhere.
// Sec-Fetch-Site, which no page can set, decides where the browser sends
// it (every current one does); otherwise Origin. "null" is an opaque
// origin: a sandboxed frame or a data: URL, which any attacker can arrange,
// but also this page's own form in Chromium, which sends Origin: null on
// same-origin posts from a page with Referrer-Policy: no-referrer (the
// browser test found it). So "null" passes only where Sec-Fetch-Site says
// same-origin. A POST with neither header comes from no browser, or one too
// old for both: the token decides.
func (h *Handler) sameOrigin(r *http.Request) bool {
	site, origin := r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Origin")
	if site != "" && site != "same-origin" {
		return false
	}
	switch origin {
	case "":
		return true
	case "null":
		return site == "same-origin"
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || h.overHTTPS(r) && u.Scheme != "https" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}
