// Package page is the reference page behind cogmail's links: it verifies a
// link, shows a form in the link's language and the tenant's brand, and asks
// Cognito to set the password or confirm the sign-up. It acts only on POST,
// so mail scanners that prefetch links change nothing, and it never says
// whether an account exists.
//
// Routes, on the page's own host (the tenant's link URLs point here):
//
//	GET  /reset, /activate, /confirm   verify a query-mode link and show the
//	                                   form, or serve the opener of
//	                                   fragment-mode links
//	POST /reset, /activate, /confirm   ?step=open: verify and show the form;
//	                                   else submit
//	POST /resend              ask for a new email from an authentic link
//	                          (expired less than ResendGrace ago): answered
//	                          at once, Cognito called after the answer
//	GET  /report              a notice's "This wasn't me" link: verify it
//	                          and show a button (or serve the opener)
//	POST /report              ?step=open: as GET; else answer "check your
//	                          email" at once, then start a reset for the
//	                          link's user (ForgotPassword) and, if the
//	                          tenant says so, sign them out everywhere
//	GET, POST /signin         with Config.LocalSignIn only: the local stack's
//	                          sign-in page
//	GET  /assets/page.css, /assets/tenant/<id>.css, /healthz
package page

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cogmail/cogmail/lambda/internal/keyring"
	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// Cognito is the part of the Cognito API the page calls, with the SDK's
// signatures: *cognitoidentityprovider.Client satisfies it.
type Cognito interface {
	ForgotPassword(ctx context.Context, in *cip.ForgotPasswordInput, optFns ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error)
	ResendConfirmationCode(ctx context.Context, in *cip.ResendConfirmationCodeInput, optFns ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error)
	ConfirmForgotPassword(ctx context.Context, in *cip.ConfirmForgotPasswordInput, optFns ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error)
	ConfirmSignUp(ctx context.Context, in *cip.ConfirmSignUpInput, optFns ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error)
	InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, optFns ...func(*cip.Options)) (*cip.InitiateAuthOutput, error)
	RespondToAuthChallenge(ctx context.Context, in *cip.RespondToAuthChallengeInput, optFns ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error)
	// AdminUserGlobalSignOut needs IAM rights (the page's role): for a
	// report, with the tenant's notifications.signOutOnReport.
	AdminUserGlobalSignOut(ctx context.Context, in *cip.AdminUserGlobalSignOutInput, optFns ...func(*cip.Options)) (*cip.AdminUserGlobalSignOutOutput, error)
}

var _ Cognito = (*cip.Client)(nil)

// Config is what the page needs; LoadConfig builds it from the environment.
type Config struct {
	Keyring  *link.Keyring
	Tenants  *tenant.Store
	Renderer *render.Renderer
	Clients  map[string]Client // tenant id → its app client
	Cognito  Cognito
	Now      func() time.Time // nil: time.Now
	Logger   *slog.Logger     // nil: slog.Default()
	// MetricsNamespace is the CloudWatch namespace of the log lines'
	// metrics; "" means metrics.DefaultNamespace.
	MetricsNamespace string
	// CSRFKey signs the form tokens; empty: derived from the keyring, so a
	// deployment needs no extra secret.
	CSRFKey []byte
	// After runs work the page starts once its answer is written: the
	// call that sends a new email, whose duration depends on whether the
	// account exists (Cognito runs the Custom Message trigger for real
	// users only). ctx is the request's, for its values; work has its own
	// deadline. nil: a goroutine, which is what a long-running server
	// needs; in Lambda, lambda/cmd/pagefn keeps the execution environment
	// running until the work is done.
	After func(ctx context.Context, work func())
	// TrustForwardedProto believes X-Forwarded-Proto: https, set by a front
	// end that terminates TLS (a Function URL, a load balancer). Without
	// it only the page's own TLS counts, so that a client cannot claim
	// HTTPS it does not have.
	TrustForwardedProto bool
	// LocalSignIn serves /signin: a form that signs in with
	// USER_PASSWORD_AUTH and says who signed in, keeping no tokens. Only for
	// the local stack, where no application answers the tenants' signInUrl.
	LocalSignIn bool
	// Keys, when set, re-reads the keyring while warm (LoadConfig sets it
	// for Secrets Manager): links are checked with it, so that keys a
	// rotation adds reach the page; Keyring serves the rest.
	Keys *keyring.Keys
}

