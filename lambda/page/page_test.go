package page_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

const invalidHeading = "This link is invalid or has expired"

func TestOpenValidLink(t *testing.T) {
	tests := []struct {
		name    string
		opts    linkOpts
		html    string
		product string
		want    []string
	}{
		{"case=reset-de-acme", linkOpts{tenant: "acme", locale: "de"}, `<html lang="de" dir="ltr">`, "Acme Rockets",
			[]string{`action="/reset"`, `minlength="12"`, `name="code" value="` + testCode + `"`}},
		{"case=reset-ar-default", linkOpts{locale: "ar"}, `<html lang="ar" dir="rtl">`, "Example App",
			[]string{`minlength="8"`, "حرف إنجليزي كبير", "حرف خاص"}}, // the Arabic policy items
		{"case=activate-en", linkOpts{purpose: link.PurposeInvite, locale: "en"}, `<html lang="en" dir="ltr">`, "Example App",
			[]string{`action="/activate"`, `name="temporary"`, `autocomplete="current-password"`, "Activate your Example App account"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			res := e.get(e.link(tt.opts))
			require.Equal(t, http.StatusOK, res.status, res.body)
			assert.Contains(t, res.body, tt.html)
			assert.Contains(t, res.body, tt.product)
			assert.Contains(t, res.body, `name="username" value="`+testUser+`"`)
			assert.Contains(t, res.body, `autocomplete="new-password"`)
			assert.Contains(t, res.body, `name="csrf" value="`)
			for _, want := range tt.want {
				assert.Contains(t, res.body, want)
			}
			assert.Empty(t, e.cognito.Calls(), "GET never calls Cognito")
		})
	}
}

// An invitation link that cannot be used asks for a new invitation: the
// email form would call ForgotPassword, which Cognito refuses for a user who
// never activated, and no email would come.
func TestInvalidInvitationAsksForANewOne(t *testing.T) {
	for name, raw := range map[string]func(e *env) string{
		"case=reset-link-on-activate": func(e *env) string { return e.link(linkOpts{locale: "fr", path: "/activate"}) },
		"case=expired-invitation": func(e *env) string {
			return e.link(linkOpts{purpose: link.PurposeInvite, locale: "fr", path: "/activate", expires: testNow.Add(-time.Minute)})
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			res := e.get(raw(e))
			assert.Equal(t, http.StatusBadRequest, res.status)
			assert.Contains(t, res.body, `<html lang="fr"`)
			assert.NotContains(t, res.body, `action="/request"`)
			assert.NotContains(t, res.body, "page.invalid.invite", "the key has a text")
			assert.Empty(t, e.cognito.Calls())
		})
	}
}

