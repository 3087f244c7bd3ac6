package page_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
)

// The English texts of the two answers only a version-3 link (its code
// signed) gets, and of the wrong code it replaces.
const (
	tamperedEN   = "This link was changed after we sent it"
	supersededEN = "This code no longer works: it has been used, or a newer email has been sent since."
	wrongCodeEN  = "The code in this link is wrong."
	expiredEN    = "The code in this link has expired."
)

// withCode returns the query-mode link raw with its code set to code.
func withCode(t *testing.T, raw, code string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	q := u.Query()
	q.Set(link.ParamCode, code)
	u.RawQuery = q.Encode()
	return u.String()
}

// A version-3 link whose code is not the one signed is answered "changed
// after we sent it" before Cognito is called, in the link's language, with
// a new email for its own user; opened or posted, reset or confirmation.
func TestTamperedCodeBeforeCognito(t *testing.T) {
	for _, purpose := range []link.Purpose{link.PurposeReset, link.PurposeVerify} {
		path := map[link.Purpose]string{link.PurposeReset: "/reset", link.PurposeVerify: "/confirm"}[purpose]
		for _, tc := range []struct {
			name string
			open func(e *env, genuine string) response
		}{
			{"opened", func(e *env, genuine string) response { return e.get(withCode(e.t, genuine, "000000")) }},
			{"code removed", func(e *env, genuine string) response {
				return e.get(strings.TrimSuffix(genuine, "&"+link.ParamCode+"="+testCode))
			}},
			{"posted", func(e *env, genuine string) response {
				form := hidden(e.get(genuine).body)
				require.Equal(e.t, testCode, form.Get(link.ParamCode))
				form.Set(link.ParamCode, "000000")
				form.Set("password", testPassword)
				form.Set("repeat", testPassword)
				return e.post(path, form)
			}},
			{"opened from a fragment", func(e *env, genuine string) response {
				form, err := url.ParseQuery(strings.SplitN(withCode(e.t, genuine, "000000"), "?", 2)[1])
				require.NoError(e.t, err)
				form.Set("csrf", hidden(e.get(path).body).Get("csrf"))
				return e.post(path+"?step=open", form)
			}},
		} {
			t.Run("case="+string(purpose)+"/"+tc.name, func(t *testing.T) {
				e := newEnv(t, nil)
				genuine := e.link(linkOpts{purpose: purpose, signCode: true, locale: "en"})
				res := tc.open(e, genuine)
				assert.Equal(t, http.StatusBadRequest, res.status, res.body)
				assert.Contains(t, res.body, tamperedEN)
				assert.Contains(t, res.body, `<html lang="en"`)
				assert.NotContains(t, res.body, "000000", "the changed code is not echoed")
				assert.Empty(t, e.cognito.Calls(), "Cognito is not called")
				assert.Contains(t, e.logs.String(), `"reason":"tampered-code"`)
				assert.NotContains(t, e.logs.String(), testUser)
				assert.NotContains(t, e.logs.String(), testCode)
				assert.NotContains(t, e.logs.String(), hidden(e.get(genuine).body).Get(link.ParamSignature), "nor the signature that goes with it")

				// The way out: a new email for the link's own user.
				require.Contains(t, res.body, `<form method="post" action="/resend"`)
				form := hidden(res.body)
				assert.Empty(t, form.Get(link.ParamCode), "the resend form carries no code")
				sent := e.post("/resend", form)
				require.Equal(t, http.StatusOK, sent.status, sent.body)
				require.Equal(t, 1, e.runLater())
				want := map[link.Purpose]string{link.PurposeReset: "ForgotPassword", link.PurposeVerify: "ResendConfirmationCode"}[purpose]
				assert.Equal(t, []string{want}, e.cognito.Calls())
			})
		}
	}
}

// The page tells a changed code apart only when every other field of the
// link is authentic; otherwise it answers as for any link that is not
// valid, and a version-2 link's code, unsigned, goes to Cognito.
func TestTamperedOnlyWhenTheRestHolds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		link     func(e *env) string
		path     string
		cognito  bool // the link reaches Cognito
		tampered bool
	}{
		{"case=code changed", func(e *env) string {
			return withCode(e.t, e.link(linkOpts{signCode: true}), "000000")
		}, "/reset", false, true},
		{"case=code and username changed", func(e *env) string {
			u := withCode(e.t, e.link(linkOpts{signCode: true}), "000000")
			return strings.Replace(u, "username="+testUser, "username=someone-else", 1)
		}, "/reset", false, false},
		{"case=another key's link", func(e *env) string {
			return withCode(e.t, e.link(linkOpts{signCode: true, ring: newRing(e.t, "k1")}), "000000")
		}, "/reset", false, false},
		{"case=another tenant's pool", func(e *env) string {
			return withCode(e.t, e.link(linkOpts{signCode: true, pool: "eu-west-1_Zz99Yy88X"}), "000000")
		}, "/reset", false, false},
		{"case=a confirmation link on the reset page", func(e *env) string {
			return withCode(e.t, e.link(linkOpts{signCode: true, purpose: link.PurposeVerify, path: "/reset"}), "000000")
		}, "/reset", false, false},
		{"case=expired", func(e *env) string {
			return withCode(e.t, e.link(linkOpts{signCode: true, expires: testNow.Add(-time.Minute)}), "000000")
		}, "/reset", false, true},
		{"case=version 2, code changed: Cognito judges it", func(e *env) string {
			return withCode(e.t, e.link(linkOpts{}), "000000")
		}, "/reset", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			res := e.get(tc.link(e))
			assert.Equal(t, tc.tampered, strings.Contains(res.body, tamperedEN), res.body)
			if !tc.cognito {
				assert.Equal(t, http.StatusBadRequest, res.status)
				return
			}
			require.Equal(t, http.StatusOK, res.status, res.body)
			form := hidden(res.body)
			form.Set("password", testPassword)
			form.Set("repeat", testPassword)
			e.post(tc.path, form)
			require.Len(t, e.cognito.confirm, 1)
			assert.Equal(t, "000000", *e.cognito.confirm[0].ConfirmationCode)
		})
	}
}