// Client is one tenant's app client.
type Client struct {
	UserPoolID   string
	ClientID     string
	ClientSecret string // empty: the client has no secret, no SecretHash is sent
	SignInURL    string
	Policy       PasswordPolicy
	// TemporaryPasswordValidityDays is the pool's: an invitation link older
	// than this is refused, its temporary password being gone (0:
	// DefaultTemporaryPasswordValidityDays).
	TemporaryPasswordValidityDays int
}

// DefaultTemporaryPasswordValidityDays is Cognito's default.
const DefaultTemporaryPasswordValidityDays = 7

// PasswordPolicy is the pool's policy, stated on the form (Cognito enforces it).
type PasswordPolicy struct {
	MinLength        int  `json:"minLength"`
	RequireUppercase bool `json:"requireUppercase"`
	RequireLowercase bool `json:"requireLowercase"`
	RequireNumbers   bool `json:"requireNumbers"`
	RequireSymbols   bool `json:"requireSymbols"`
}

// Allows reports whether password meets p, as Cognito counts: length in
// characters, classes among ASCII letters and digits, and Cognito's symbols.
func (p PasswordPolicy) Allows(password string) bool {
	var upper, lower, number, symbol bool
	for _, r := range password {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			number = true
		case strings.ContainsRune(cognitoSymbols, r):
			symbol = true
		}
	}
	// Cognito refuses a leading or trailing space.
	if strings.TrimSpace(password) != password {
		return false
	}
	return utf8.RuneCountInString(password) >= p.MinLength &&
		(upper || !p.RequireUppercase) && (lower || !p.RequireLowercase) &&
		(number || !p.RequireNumbers) && (symbol || !p.RequireSymbols)
}

// cognitoSymbols are the characters Cognito counts as symbols, space included.
const cognitoSymbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// DefaultPolicy is Cognito's default password policy.
var DefaultPolicy = PasswordPolicy{MinLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}

// CSP is the Content-Security-Policy of every response; the fragment opener
// adds its script's hash.
const CSP = "default-src 'none'; style-src 'self'; img-src https: 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// maxBody bounds a POST: the forms hold a link and three short fields.
const maxBody = 64 << 10

// HSTS is the Strict-Transport-Security of every answer over HTTPS: a
// year, this host only (the page may share a domain it does not own).
const HSTS = "max-age=31536000"

// Handler serves the pages; it is safe for concurrent use.
type Handler struct {
	cfg       Config
	mux       *http.ServeMux
	views     map[string]*template.Template
	csrfKey   []byte
	scriptCSP string // CSP plus the opener script's hash
	metrics   [metricSets]*metrics.Spec
}

