package page_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/page/pagetest"
)

// The English texts of the report flow (templates/locales/en.json).
const (
	reportBodyEN    = "someone else may know it."
	reportSignOutEN = "We will also sign this account out on every device."
	reportDoneEN    = "If the account exists, an email with a code to choose a new password is on its way."
	reportInvalidEN = "This link no longer works. To secure your account"
)

// reportLink is a report link of tenant in locale, valid for a week.
func (e *env) reportLink(tenant, locale string) string {
	e.t.Helper()
	return e.link(linkOpts{purpose: link.PurposeReport, tenant: tenant, locale: locale, expires: testNow.Add(7 * 24 * time.Hour)})
}

// Opening a report link shows what will happen and a button, in the
// link's language and the tenant's brand; the sign-out is said only where
// the tenant does it (acme's tenant.json).
func TestReportPage(t *testing.T) {
	for _, tt := range []struct {
		name, tenant, locale, lang, product string
		signOut                             bool
	}{
		{"case=default-en", "default", "en", "en", "Example App", false},
		{"case=acme-en", "acme", "en", "en", "Acme Rockets", true},
		{"case=acme-de", "acme", "de", "de", "Acme Rockets", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			res := e.get(e.reportLink(tt.tenant, tt.locale))
			require.Equal(t, http.StatusOK, res.status, res.body)
			assert.Contains(t, res.body, `<html lang="`+tt.lang+`"`)
			assert.Contains(t, res.body, `/assets/tenant/`+tt.tenant+`.css`)
			assert.Contains(t, res.body, tt.product)
			assert.Contains(t, res.body, `<form method="post" action="/report"`)
			if tt.lang == "en" {
				assert.Contains(t, res.body, "<h1>Secure your account</h1>")
				assert.Contains(t, res.body, reportBodyEN)
				assert.Contains(t, res.body, `<button type="submit">Secure my account</button>`)
				assert.Equal(t, tt.signOut, strings.Contains(res.body, reportSignOutEN))
			} else {
				assert.NotContains(t, res.body, reportBodyEN, "in the link's language")
			}
			form := hidden(res.body)
			assert.Equal(t, testUser, form.Get(link.ParamUsername))
			assert.Equal(t, e.clients[tt.tenant].UserPoolID, form.Get(link.ParamUserPool))
			assert.False(t, form.Has(link.ParamCode), "a report link carries no code")
			assert.NotEmpty(t, form.Get("csrf"))
			assert.Zero(t, e.runLater())
			assert.Empty(t, e.cognito.Calls(), "opening changes nothing")
		})
	}
}

// A mail scanner fetches a report link, a fragment-mode one's opener, and
// even runs the opener's script: nothing reaches Cognito. The Cognito
// stand-in, through the real SDK, counts every call it receives.
func TestReportPrefetchChangesNothing(t *testing.T) {
	cognito := pagetest.StartCognito(t, 0, testUser)
	e := newEnv(t, func(c *page.Config) {
		c.Cognito = cip.New(cip.Options{Region: "eu-west-1", BaseEndpoint: aws.String(cognito.URL), Credentials: aws.AnonymousCredentials{}})
	})
	raw := e.reportLink("acme", "de")
	res := e.get(raw)
	require.Equal(t, http.StatusOK, res.status, res.body)

	opener := e.get("/report")
	require.Equal(t, http.StatusOK, opener.status)
	assert.Contains(t, opener.body, `action="/report?step=open"`)
	u, err := url.Parse(raw)
	require.NoError(t, err)
	form, err := url.ParseQuery(u.RawQuery) // what the opener's script posts
	require.NoError(t, err)
	form.Set("csrf", hidden(opener.body).Get("csrf"))
	opened := e.post("/report?step=open", form)
	require.Equal(t, http.StatusOK, opened.status, opened.body)
	assert.Contains(t, opened.body, `<form method="post" action="/report"`)

	assert.Zero(t, e.runLater())
	assert.Zero(t, cognito.Arrived(), "no call reached Cognito")

	// The control: the button's POST does reach it.
	posted := e.post("/report", hidden(opened.body))
	require.Equal(t, http.StatusOK, posted.status, posted.body)
	require.Equal(t, 1, e.runLater())
	ops := map[string]string{}
	for _, c := range cognito.Calls() {
		ops[c.Op] = c.Username
	}
	assert.Equal(t, map[string]string{"ForgotPassword": testUser, "AdminUserGlobalSignOut": testUser}, ops)
}