// A link that cannot be used: an authentic one offers a new email to its
// own user (a button, no address to type); any other sends the visitor to
// the tenant's own page for a new link.
func TestInvalidLinks(t *testing.T) {
	tests := []struct {
		name   string
		link   func(e *env) string
		lang   string
		resend bool
	}{
		{"case=tampered", func(e *env) string {
			return strings.Replace(e.link(linkOpts{tenant: "acme", locale: "de"}), "username=", "username=x", 1)
		}, "de", false},
		{"case=expired-a-minute-ago", func(e *env) string {
			return e.link(linkOpts{tenant: "acme", locale: "de", expires: testNow.Add(-time.Minute)})
		}, "de", true},
		{"case=expired-within-grace", func(e *env) string {
			return e.link(linkOpts{tenant: "acme", locale: "de", expires: testNow.Add(-page.ResendGrace)})
		}, "de", true},
		{"case=expired-beyond-grace", func(e *env) string {
			return e.link(linkOpts{tenant: "acme", locale: "de", expires: testNow.Add(-page.ResendGrace - time.Second)})
		}, "de", false},
		{"case=unknown-kid", func(e *env) string {
			return e.link(linkOpts{tenant: "acme", locale: "de", ring: newRing(t, "k2")})
		}, "de", false},
		{"case=invite-link-on-reset", func(e *env) string {
			return e.link(linkOpts{purpose: link.PurposeInvite, tenant: "acme", locale: "fr", path: "/reset"})
		}, "fr", false},
		{"case=missing-sig", func(e *env) string {
			return e.srv.URL + "/reset?username=a&tenant=acme&locale=de&exp=1&kid=k1&code=1"
		}, "de", false},
		{"case=reset-link-without-code", func(e *env) string {
			raw := e.link(linkOpts{tenant: "acme", locale: "de"})
			return raw[:strings.Index(raw, "&code=")]
		}, "de", true},
		{"case=unreadable-tenant-falls-back-to-default", func(e *env) string {
			return e.srv.URL + "/reset?username=a&tenant=nope&locale=xx"
		}, "en", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			res := e.get(tt.link(e))
			assert.Equal(t, http.StatusBadRequest, res.status)
			assert.Contains(t, res.body, `<html lang="`+tt.lang+`"`)
			assert.NotContains(t, res.body, `name="email"`, "no address to type")
			assert.NotContains(t, res.body, `name="password"`)
			assert.Equal(t, tt.resend, strings.Contains(res.body, `<form method="post" action="/resend"`))
			if tt.resend {
				form := hidden(res.body)
				assert.Equal(t, testUser, form.Get("username"))
				assert.NotEmpty(t, form.Get("sig"))
				assert.False(t, form.Has("code"), "a new email needs no code")
			} else {
				want := map[string]string{"acme": "https://login.acme-rockets.example/", "default": "https://app.example.com/sign-in"}
				tenantID := map[string]string{"en": "default"}[tt.lang]
				if tenantID == "" {
					tenantID = "acme"
				}
				assert.Contains(t, res.body, `<a class="button" href="`+want[tenantID]+`">`, "the tenant's own page")
			}
			if tt.lang == "en" {
				assert.Contains(t, res.body, invalidHeading)
				assert.Contains(t, res.body, "You can ask Example App for a new one.")
			}
			assert.Empty(t, e.cognito.Calls())
		})
	}
}

// links.forgotPasswordUrl, when the tenant has one, is where a visitor
// without a usable link goes; else the page configuration's signInUrl.
func TestInvalidLinkLeadsToForgotPasswordURL(t *testing.T) {
	overlay := fstest.MapFS{"tenants/acme/tenant.json": {Data: acmeWithForgotURL(t)}}
	tests := []struct {
		name, tenant, want string
		store              *tenant.Store
	}{
		{"case=forgotPasswordUrl", "acme", "https://login.acme-rockets.example/#/forgot", tenant.NewStore(overlay, templates.FS)},
		{"case=signInUrl", "acme", "https://login.acme-rockets.example/", tenant.NewStore(templates.FS)},
		{"case=neither", "nope", "", tenant.NewStore(templates.FS)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *page.Config) {
				c.Tenants = tt.store
				delete(c.Clients, "default")
			})
			res := e.get(e.srv.URL + "/reset?username=a&tenant=" + tt.tenant + "&sig=x")
			assert.Equal(t, http.StatusBadRequest, res.status)
			if tt.want == "" {
				assert.NotContains(t, res.body, `class="button"`)
				return
			}
			assert.Contains(t, res.body, `<a class="button" href="`+tt.want+`">`)
		})
	}
}

// acmeWithForgotURL is the shipped acme tenant with links.forgotPasswordUrl.
func acmeWithForgotURL(t *testing.T) []byte {
	t.Helper()
	data, err := fs.ReadFile(templates.FS, "tenants/acme/tenant.json")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	doc["links"].(map[string]any)["forgotPasswordUrl"] = "https://login.acme-rockets.example/#/forgot"
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	return out
}