// New checks cfg and parses the page templates.
func New(cfg Config) (*Handler, error) {
	var errs []error
	if cfg.Keyring == nil {
		errs = append(errs, errors.New("page: no keyring"))
	}
	if cfg.Tenants == nil || cfg.Renderer == nil {
		errs = append(errs, errors.New("page: tenants and renderer are required"))
	}
	if cfg.Cognito == nil {
		errs = append(errs, errors.New("page: no Cognito client"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.After == nil {
		cfg.After = func(_ context.Context, work func()) { go work() }
	}
	clients := make(map[string]Client, len(cfg.Clients))
	for id, c := range cfg.Clients {
		if c.Policy == (PasswordPolicy{}) { // unset: state what Cognito enforces by default
			c.Policy = DefaultPolicy
		}
		if c.TemporaryPasswordValidityDays <= 0 {
			c.TemporaryPasswordValidityDays = DefaultTemporaryPasswordValidityDays
		}
		clients[id] = c
	}
	cfg.Clients = clients
	h := &Handler{cfg: cfg, csrfKey: cfg.CSRFKey, scriptCSP: CSP + "; script-src '" + ScriptHash() + "'",
		metrics: newMetricSpecs(cfg.MetricsNamespace)}
	if len(h.csrfKey) == 0 {
		key, err := deriveCSRFKey(cfg.Keyring)
		if err != nil {
			return nil, err
		}
		h.csrfKey = key
	}
	var err error
	if h.views, err = parseViews(); err != nil {
		return nil, fmt.Errorf("page: templates: %w", err)
	}
	h.routes()
	return h, nil
}

func (h *Handler) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /reset", h.getLink(flowReset))
	m.HandleFunc("POST /reset", h.postLink(flowReset))
	m.HandleFunc("GET /activate", h.getLink(flowActivate))
	m.HandleFunc("POST /activate", h.postLink(flowActivate))
	m.HandleFunc("POST /resend", h.resend)
	m.HandleFunc("GET /confirm", h.getLink(flowConfirm))
	m.HandleFunc("POST /confirm", h.postLink(flowConfirm))
	m.HandleFunc("GET "+reportPath, h.getLink(flowReport))
	m.HandleFunc("POST "+reportPath, h.postLink(flowReport))
	if h.cfg.LocalSignIn {
		m.HandleFunc("GET "+SignInPath, h.signInForm)
		m.HandleFunc("POST "+SignInPath, h.signIn)
	}
	m.HandleFunc("GET /assets/page.css", h.pageCSS)
	m.HandleFunc("GET /assets/tenant/{file}", h.tenantCSS)
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	m.HandleFunc("/", h.notFound)
	h.mux = m
}

// ServeHTTP sets the headers every response carries and, on POST, refuses
// what did not come from this page's own form before anything else runs.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer h.recoverPanic(w, r)
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	if h.overHTTPS(r) {
		hd.Set("Strict-Transport-Security", HSTS)
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			h.fail(w, r, http.StatusBadRequest, "unreadable form")
			return
		}
		if !h.sameOrigin(r) || !h.validCSRF(r, formBinding(r)) {
			h.fail(w, r, http.StatusForbidden, "csrf or origin check failed")
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

// recoverPanic answers 500 for a handler that panicked, and logs the
// panic's type only: its value, like a stack, may quote what the visitor
// sent (net/http would log both; in Lambda the process would die).
func (h *Handler) recoverPanic(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler { // net/http's way to abort an answer: not a failure
		panic(v)
	}
	h.log(r, slog.LevelError, "", "error", slog.String("reason", "panic"), slog.String("type", fmt.Sprintf("%T", v)))
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// fail answers with the generic error page in the default tenant's language.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, reason string) {
	h.log(r, slog.LevelWarn, "", "refused", slog.String("reason", reason))
	v, ok := h.newView(w, r, nil, "")
	if !ok {
		return
	}
	v.Heading, v.Body = v.T("page.error.heading"), v.T("page.error.body")
	h.show(w, v, "error", status)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	v, ok := h.newView(w, r, nil, "")
	if !ok {
		return
	}
	v.Heading = v.T("page.notfound.heading")
	h.show(w, v, "error", http.StatusNotFound)
}

// log writes one line about a request: route, tenant, outcome and extra
// attributes. Callers never pass usernames, addresses, passwords or codes.
func (h *Handler) log(r *http.Request, level slog.Level, tenantID, outcome string, attrs ...slog.Attr) {
	attrs = append([]slog.Attr{
		slog.String("method", r.Method), slog.String("route", route(r.URL.Path)),
		slog.String("tenant", tenantID), slog.String("outcome", outcome),
	}, attrs...)
	attrs = h.appendMetrics(attrs, r, level, outcome)
	h.cfg.Logger.LogAttrs(r.Context(), level, "page", attrs...)
}

// route names a request's path for the log: any other path might hold
// whatever a visitor typed, an address included.
func route(path string) string {
	switch path {
	case "/reset", "/activate", "/resend", "/confirm", reportPath, SignInPath, "/healthz", "/assets/page.css":
		return path
	}
	return "other"
}
