package page

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/cogmail/cogmail/lambda/link"
)

// Signed double-submit: a random nonce in a cookie, and in each form the
// HMAC of that nonce. A cross-site form can neither read the cookie nor
// compute the token, and the server keeps no state.
const (
	cookieName       = "cogmail-csrf"
	secureCookieName = "__Host-" + cookieName // __Host-: Secure, Path=/, no Domain: no subdomain can plant it
	csrfField        = "csrf"
	nonceBytes       = 32
	csrfLabel        = "cogmail-page-csrf"
)

// deriveCSRFKey derives the CSRF key from the keyring's current key: every
// instance sharing the keyring gets the same key, and rotating the current
// key invalidates open forms only.
func deriveCSRFKey(ring *link.Keyring) ([]byte, error) {
	if ring == nil {
		return nil, errors.New("page: cannot derive the CSRF key without a keyring")
	}
	return ring.Derive(csrfLabel), nil
}

// overHTTPS reports whether the visitor's connection was HTTPS: TLS here, or
// a front end (a Function URL) that says so.
func overHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func csrfCookieName(r *http.Request) string {
	if overHTTPS(r) {
		return secureCookieName
	}
	return cookieName
}

// nonce returns the request's CSRF nonce, or "" when it has no usable one.
func nonce(r *http.Request) string {
	c, err := r.Cookie(csrfCookieName(r))
	if err != nil {
		return ""
	}
	if b, err := base64.RawURLEncoding.DecodeString(c.Value); err != nil || len(b) != nonceBytes {
		return ""
	}
	return c.Value
}

func (h *Handler) token(nonce string) string {
	mac := hmac.New(sha256.New, h.csrfKey)
	mac.Write([]byte(nonce))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// csrfToken returns the token for a form on this response, setting a fresh
// nonce cookie when the request has none.
func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request) (string, error) {
	n := nonce(r)
	if n == "" {
		b := make([]byte, nonceBytes)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		n = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{
			Name: csrfCookieName(r), Value: n, Path: "/",
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: overHTTPS(r),
		})
	}
	return h.token(n), nil
}

// validCSRF checks the form's token against the cookie's nonce.
func (h *Handler) validCSRF(r *http.Request) bool {
	n, got := nonce(r), r.PostForm.Get(csrfField)
	if n == "" || got == "" {
		return false
	}
	return hmac.Equal([]byte(got), []byte(h.token(n)))
}

// sameOrigin rejects a POST whose Origin names another host. Browsers
// that send no Origin, or "null", are left to the token: with this page's
// own Referrer-Policy: no-referrer, Chromium sends Origin: null on the
// page's own form posts (the browser test found it).
func (h *Handler) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || overHTTPS(r) && u.Scheme != "https" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}
