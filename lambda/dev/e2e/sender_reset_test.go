package e2e

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/link"
)

// withCode is the query-mode link raw with its code replaced.
func withCode(t *testing.T, raw, code string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	q := u.Query()
	q.Set(link.ParamCode, code)
	u.RawQuery = q.Encode()
	return u.String()
}

// pageText is a catalog text as a page shows it, HTML-escaped.
func pageText(t *testing.T, s *localstack.Stack, tenantID, lang, key string) string {
	t.Helper()
	return html.EscapeString(catalog(t, overlayTenant(t, s, tenantID), lang).T(key))
}

// A reset in the Custom Email Sender mode, through the page: cognito-local
// encrypts the code under moto's KMS key and hands it to the sender, which
// sends the email itself through moto's SES, in the user's language, from
// the tenant's sender, text and HTML. The code read back from the text part
// is the one the link signs (link format 3); a link whose code was changed
// gets the page's "changed after we sent it"; the genuine one changes the
// password, after which its code, signed but used, is "no longer works".
func TestE2ESenderReset(t *testing.T) {
	s := sending(t)
	for _, tc := range []struct{ email, lang, dir string }{
		{"ana@example.com", "en", "ltr"},
		{"layla@example.com", "ar", "rtl"},
	} {
		t.Run("case="+tc.lang, func(t *testing.T) {
			user, ok := s.User(tc.email)
			require.True(t, ok)
			msg := senderForgot(t, s, user.Email, tc.lang)
			code := codeIn(t, msg)
			assertSent(t, s, msg, "reset", user.Tenant, tc.lang, tc.dir, code)

			raw := firstLink(t, msg.HTML)
			require.True(t, strings.HasPrefix(raw, s.Links.Reset+"?"), raw)
			claims, err := link.Verify(raw, s.Ring, timeNow())
			require.NoError(t, err)
			assert.Equal(t, 3, claims.Version, "the code is signed")
			assert.True(t, claims.CodeSigned)
			assert.Equal(t, code, claims.Code, "the link signs the code the text part shows")
			assert.Equal(t, link.PurposeReset, claims.Purpose)
			assert.Equal(t, user.Username, claims.Username)
			assert.Equal(t, tc.lang, claims.Locale)
			assert.Equal(t, s.UserPoolID, claims.UserPool)

			other := "000000"
			if code == other {
				other = "111111"
			}
			tampered := newBrowser(t).get(withCode(t, raw, other))
			assert.Equal(t, http.StatusBadRequest, tampered.status)
			assert.Contains(t, tampered.body, `<html lang="`+tc.lang+`"`)
			assert.Contains(t, tampered.body, pageText(t, s, user.Tenant, tc.lang, "page.error.tampered"))
			assert.NotContains(t, tampered.body, `name="password"`)

			b := newBrowser(t)
			p, action, form := openReset(t, b, localstack.Message{EmailMessage: msg.HTML})
			assert.Contains(t, p.body, `<html lang="`+tc.lang+`" dir="`+tc.dir+`"`)
			assert.Equal(t, code, form.Get(link.ParamCode))
			password := "Sender-Reset-" + tc.lang + "-1!"
			form.Set("password", password)
			form.Set("repeat", password)
			done := b.post(action, form)
			require.Equal(t, http.StatusOK, done.status, done.body)
			assert.Contains(t, done.body, `role="status"`)
			require.NoError(t, signIn(t, s, s.Clients.Public, user.Email, password), "the new password signs in")
			user.Password = password
			setPassword(s, user)

			t.Run("case=the used code no longer works", func(t *testing.T) {
				again := newBrowser(t)
				_, action, form := openReset(t, again, localstack.Message{EmailMessage: msg.HTML})
				form.Set("password", "Sender-Again-"+tc.lang+"-2!")
				form.Set("repeat", "Sender-Again-"+tc.lang+"-2!")
				p := again.post(action, form)
				assert.Equal(t, http.StatusBadRequest, p.status)
				assert.Contains(t, p.body, pageText(t, s, user.Tenant, tc.lang, "page.error.superseded"))
				assert.Error(t, signIn(t, s, s.Clients.Public, user.Email, "Sender-Again-"+tc.lang+"-2!"))
			})
		})
	}
}
