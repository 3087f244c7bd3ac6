package page_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/page"
)

// TestCSRFOverHTTPS: behind a Function URL (X-Forwarded-Proto: https) the
// cookie is Secure and __Host- prefixed, and only that name counts.
func TestCSRFOverHTTPS(t *testing.T) {
	e := newEnv(t, nil)
	e.client.Jar = nil // cookies by hand: the jar keeps Secure cookies from http URLs
	req, err := http.NewRequest(http.MethodGet, e.link(linkOpts{}), nil)
	require.NoError(t, err)
	req.Header.Set("X-Forwarded-Proto", "https")
	opened := e.do(req)
	cookie := opened.header.Get("Set-Cookie")
	for _, want := range []string{"__Host-cogmail-csrf=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		assert.Contains(t, cookie, want)
	}
	nonce := strings.TrimPrefix(strings.SplitN(cookie, ";", 2)[0], "__Host-cogmail-csrf=")
	form := hidden(opened.body)
	form.Set("password", testPassword)
	form.Set("repeat", testPassword)

	tests := []struct {
		name, cookie, origin string
		status               int
	}{
		{"case=unprefixed-cookie", "cogmail-csrf=" + nonce, "", http.StatusForbidden},
		{"case=http-origin", "__Host-cogmail-csrf=" + nonce, "http://" + strings.TrimPrefix(e.srv.URL, "http://"), http.StatusForbidden},
		{"case=prefixed-cookie", "__Host-cogmail-csrf=" + nonce, "https://" + strings.TrimPrefix(e.srv.URL, "http://"), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := []string{"X-Forwarded-Proto", "https", "Cookie", tt.cookie}
			if tt.origin != "" {
				headers = append(headers, "Origin", tt.origin)
			}
			assert.Equal(t, tt.status, e.post("/reset", form, headers...).status)
		})
	}
}

// TestCSRFKeySharedAcrossInstances: the key derived from the keyring is the
// same in every instance, so a form served by one is accepted by another.
func TestCSRFKeySharedAcrossInstances(t *testing.T) {
	tests := []struct {
		name   string
		key    []byte
		status int
	}{
		{"case=derived-from-same-keyring", nil, http.StatusOK},
		{"case=configured-key-differs", []byte("another-csrf-key-of-32-bytes-xxx"), http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newEnv(t, nil)
			b := newEnv(t, func(c *page.Config) { c.Keyring, c.CSRFKey = a.ring, tt.key })
			b.client = a.client // one browser
			form := hidden(a.get(a.link(linkOpts{})).body)
			form.Set("password", testPassword)
			form.Set("repeat", testPassword)
			assert.Equal(t, tt.status, b.post("/reset", form).status)
		})
	}
}
