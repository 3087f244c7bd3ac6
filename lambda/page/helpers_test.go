package page_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

var testNow = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

// Personal data the tests send, which must never reach a log.
const (
	testUser     = "9f8e7d6c-user-sub-0001"
	testEmail    = "jane.doe@example.org"
	testPassword = "N3w-Passw0rd!xyz"
	testTemp     = "Tmp#Pass9word"
	testCode     = "482916"
	testSecret   = "client-secret-value"
)

// fakeCognito records every call and answers with the errors it is given.
type fakeCognito struct {
	mu       sync.Mutex
	calls    []string
	forgot   []*cip.ForgotPasswordInput
	resend   []*cip.ResendConfirmationCodeInput
	confirm  []*cip.ConfirmForgotPasswordInput
	signUp   []*cip.ConfirmSignUpInput
	initiate []*cip.InitiateAuthInput
	respond  []*cip.RespondToAuthChallengeInput
	signOut  []*cip.AdminUserGlobalSignOutInput
	errs     map[string]error
	initOut  *cip.InitiateAuthOutput
}

func (f *fakeCognito) record(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	return f.errs[name]
}

func (f *fakeCognito) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeCognito) ForgotPassword(_ context.Context, in *cip.ForgotPasswordInput, _ ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error) {
	f.mu.Lock()
	f.forgot = append(f.forgot, in)
	f.mu.Unlock()
	return &cip.ForgotPasswordOutput{}, f.record("ForgotPassword")
}

func (f *fakeCognito) ResendConfirmationCode(_ context.Context, in *cip.ResendConfirmationCodeInput, _ ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error) {
	f.mu.Lock()
	f.resend = append(f.resend, in)
	f.mu.Unlock()
	return &cip.ResendConfirmationCodeOutput{}, f.record("ResendConfirmationCode")
}

func (f *fakeCognito) ConfirmForgotPassword(_ context.Context, in *cip.ConfirmForgotPasswordInput, _ ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error) {
	f.mu.Lock()
	f.confirm = append(f.confirm, in)
	f.mu.Unlock()
	return &cip.ConfirmForgotPasswordOutput{}, f.record("ConfirmForgotPassword")
}

func (f *fakeCognito) ConfirmSignUp(_ context.Context, in *cip.ConfirmSignUpInput, _ ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error) {
	f.mu.Lock()
	f.signUp = append(f.signUp, in)
	f.mu.Unlock()
	return &cip.ConfirmSignUpOutput{}, f.record("ConfirmSignUp")
}

func (f *fakeCognito) InitiateAuth(_ context.Context, in *cip.InitiateAuthInput, _ ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	f.mu.Lock()
	f.initiate = append(f.initiate, in)
	f.mu.Unlock()
	if err := f.record("InitiateAuth"); err != nil {
		return nil, err
	}
	return f.initOut, nil
}

func (f *fakeCognito) RespondToAuthChallenge(_ context.Context, in *cip.RespondToAuthChallengeInput, _ ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	f.mu.Lock()
	f.respond = append(f.respond, in)
	f.mu.Unlock()
	return &cip.RespondToAuthChallengeOutput{}, f.record("RespondToAuthChallenge")
}

func (f *fakeCognito) AdminUserGlobalSignOut(_ context.Context, in *cip.AdminUserGlobalSignOutInput, _ ...func(*cip.Options)) (*cip.AdminUserGlobalSignOutOutput, error) {
	f.mu.Lock()
	f.signOut = append(f.signOut, in)
	f.mu.Unlock()
	return &cip.AdminUserGlobalSignOutOutput{}, f.record("AdminUserGlobalSignOut")
}

// env is one page server with its fake Cognito, keyring, clock, captured
// logs and the work the page left for after its answers.
type env struct {
	t       *testing.T
	srv     *httptest.Server
	client  *http.Client
	cognito *fakeCognito
	ring    *link.Keyring
	logs    *bytes.Buffer
	clients map[string]page.Client // as configured: links name their tenant's pool

	mu    sync.Mutex
	now   time.Time
	later []func()
}

// clock is the page's time: testNow until advanced.
func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// runLater runs the work the page left for after its answers, in order,
// and reports how many there were.
func (e *env) runLater() int {
	e.mu.Lock()
	work := e.later
	e.later = nil
	e.mu.Unlock()
	for _, w := range work {
		w()
	}
	return len(work)
}

func newRing(t *testing.T, kid string) *link.Keyring {
	t.Helper()
	key := make([]byte, 32)
	_, err := rand.Read(key)
	require.NoError(t, err)
	ring, err := link.ParseKeyring(fmt.Appendf(nil, `{"current":%q,"keys":{%q:%q}}`, kid, kid, base64.StdEncoding.EncodeToString(key)))
	require.NoError(t, err)
	return ring
}

// newEnv serves the page on 127.0.0.1 (httptest's default) with the embedded
// tenants; the default tenant's client has a secret, acme's has none.
func newEnv(t *testing.T, edit func(*page.Config)) *env {
	t.Helper()
	return newEnvServing(t, edit, nil)
}