// The button answers "check your email" before Cognito is asked; then the
// page starts a reset for the link's own user, and signs them out where
// the tenant says so.
func TestReport(t *testing.T) {
	for _, tt := range []struct {
		name, tenant, locale, client string
		hash                         string // "": the client has no secret
		signOut                      bool
	}{
		{"case=default-secret-no-sign-out", "default", "es", "client-default", secretHash(testUser, "client-default", testSecret), false},
		{"case=acme-sign-out", "acme", "fr", "client-acme", "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			form := hidden(e.get(e.reportLink(tt.tenant, tt.locale)).body)
			res := e.post("/report", form)
			require.Equal(t, http.StatusOK, res.status, res.body)
			assert.Contains(t, res.body, `<html lang="`+tt.locale+`"`)
			assert.Contains(t, res.body, `role="status"`)
			assert.NotContains(t, res.body, "<form", "nothing more to post")
			assert.Empty(t, e.cognito.Calls(), "the answer is written before Cognito is asked")

			require.Equal(t, 1, e.runLater())
			want := []string{"ForgotPassword"}
			if tt.signOut {
				want = append(want, "AdminUserGlobalSignOut")
			}
			assert.ElementsMatch(t, want, e.cognito.Calls())
			in := e.cognito.forgot[0]
			assert.Equal(t, tt.client, *in.ClientId)
			assert.Equal(t, testUser, *in.Username, "the link's own user")
			assert.Equal(t, map[string]string{"locale": tt.locale}, in.ClientMetadata, "the reset email in the link's language")
			if tt.hash == "" {
				assert.Nil(t, in.SecretHash)
			} else {
				require.NotNil(t, in.SecretHash)
				assert.Equal(t, tt.hash, *in.SecretHash)
			}
			if tt.signOut {
				out := e.cognito.signOut[0]
				assert.Equal(t, e.clients[tt.tenant].UserPoolID, *out.UserPoolId, "the link's pool")
				assert.Equal(t, testUser, *out.Username)
				assert.Contains(t, e.logs.String(), `"outcome":"signed-out"`)
			}
			assert.Contains(t, e.logs.String(), `"route":"/report","tenant":"`+tt.tenant+`","outcome":"report-requested"`)
			assert.Contains(t, e.logs.String(), `"outcome":"report-reset-started"`)
			assert.NotContains(t, e.logs.String(), testUser)
		})
	}
}