// A code cogmail signed that Cognito refuses was used, or superseded by a
// newer email: the page says so instead of "wrong" or "expired", and offers
// a new email. An unknown user reads the same, as it reads as a wrong code
// for version-2 links. Version-2 links keep their words.
func TestSupersededCode(t *testing.T) {
	bodies := map[string]string{}
	ring := newRing(t, "k1") // one link for every case
	for _, tc := range []struct {
		name     string
		purpose  link.Purpose
		signCode bool
		op       string
		err      error
		want     string
	}{
		{"case=reset/mismatch", link.PurposeReset, true, "ConfirmForgotPassword", &types.CodeMismatchException{}, supersededEN},
		{"case=reset/expired", link.PurposeReset, true, "ConfirmForgotPassword", &types.ExpiredCodeException{}, supersededEN},
		{"case=reset/unknown-user", link.PurposeReset, true, "ConfirmForgotPassword", &types.UserNotFoundException{}, supersededEN},
		{"case=confirm/mismatch", link.PurposeVerify, true, "ConfirmSignUp", &types.CodeMismatchException{}, supersededEN},
		{"case=confirm/expired", link.PurposeVerify, true, "ConfirmSignUp", &types.ExpiredCodeException{}, supersededEN},
		{"case=version-2/reset/mismatch", link.PurposeReset, false, "ConfirmForgotPassword", &types.CodeMismatchException{}, wrongCodeEN},
		{"case=version-2/reset/expired", link.PurposeReset, false, "ConfirmForgotPassword", &types.ExpiredCodeException{}, expiredEN},
		{"case=version-2/confirm/mismatch", link.PurposeVerify, false, "ConfirmSignUp", &types.CodeMismatchException{}, wrongCodeEN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *page.Config) { c.Keyring = ring })
			e.ring = ring
			e.cognito.errs[tc.op] = tc.err
			res := e.submit(e.link(linkOpts{purpose: tc.purpose, signCode: tc.signCode, locale: "en"}),
				"password", testPassword, "repeat", testPassword)
			assert.Equal(t, http.StatusBadRequest, res.status)
			assert.Contains(t, res.body, tc.want)
			for _, other := range []string{supersededEN, wrongCodeEN, expiredEN, tamperedEN} {
				if other != tc.want {
					assert.NotContains(t, res.body, other)
				}
			}
			assert.Equal(t, []string{tc.op}, e.cognito.Calls())
			assert.Contains(t, res.body, `<form method="post" action="/resend"`, "a new email is offered")
			bodies[tc.name] = csrfValue.ReplaceAllString(res.body, "")
		})
	}
	assert.Equal(t, bodies["case=reset/mismatch"], bodies["case=reset/unknown-user"], "an unknown user reads as a used code")
}

// The resend form carries no code, so a version-3 link's is missing there
// by design: the link asks for a new email as a version-2 one does, within
// the same grace, for its own user only.
func TestVersion3Resend(t *testing.T) {
	for _, tc := range []struct {
		name string
		form func(e *env) url.Values
		sent bool
		why  string
	}{
		{"case=expired-yesterday", func(e *env) url.Values {
			return e.resendForm(e.link(linkOpts{signCode: true, locale: "en", expires: testNow.Add(-24 * time.Hour)}))
		}, true, ""},
		{"case=minted-with-its-code", func(e *env) url.Values {
			raw := e.link(linkOpts{signCode: true, locale: "en", expires: testNow.Add(-time.Minute)})
			f := e.mintResend(raw)
			f.Set(link.ParamCode, testCode) // not a field of the form: ignored
			return f
		}, true, ""},
		{"case=beyond-grace", func(e *env) url.Values {
			return e.mintResend(e.link(linkOpts{signCode: true, locale: "en", expires: testNow.Add(-page.ResendGrace - time.Minute)}))
		}, false, "not-resendable"},
		{"case=tampered-username", func(e *env) url.Values {
			f := e.mintResend(e.link(linkOpts{signCode: true, locale: "en", expires: testNow.Add(-time.Minute)}))
			f.Set(link.ParamUsername, "someone-else")
			return f
		}, false, "bad-signature"},
		{"case=another-pool", func(e *env) url.Values {
			return e.mintResend(e.link(linkOpts{signCode: true, pool: acmePool, locale: "en", expires: testNow.Add(-time.Minute)}))
		}, false, "wrong-pool"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *page.Config) { c.CSRFKey = testCSRFKey })
			res := e.post("/resend", tc.form(e))
			if tc.sent {
				require.Equal(t, http.StatusOK, res.status, res.body)
				assert.Contains(t, res.body, sentEN)
				require.Equal(t, 1, e.runLater())
				assert.Equal(t, []string{"ForgotPassword"}, e.cognito.Calls())
				assert.Equal(t, testUser, *e.cognito.forgot[0].Username)
				return
			}
			assert.Equal(t, http.StatusBadRequest, res.status)
			assert.NotContains(t, res.body, tamperedEN, "nothing was changed that the form carries")
			assert.Contains(t, e.logs.String(), `"reason":"`+tc.why+`"`)
			assert.Zero(t, e.runLater())
			assert.Empty(t, e.cognito.Calls())
		})
	}
}