// newEnvServing is newEnv with the page inside wrap (nil: none), which
// plays what stands in front of the page.
func newEnvServing(t *testing.T, edit func(*page.Config), wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	renderer, err := render.New(templates.FS)
	require.NoError(t, err)
	e := &env{t: t, ring: newRing(t, "k1"), logs: new(bytes.Buffer), cognito: &fakeCognito{errs: map[string]error{}}, now: testNow}
	cfg := page.Config{
		Keyring: e.ring, Tenants: tenant.NewStore(templates.FS), Renderer: renderer, Cognito: e.cognito,
		Now:    e.clock,
		Logger: slog.New(slog.NewJSONHandler(syncWriter{w: e.logs, mu: &e.mu}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		// Kept for runLater: a test sees what the page does after answering.
		After: func(_ context.Context, work func()) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.later = append(e.later, work)
		},
		Clients: map[string]page.Client{
			"default": {UserPoolID: "eu-west-1_Abc123", ClientID: "client-default", ClientSecret: testSecret,
				SignInURL: "https://app.example.com/sign-in", Policy: page.DefaultPolicy},
			"acme": {UserPoolID: "eu-west-1_Mn34Pq56R", ClientID: "client-acme",
				SignInURL: "https://login.acme-rockets.example/", Policy: page.PasswordPolicy{MinLength: 12, RequireNumbers: true}},
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	e.clients = cfg.Clients
	h, err := page.New(cfg)
	require.NoError(t, err)
	var served http.Handler = h
	if wrap != nil {
		served = wrap(h)
	}
	e.srv = httptest.NewServer(served)
	t.Cleanup(e.srv.Close)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	e.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return e
}

// linkOpts describe a link to sign; zero fields get test defaults: a
// version-2 link of the tenant's configured pool, as cogmail signs them.
type linkOpts struct {
	path, tenant, locale, code string
	pool                       string // "": the tenant's configured pool
	v1                         bool   // a version-1 link, which names no pool, as cogmail signed them before
	signCode                   bool   // a version-3 link, whose code is signed, as the Custom Email Sender signs them
	purpose                    link.Purpose
	expires                    time.Time
	ring                       *link.Keyring
}

func (e *env) link(o linkOpts) string {
	e.t.Helper()
	if o.tenant == "" {
		o.tenant = "default"
	}
	if o.purpose == "" {
		o.purpose = link.PurposeReset
	}
	if o.path == "" {
		o.path = map[link.Purpose]string{link.PurposeReset: "/reset", link.PurposeInvite: "/activate", link.PurposeVerify: "/confirm",
			link.PurposeReport: "/report"}[o.purpose]
	}
	if o.code == "" && (o.purpose == link.PurposeReset || o.purpose == link.PurposeVerify) {
		o.code = testCode
	}
	if o.expires.IsZero() {
		o.expires = testNow.Add(time.Hour)
	}
	if o.ring == nil {
		o.ring = e.ring
	}
	switch {
	case o.v1:
		o.pool = ""
	case o.pool == "":
		o.pool = e.clients[o.tenant].UserPoolID
		require.NotEmpty(e.t, o.pool, "tenant %q has no client: name the link's pool", o.tenant)
	}
	raw, err := link.Sign(link.Params{Base: e.srv.URL + o.path, Mode: link.ModeQuery, Purpose: o.purpose, Tenant: o.tenant,
		UserPool: o.pool, Username: testUser, Locale: o.locale, Expires: o.expires, Code: o.code, SignCode: o.signCode}, o.ring)
	require.NoError(e.t, err)
	return raw
}

// response is one answer, its body read.
type response struct {
	status int
	header http.Header
	body   string
}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	res, err := e.client.Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (e *env) get(rawURL string) response {
	e.t.Helper()
	if strings.HasPrefix(rawURL, "/") {
		rawURL = e.srv.URL + rawURL
	}
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	require.NoError(e.t, err)
	return e.do(req)
}

// post sends form to path; header adds request headers (Origin…).
func (e *env) post(path string, form url.Values, header ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(req)
}

var hiddenPattern = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// hidden returns the hidden fields of the first form in body (the CSRF token
// included), as a browser would submit them.
func hidden(body string) url.Values {
	if i := strings.Index(body, "</form>"); i >= 0 {
		body = body[:i]
	}
	v := url.Values{}
	for _, m := range hiddenPattern.FindAllStringSubmatch(body, -1) {
		v.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

// submit opens link and posts its form with extra fields filled in.
func (e *env) submit(rawLink string, fields ...string) response {
	e.t.Helper()
	opened := e.get(rawLink)
	require.Equal(e.t, http.StatusOK, opened.status, opened.body)
	form := hidden(opened.body)
	for i := 0; i+1 < len(fields); i += 2 {
		form.Set(fields[i], fields[i+1])
	}
	u, err := url.Parse(rawLink)
	require.NoError(e.t, err)
	return e.post(u.Path, form)
}

// syncWriter lets the page's goroutines and the test share the log buffer.
type syncWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (s syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