// What Cognito answers after the page has answered changes nothing the
// visitor sees, status, headers or body: an unknown user, throttling, a
// sign-out that cognito-local does not offer or the role may not make.
// The log keeps the code, never who.
func TestReportAnswersAlike(t *testing.T) {
	answers := map[string]response{}
	unsupported := &smithy.GenericAPIError{Code: "UnknownOperationException", Message: "not implemented"}
	for _, tt := range []struct {
		name            string
		forgot, signOut error
		logs            []string
	}{
		{"case=done", nil, nil, []string{`"outcome":"report-reset-started"`, `"outcome":"signed-out"`}},
		{"case=user-not-found", &types.UserNotFoundException{Message: new("User " + testUser + " not found")},
			&types.UserNotFoundException{}, []string{`"outcome":"report-reset-failed","code":"UserNotFoundException"`, `"outcome":"signout-failed","code":"UserNotFoundException"`}},
		{"case=rate-limited", &types.LimitExceededException{}, &types.TooManyRequestsException{},
			[]string{`"level":"INFO"`, `"code":"LimitExceededException"`, `"code":"TooManyRequestsException"`}},
		{"case=sign-out-unsupported", nil, unsupported,
			[]string{`"outcome":"report-reset-started"`, `"level":"WARN","msg":"page","method":"POST","route":"/report","tenant":"acme","outcome":"signout-failed","code":"UnknownOperationException"`}},
		{"case=cognito-failing", &types.InternalErrorException{}, nil, []string{`"level":"ERROR"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.cognito.errs["ForgotPassword"] = tt.forgot
			e.cognito.errs["AdminUserGlobalSignOut"] = tt.signOut
			res := e.post("/report", hidden(e.get(e.reportLink("acme", "en")).body))
			assert.Equal(t, http.StatusOK, res.status)
			assert.Contains(t, res.body, reportDoneEN)
			res.header.Del("Date")
			answers[tt.name] = res
			require.Equal(t, 1, e.runLater())
			for _, want := range tt.logs {
				assert.Contains(t, e.logs.String(), want)
			}
			assert.NotContains(t, e.logs.String(), testUser)
		})
	}
	for name, a := range answers {
		assert.Equal(t, answers["case=done"], a, name)
	}
}

// A report link only starts a reset: it works again until it expires.
func TestReportLinkWorksAgain(t *testing.T) {
	e := newEnv(t, nil)
	raw := e.reportLink("default", "en")
	for range 2 {
		res := e.post("/report", hidden(e.get(raw).body))
		require.Equal(t, http.StatusOK, res.status, res.body)
	}
	assert.Equal(t, 2, e.runLater())
	assert.Equal(t, []string{"ForgotPassword", "ForgotPassword"}, e.cognito.Calls())
}

// A report link that cannot be used says so, with the way out (a new
// password from the app's sign-in), and offers no email: nothing else in
// it is trusted. Links of other purposes are refused at /report, and a
// report link at the other paths.
func TestReportRefused(t *testing.T) {
	const invalidReset = "You can ask Example App for a new one."
	tests := []struct {
		name   string
		open   func(e *env) response
		want   string
		why    string
		status int
	}{
		{"case=expired", func(e *env) response {
			return e.get(e.link(linkOpts{purpose: link.PurposeReport, locale: "en", expires: testNow.Add(-time.Minute)}))
		}, reportInvalidEN, "expired", http.StatusBadRequest},
		{"case=expired-between-open-and-post", func(e *env) response {
			form := hidden(e.get(e.link(linkOpts{purpose: link.PurposeReport, locale: "en", expires: testNow.Add(time.Minute)})).body)
			e.advance(2 * time.Minute)
			return e.post("/report", form)
		}, reportInvalidEN, "expired", http.StatusBadRequest},
		{"case=tampered-username", func(e *env) response {
			form := hidden(e.get(e.reportLink("default", "en")).body)
			form.Set(link.ParamUsername, "someone-else")
			return e.post("/report", form)
		}, reportInvalidEN, "bad-signature", http.StatusBadRequest},
		{"case=another-pool", func(e *env) response {
			return e.get(e.link(linkOpts{purpose: link.PurposeReport, pool: acmePool, locale: "en"}))
		}, reportInvalidEN, "wrong-pool", http.StatusBadRequest},
		{"case=reset-link-at-report", func(e *env) response {
			return e.get(e.link(linkOpts{path: "/report", locale: "en"}))
		}, reportInvalidEN, "wrong-purpose", http.StatusBadRequest},
		{"case=report-link-at-reset", func(e *env) response {
			return e.get(e.link(linkOpts{path: "/reset", purpose: link.PurposeReport, locale: "en"}))
		}, invalidReset, "wrong-purpose", http.StatusBadRequest},
		{"case=report-link-at-resend", func(e *env) response {
			return e.post("/resend", e.mintResend(e.reportLink("default", "en")))
		}, reportInvalidEN, "not-resendable", http.StatusBadRequest},
		{"case=cross-site-post", func(e *env) response {
			return e.post("/report", hidden(e.get(e.reportLink("default", "en")).body), "Sec-Fetch-Site", "cross-site")
		}, "", "", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *page.Config) { c.CSRFKey = testCSRFKey })
			res := tt.open(e)
			assert.Equal(t, tt.status, res.status, res.body)
			if tt.want != "" {
				assert.Contains(t, res.body, tt.want)
				assert.NotContains(t, res.body, `action="/resend"`, "no new email from a report link")
				assert.NotContains(t, res.body, `action="/report"`)
				assert.Contains(t, e.logs.String(), `"outcome":"invalid-link","reason":"`+tt.why+`"`)
			}
			if tt.want == reportInvalidEN {
				assert.Contains(t, res.body, `<a class="button" href="https://app.example.com/sign-in">`)
			}
			assert.Zero(t, e.runLater())
			assert.Empty(t, e.cognito.Calls())
			assert.NotContains(t, e.logs.String(), testUser)
		})
	}
}

// A report link must name its pool: link.Sign never makes one without, and
// the page refuses one all the same. The link is signed here as link.go's
// macInput encodes version 1, with a key the page knows.
func TestVersion1ReportLinkRefused(t *testing.T) {
	key := sha256.Sum256([]byte("a version-1 report link's key"))
	ring, err := link.ParseKeyring(fmt.Appendf(nil, `{"current":"v1","keys":{"v1":%q}}`, base64.StdEncoding.EncodeToString(key[:])))
	require.NoError(t, err)
	e := newEnv(t, func(c *page.Config) { c.Keyring = ring })
	exp := strconv.FormatInt(testNow.Add(time.Hour).Unix(), 10)
	var input []byte
	for _, f := range []string{"cogmail-link-1", string(link.PurposeReport), "default", testUser, "en", exp} {
		input = binary.AppendUvarint(input, uint64(len(f)))
		input = append(input, f...)
	}
	mac := hmac.New(sha256.New, key[:])
	mac.Write(input)
	raw := e.srv.URL + "/report?" + url.Values{
		link.ParamUsername: {testUser}, link.ParamTenant: {"default"}, link.ParamLocale: {"en"}, link.ParamExpires: {exp},
		link.ParamKeyID: {"v1"}, link.ParamSignature: {base64.RawURLEncoding.EncodeToString(mac.Sum(nil))},
	}.Encode()
	claims, err := link.Verify(raw, ring, testNow)
	require.NoError(t, err, "the hand-made link verifies")
	require.Equal(t, link.PurposeReport, claims.Purpose)
	require.Equal(t, 1, claims.Version)

	res := e.get(raw)
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Contains(t, res.body, reportInvalidEN)
	assert.Contains(t, e.logs.String(), `"outcome":"invalid-link","reason":"no-pool"`)
	assert.Empty(t, e.cognito.Calls())
}