func TestResponseHeaders(t *testing.T) {
	e := newEnv(t, nil)
	paths := []string{"/healthz", "/assets/page.css", "/assets/tenant/acme.css", "/nope", e.link(linkOpts{purpose: link.PurposeVerify}),
		e.link(linkOpts{}), "/reset?username=x", "/confirm?username=x"}
	for _, p := range paths {
		t.Run("case="+strings.TrimPrefix(p, e.srv.URL), func(t *testing.T) {
			res := e.get(p)
			assert.Equal(t, page.CSP, res.header.Get("Content-Security-Policy"))
			assert.Equal(t, "default-src 'none'; style-src 'self'; img-src https: 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
				res.header.Get("Content-Security-Policy"))
			assert.Equal(t, "no-referrer", res.header.Get("Referrer-Policy"))
			assert.Equal(t, "no-store", res.header.Get("Cache-Control"))
			assert.Equal(t, "nosniff", res.header.Get("X-Content-Type-Options"))
			assert.Equal(t, "DENY", res.header.Get("X-Frame-Options"))
			assert.NotContains(t, res.body, "style=", "no inline styles")
		})
	}
	t.Run("case=refused-post", func(t *testing.T) {
		res := e.post("/reset", url.Values{})
		assert.Equal(t, http.StatusForbidden, res.status)
		assert.Equal(t, page.CSP, res.header.Get("Content-Security-Policy"))
		assert.Equal(t, "no-store", res.header.Get("Cache-Control"))
	})
}

var scriptPattern = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

func TestFragmentOpener(t *testing.T) {
	for _, path := range []string{"/reset", "/activate", "/confirm"} {
		t.Run("case="+path, func(t *testing.T) {
			e := newEnv(t, nil)
			res := e.get(path)
			require.Equal(t, http.StatusOK, res.status)
			scripts := scriptPattern.FindAllStringSubmatch(res.body, -1)
			require.Len(t, scripts, 1)
			sum := sha256.Sum256([]byte(scripts[0][1]))
			hash := "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
			assert.Equal(t, page.CSP+"; script-src '"+hash+"'", res.header.Get("Content-Security-Policy"))
			assert.NotContains(t, res.header.Get("Content-Security-Policy"), "unsafe-inline")
			assert.Contains(t, res.body, `action="`+path+`?step=open"`)
			assert.Contains(t, res.body, "<noscript>")
			assert.Contains(t, res.body, "needs JavaScript")

			// Without JavaScript the link cannot be read: nothing to resend.
			assert.NotContains(t, res.body, `action="/resend"`)
			// What the script posts: the fragment's parameters and the token.
			purpose := map[string]link.Purpose{"/reset": link.PurposeReset, "/activate": link.PurposeInvite, "/confirm": link.PurposeVerify}[path]
			raw := e.link(linkOpts{purpose: purpose, tenant: "acme", locale: "de"})
			u, err := url.Parse(raw)
			require.NoError(t, err)
			form, err := url.ParseQuery(u.RawQuery)
			require.NoError(t, err)
			form.Set("csrf", hidden(res.body).Get("csrf"))
			opened := e.post(path+"?step=open", form)
			assert.Equal(t, http.StatusOK, opened.status, opened.body)
			assert.Contains(t, opened.body, `<html lang="de" dir="ltr">`)
			assert.Equal(t, path != "/confirm", strings.Contains(opened.body, `name="password"`))
			assert.Contains(t, opened.body, `<button type="submit">`)
			assert.Equal(t, page.CSP, opened.header.Get("Content-Security-Policy"))
			assert.Empty(t, e.cognito.Calls(), "opening changes nothing")
		})
	}
}

