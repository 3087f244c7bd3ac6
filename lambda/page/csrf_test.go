package page_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
)

// TestCSRFOverHTTPS: behind a Function URL (X-Forwarded-Proto: https) the
// cookie is Secure and __Host- prefixed, and only that name counts.
func TestCSRFOverHTTPS(t *testing.T) {
	e := newEnv(t, func(c *page.Config) { c.TrustForwardedProto = true })
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

// A token is good for the forms of the link it was issued with, on the path
// it was issued for, and for CSRFLifetime: not for another link's, not a
// fragment opener's token for a submission, not an hour later.
func TestCSRFTokenBinding(t *testing.T) {
	passwords := func(f url.Values) url.Values {
		f.Set("password", testPassword)
		f.Set("repeat", testPassword)
		return f
	}
	tests := []struct {
		name   string
		post   func(e *env) response
		status int
	}{
		{"case=own-link", func(e *env) response {
			return e.post("/reset", passwords(hidden(e.get(e.link(linkOpts{})).body)))
		}, http.StatusOK},
		{"case=another-link's-token", func(e *env) response {
			a := hidden(e.get(e.link(linkOpts{locale: "en"})).body)
			b := hidden(e.get(e.link(linkOpts{locale: "de"})).body)
			b.Set("csrf", a.Get("csrf"))
			return e.post("/reset", passwords(b))
		}, http.StatusForbidden},
		{"case=opener's-token-on-a-submission", func(e *env) response {
			form := hidden(e.get(e.link(linkOpts{})).body)
			form.Set("csrf", hidden(e.get("/reset").body).Get("csrf"))
			return e.post("/reset", passwords(form))
		}, http.StatusForbidden},
		{"case=reset-form's-token-on-resend", func(e *env) response {
			form := hidden(e.get(e.link(linkOpts{})).body)
			return e.post("/resend", form)
		}, http.StatusForbidden},
		{"case=resend-form's-token-on-reset", func(e *env) response {
			form := e.resendForm(e.link(linkOpts{expires: testNow.Add(-time.Minute)}))
			return e.post("/reset", passwords(form))
		}, http.StatusForbidden},
		{"case=59-minutes-old", func(e *env) response {
			form := hidden(e.get(e.link(linkOpts{})).body)
			e.advance(page.CSRFLifetime - time.Minute)
			return e.post("/reset", passwords(form))
		}, http.StatusOK},
		{"case=over-an-hour-old", func(e *env) response {
			form := hidden(e.get(e.link(linkOpts{purpose: link.PurposeInvite})).body)
			e.advance(page.CSRFLifetime + time.Second)
			form.Set("temporary", testTemp)
			return e.post("/activate", passwords(form))
		}, http.StatusForbidden},
		{"case=issued-in-the-future", func(e *env) response {
			e.advance(2 * time.Minute)
			form := hidden(e.get(e.link(linkOpts{expires: testNow.Add(time.Hour)})).body)
			e.advance(-2 * time.Minute)
			return e.post("/reset", passwords(form))
		}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			res := tt.post(e)
			assert.Equal(t, tt.status, res.status, res.body)
			if tt.status == http.StatusForbidden {
				assert.Empty(t, e.cognito.Calls())
				assert.Contains(t, e.logs.String(), "csrf or origin check failed")
			}
		})
	}
}

// HSTS on answers over HTTPS: the page's own TLS, or a front end it was
// told to trust. X-Forwarded-Proto from anyone else changes nothing.
func TestTransport(t *testing.T) {
	tests := []struct {
		name    string
		trust   bool
		tls     bool
		header  string
		hsts    bool
		cookie  string
		secured bool
	}{
		{"case=plain-http", false, false, "", false, "cogmail-csrf=", false},
		{"case=forwarded-https-untrusted", false, false, "https", false, "cogmail-csrf=", false},
		{"case=forwarded-https-trusted", true, false, "https", true, "__Host-cogmail-csrf=", true},
		{"case=forwarded-http-trusted", true, false, "http", false, "cogmail-csrf=", false},
		{"case=own-tls", false, true, "", true, "__Host-cogmail-csrf=", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *page.Config) { c.TrustForwardedProto = tt.trust })
			base := e.srv.URL
			client := &http.Client{}
			if tt.tls {
				srv := httptest.NewTLSServer(e.srv.Config.Handler)
				t.Cleanup(srv.Close)
				base, client = srv.URL, srv.Client()
			}
			for _, path := range []string{"/healthz", "/reset"} {
				req, err := http.NewRequest(http.MethodGet, base+path, nil)
				require.NoError(t, err)
				if tt.header != "" {
					req.Header.Set("X-Forwarded-Proto", tt.header)
				}
				res, err := client.Do(req)
				require.NoError(t, err)
				res.Body.Close()
				if tt.hsts {
					assert.Equal(t, "max-age=31536000", res.Header.Get("Strict-Transport-Security"), path)
				} else {
					assert.Empty(t, res.Header.Get("Strict-Transport-Security"), path)
				}
				if path == "/reset" { // the opener's form sets the cookie
					cookie := res.Header.Get("Set-Cookie")
					assert.True(t, strings.HasPrefix(cookie, tt.cookie), cookie)
					assert.Equal(t, tt.secured, strings.Contains(cookie, "; Secure"), cookie)
				}
			}
		})
	}
}