func TestOtherRoutes(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name, path string
		status     int
		want       string
	}{
		{"case=healthz", "/healthz", http.StatusOK, "ok"},
		{"case=page-css", "/assets/page.css", http.StatusOK, "--brand"},
		{"case=tenant-css", "/assets/tenant/acme.css", http.StatusOK, ":root { --brand: #b42318; --on-brand: #ffffff; }"},
		{"case=tenant-css-unknown", "/assets/tenant/nope.css", http.StatusNotFound, "Page not found"},
		{"case=not-found", "/reset/extra", http.StatusNotFound, "Page not found"},
		{"case=confirm", e.link(linkOpts{purpose: link.PurposeVerify, tenant: "acme", locale: "de"}), http.StatusOK, `lang="de"`},
		{"case=confirm-bare-is-the-fragment-opener", "/confirm", http.StatusOK, `action="/confirm?step=open"`},
		{"case=signin-only-in-local-mode", "/signin", http.StatusNotFound, "Page not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.get(tt.path)
			assert.Equal(t, tt.status, res.status)
			assert.Contains(t, res.body, tt.want)
		})
	}
	assert.Empty(t, e.cognito.Calls())
}

func TestTenantWithoutClient(t *testing.T) {
	e := newEnv(t, func(c *page.Config) { delete(c.Clients, "acme") })
	res := e.get(e.link(linkOpts{tenant: "acme", pool: acmePool, locale: "en"}))
	assert.Equal(t, http.StatusInternalServerError, res.status)
	assert.Contains(t, res.body, "Password changes for Acme Rockets are not set up yet")
	assert.Contains(t, e.logs.String(), "no app client configured")
}

func TestUnsetPolicyIsCognitosDefault(t *testing.T) {
	e := newEnv(t, func(c *page.Config) {
		acme := c.Clients["acme"]
		acme.Policy = page.PasswordPolicy{}
		c.Clients["acme"] = acme
	})
	res := e.get(e.link(linkOpts{tenant: "acme", locale: "en"}))
	require.Equal(t, http.StatusOK, res.status)
	for _, want := range []string{`minlength="8"`, "at least 8 characters", "an uppercase letter", "a lowercase letter", "a number", "a symbol"} {
		assert.Contains(t, res.body, want)
	}
}

func TestPasswordPolicyAllows(t *testing.T) {
	for _, tc := range []struct {
		password string
		want     bool
	}{
		{"Abcdef1!", true}, {"abcdef1!", false}, {"ABCDEF1!", false}, {"Abcdefg!", false}, {"Abcdefg1", false},
		{"Ab1!", false}, {"Ab1 cdef", true}, {"Äbcdef1!", false}, {" Abcdef1!", false}, {"Abcdef1! ", false},
	} {
		assert.Equal(t, tc.want, page.DefaultPolicy.Allows(tc.password), tc.password)
	}
	assert.True(t, page.PasswordPolicy{MinLength: 6}.Allows("aaaaaa"))
}

// A fragment-mode link whose base URL has a query of its own still reaches
// the opener, which reads the parameters from the fragment.
func TestFragmentLinkWithBaseQueryOpens(t *testing.T) {
	e := newEnv(t, nil)
	res := e.get("/reset?utm_source=email")
	assert.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, res.body, `<form id="open" method="post"`)
}

// A tenant id a visitor types is read only when the page serves that tenant
// (or it is the default): with tenants in S3, any other id would cost S3
// reads and churn the tenant cache.
func TestUnservedTenantIsNotRead(t *testing.T) {
	overlay := fstest.MapFS{"tenants/acme/tenant.json": {Data: acmeWithForgotURL(t)}}
	for _, tc := range []struct {
		name   string
		served bool
	}{{"case=served", true}, {"case=not-served", false}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *page.Config) {
				c.Tenants = tenant.NewStore(overlay, templates.FS)
				if !tc.served {
					delete(c.Clients, "acme")
				}
			})
			res := e.get(e.srv.URL + "/reset?username=a&tenant=acme&sig=x")
			assert.Equal(t, tc.served, strings.Contains(res.body, "https://login.acme-rockets.example/#/forgot"))
		})
	}
}
