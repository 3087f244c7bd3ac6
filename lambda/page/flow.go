package page

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// flow is one kind of link page: reset, activate, confirm or report.
type flow struct {
	path     string
	purpose  link.Purpose
	heading  string
	activate bool
	confirm  bool
	report   bool
}

var (
	flowReset    = flow{path: "/reset", purpose: link.PurposeReset, heading: "page.reset.heading"}
	flowActivate = flow{path: "/activate", purpose: link.PurposeInvite, heading: "page.activate.heading", activate: true}
	flowConfirm  = flow{path: "/confirm", purpose: link.PurposeVerify, heading: "page.confirm.heading", confirm: true}
	flowReport   = flow{path: reportPath, purpose: link.PurposeReport, heading: "page.report.heading", report: true}
)

// carriesCode reports whether the flow's links carry Cognito's code: reset
// and confirmation links do; an invitation's code is the temporary
// password, and a report link comes from the notifier, which has none.
func (f flow) carriesCode() bool {
	return f.purpose == link.PurposeReset || f.purpose == link.PurposeVerify
}

// linkParams are the link's parameters the forms carry as hidden fields.
var linkParams = []string{
	link.ParamUsername, link.ParamTenant, link.ParamUserPool, link.ParamLocale, link.ParamExpires,
	link.ParamKeyID, link.ParamSignature, link.ParamCode,
}

// maxCode bounds the unsigned code; anything else about it is Cognito's to judge.
const maxCode = 64

// target is what a verified link leads to.
type target struct {
	claims link.Claims
	tenant *tenant.Tenant
	client Client
	hidden []field
	sig    string      // the link's signature, to which its forms' tokens are bound
	attrs  []attribute // activation: the attributes the form asks for or carried
}

// getLink serves a link opened in the browser: a query-mode link is verified
// and its form shown; a bare path is a fragment-mode link for the opener.
func (h *Handler) getLink(f flow) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// A fragment-mode link sends none of its parameters in the query
		// (its base URL may have one of its own, utm_source say): the
		// opener reads them from the fragment.
		if !hasLinkParams(r.URL.Query()) {
			h.opener(w, r, f)
			return
		}
		if t, ok := h.verify(w, r, f, r.URL.String(), r.URL.Query()); ok {
			h.form(w, r, f, t, "", http.StatusOK)
		}
	}
}

// postLink verifies the link again from the hidden fields (never trusting
// an earlier GET), then shows the form (step=open) or submits it: a
// confirmation's button confirms, a password form sets the password.
func (h *Handler) postLink(f flow) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		values := url.Values{}
		for _, name := range linkParams {
			if v, ok := r.PostForm[name]; ok {
				values[name] = v
			}
		}
		t, ok := h.verify(w, r, f, "?"+values.Encode(), values)
		if !ok {
			return
		}
		if r.URL.Query().Get("step") == "open" {
			h.form(w, r, f, t, "", http.StatusOK)
			return
		}
		if f.confirm {
			h.confirmSignUp(w, r, f, t)
			return
		}
		if f.report {
			h.report(w, r, t)
			return
		}
		if f.activate {
			t.attrs = postedAttributes(r.PostForm)
		}
		password, repeat := r.PostForm.Get("password"), r.PostForm.Get("repeat")
		switch {
		case !attributesFit(t.attrs):
			h.form(w, r, f, t, "page.error.attributes", http.StatusBadRequest)
		case password == "" || len(password) > 256:
			h.form(w, r, f, t, "page.error.password", http.StatusBadRequest)
		case password != repeat:
			h.form(w, r, f, t, "page.error.mismatch", http.StatusBadRequest)
		case !t.client.Policy.Allows(password):
			// The form states the policy; saying so before Cognito does
			// spares a round trip, and holds where the peer does not enforce
			// it (cognito-local).
			h.form(w, r, f, t, "page.error.password", http.StatusBadRequest)
		case f.activate:
			h.activate(w, r, f, t, r.PostForm.Get("temporary"), password)
		default:
			h.reset(w, r, f, t, password)
		}
	}
}

// checkLink is the one place the page verifies a link. It returns the
// claims of every link whose signature holds, an expired one too (with
// link.ErrExpired), for the resend of a new email, and of a version-3 link
// whose every field but the code holds (link.ErrCodeTampered, no code),
// which the resend needs no more; any other error means the claims are
// worthless.
func (h *Handler) checkLink(ctx context.Context, raw string) (link.Claims, error) {
	ring := h.cfg.Keyring
	if h.cfg.Keys != nil {
		ring = h.cfg.Keys.Get(ctx)
	}
	claims, err := link.Verify(raw, ring, h.cfg.Now())
	if errors.Is(err, link.ErrUnknownKey) && h.cfg.Keys != nil {
		// Perhaps a key added since the ring was read: Unknown reads it
		// again, at most every keyring.RetryEvery.
		claims, err = link.Verify(raw, h.cfg.Keys.Unknown(ctx, ring), h.cfg.Now())
	}
	if err != nil && !errors.Is(err, link.ErrExpired) && !errors.Is(err, link.ErrCodeTampered) {
		return link.Claims{}, err
	}
	// The signature holds: checks of what the link claims go here, so
	// that they bind the resend of an expired link as well.
	// A link names the user pool it was sent from (version 2): another
	// pool's user must not act on this tenant's pool. A version-1 link
	// names none and is taken until it expires (README: Signed links).
	if c, ok := h.cfg.Clients[claims.Tenant]; ok && claims.UserPool != "" && claims.UserPool != c.UserPoolID {
		return link.Claims{}, errWrongPool
	}
	return claims, err
}

// errWrongPool: the link's signed user pool is not its tenant's here.
var errWrongPool = errors.New("page: the link is for another user pool")

// verify checks the link and that its tenant has a client. On failure it
// answers the visitor itself and reports false.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request, f flow, raw string, values url.Values) (target, bool) {
	claims, err := h.checkLink(r.Context(), raw)
	reason := linkFailure(err)
	if err == nil && claims.Purpose != f.purpose {
		reason = "wrong-purpose"
	}
	// Reset and confirmation links carry Cognito's code; the others never.
	if err == nil && reason == "" && f.carriesCode() && (claims.Code == "" || len(claims.Code) > maxCode) {
		reason = "bad-code"
	}
	// A report link acts on its user's account without a code: it must
	// name its pool (cogmail never signed one without, see link.Sign).
	if err == nil && reason == "" && f.report && claims.Version != 2 {
		reason = "no-pool"
	}
	if reason != "" {
		h.log(r, slog.LevelInfo, "", "invalid-link", slog.String("reason", reason))
		var offer []field
		if claims.Purpose == f.purpose && h.resendable(claims, err) {
			offer = resendFields(values)
		}
		// Said before Cognito is called, and only of a link whose every
		// field but the code is authentic (link.Verify): the visitor sent
		// that link whole, so the page tells nothing they did not have.
		var errKey string
		if errors.Is(err, link.ErrCodeTampered) && claims.Purpose == f.purpose {
			errKey = "page.error.tampered"
		}
		h.unusable(w, r, f, offer, values.Get(link.ParamTenant), values.Get(link.ParamLocale), errKey)
		return target{}, false
	}
	t, err := h.cfg.Tenants.Get(claims.Tenant)
	if err != nil {
		h.log(r, slog.LevelError, claims.Tenant, "error", slog.String("reason", "tenant does not load"), slog.String("error", err.Error()))
		h.errorPage(w, r, nil, "", "page.error.body", http.StatusInternalServerError)
		return target{}, false
	}
	client, ok := h.cfg.Clients[claims.Tenant]
	if !ok {
		h.log(r, slog.LevelError, claims.Tenant, "error", slog.String("reason", "no app client configured for the tenant"))
		h.errorPage(w, r, t, claims.Locale, "page.error.setup", http.StatusInternalServerError)
		return target{}, false
	}
	if f.activate && h.temporaryPasswordExpired(claims, t, client) {
		h.log(r, slog.LevelInfo, claims.Tenant, "invalid-link", slog.String("reason", "temporary-password-expired"))
		h.invalidInvitation(w, r, claims.Tenant, claims.Locale)
		return target{}, false
	}
	if r.Method == http.MethodGet { // a link opened: its LinkChecks (metrics.go)
		h.log(r, slog.LevelInfo, claims.Tenant, outcomeLinkValid)
	}
	hidden := make([]field, 0, len(linkParams))
	for _, name := range linkParams {
		if name == link.ParamCode && !f.carriesCode() {
			continue
		}
		if v := values.Get(name); v != "" || name == link.ParamLocale {
			hidden = append(hidden, field{name, v})
		}
	}
	return target{claims: claims, tenant: t, client: client, hidden: hidden, sig: values.Get(link.ParamSignature)}, true
}

// temporaryPasswordExpired reports whether an invitation link has outlived
// the pool's temporary password: a tenant's inviteExpiry may be longer. The
// link was signed when the invitation was sent, its expiry minus the
// tenant's inviteExpiry (the link carries no issue time of its own).
func (h *Handler) temporaryPasswordExpired(claims link.Claims, t *tenant.Tenant, c Client) bool {
	issued := claims.Expires.Add(-time.Duration(t.Links.InviteExpiry))
	validity := time.Duration(c.TemporaryPasswordValidityDays) * 24 * time.Hour
	return !h.cfg.Now().Before(issued.Add(validity))
}

// linkFailure names why a link failed, for the log ("" when it did not).
func linkFailure(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, link.ErrExpired):
		return "expired"
	case errors.Is(err, link.ErrUnknownKey):
		return "unknown-key"
	case errors.Is(err, link.ErrCodeTampered): // before ErrBadSignature, which it also is
		return "tampered-code"
	case errors.Is(err, link.ErrBadSignature):
		return "bad-signature"
	case errors.Is(err, link.ErrMalformed):
		return "malformed"
	case errors.Is(err, errWrongPool):
		return "wrong-pool"
	}
	return "unverifiable"
}

// form shows the form of a verified link, with errKey's message: the
// password form, or a confirmation's button.
func (h *Handler) form(w http.ResponseWriter, r *http.Request, f flow, t target, errKey string, status int) {
	v, ok := h.newView(w, r, t.tenant, t.claims.Locale)
	if !ok {
		return
	}
	v.Heading = v.T(f.heading, "product", t.tenant.Brand.ProductName)
	v.Action, v.Activate, v.Hidden = f.path, f.activate, t.hidden
	v.CSRF = h.csrfFor(w, r, linkBinding(f.path, t.sig))
	if errKey != "" {
		v.Error = v.T(errKey)
	}
	if f.confirm {
		v.Body = v.T("page.confirm.intro", "product", t.tenant.Brand.ProductName)
		h.show(w, v, "confirm", status)
		return
	}
	if f.report {
		v.Body = v.T("page.report.body", "product", t.tenant.Brand.ProductName)
		if t.tenant.Notifications.SignOutOnReport {
			v.Extra = v.T("page.report.signout", "product", t.tenant.Brand.ProductName)
		}
		h.show(w, v, "report", status)
		return
	}
	policy := t.client.Policy
	v.Policy, v.MinLength = policyLines(v, policy), policy.MinLength
	v.Attributes = attributeFields(v, t.attrs)
	h.show(w, v, "form", status)
}

// unusable answers a link that cannot be used, each flow with its way out.
// offer holds the fields of the resend form when the link can ask for a new
// email (see resendable); nil: it cannot.
func (h *Handler) unusable(w http.ResponseWriter, r *http.Request, f flow, offer []field, tenantID, locale, errKey string) {
	switch {
	case f.activate:
		// ForgotPassword cannot help a user who never activated (Cognito
		// refuses it in FORCE_CHANGE_PASSWORD), and a new invitation needs
		// an administrator's rights, which the page does not have.
		h.invalidInvitation(w, r, tenantID, locale)
	case f.confirm:
		h.invalidConfirmation(w, r, offer, tenantID, locale, errKey)
	case f.report:
		h.invalidReport(w, r, tenantID, locale)
	default:
		h.invalid(w, r, offer, tenantID, locale, errKey)
	}
}

// invalid is the one answer for every reset link that cannot be used and
// every account Cognito does not know: the same words, the same status. An
// authentic link offers a new email to its own user; any other sends the
// visitor to the tenant's own page for that. The tenant and language are
// read from the link unverified (they only choose words and which of the
// configured addresses to show).
func (h *Handler) invalid(w http.ResponseWriter, r *http.Request, offer []field, tenantID, locale, errKey string) {
	v, ok := h.newView(w, r, h.readableTenant(tenantID), locale)
	if !ok {
		return
	}
	v.Heading = v.T("page.invalid.heading")
	if errKey != "" {
		v.Error = v.T(errKey)
	}
	if offer != nil {
		v.Body = v.T("page.invalid.resend")
		h.offerResend(w, r, v, offer)
	} else {
		v.Body = v.T("page.invalid.elsewhere", "product", v.Brand.ProductName)
		v.Forgot = h.forgotURL(v.RequestTenant)
	}
	h.show(w, v, "invalid", http.StatusBadRequest)
}

// offerResend puts the resend form on v: the link's fields, and a token
// bound to the link and to /resend.
func (h *Handler) offerResend(w http.ResponseWriter, r *http.Request, v *view, offer []field) {
	v.Hidden = offer
	for _, f := range offer {
		if f.Name == link.ParamSignature {
			v.CSRF = h.csrfFor(w, r, linkBinding(resendPath, f.Value))
		}
	}
}

// forgotURL is where a visitor without a usable link asks the tenant for a
// new one: its links.forgotPasswordUrl, else its app's sign-in page, else
// nowhere ("").
func (h *Handler) forgotURL(tenantID string) string {
	if t := h.readableTenant(tenantID); t != nil && t.Links.ForgotPasswordURL != "" {
		return t.Links.ForgotPasswordURL
	}
	return h.cfg.Clients[tenantID].SignInURL
}

// invalidInvitation is the invalid-link page for an invitation: it asks for
// a new invitation instead of offering an email that would never come.
func (h *Handler) invalidInvitation(w http.ResponseWriter, r *http.Request, tenantID, locale string) {
	v, ok := h.newView(w, r, h.readableTenant(tenantID), locale)
	if !ok {
		return
	}
	v.Heading, v.Activate = v.T("page.invalid.heading"), true
	h.show(w, v, "invalid", http.StatusBadRequest)
}

// errorPage is the generic error page (or a notice) with bodyKey's text.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, t *tenant.Tenant, locale, bodyKey string, status int) {
	v, ok := h.newView(w, r, t, locale)
	if !ok {
		return
	}
	v.Heading = v.T("page.error.heading")
	v.Body = v.T(bodyKey, "product", v.Brand.ProductName)
	h.show(w, v, "error", status)
}

// success is the end of every flow: the sign-in link, no tokens.
func (h *Handler) success(w http.ResponseWriter, r *http.Request, f flow, t target) {
	v, ok := h.newView(w, r, t.tenant, t.claims.Locale)
	if !ok {
		return
	}
	product := t.tenant.Brand.ProductName
	switch {
	case f.activate:
		v.Heading, v.Body = v.T("page.success.activate"), v.T("page.success.body", "product", product)
	case f.confirm:
		v.Heading, v.Body = v.T("page.success.confirm"), v.T("page.success.confirm.body", "product", product)
	default:
		v.Heading, v.Body = v.T("page.success.reset"), v.T("page.success.body", "product", product)
	}
	v.SignIn = t.client.SignInURL
	h.show(w, v, "success", http.StatusOK)
}

// hasLinkParams reports whether a query carries any of a link's own
// parameters: a query link, perhaps broken, rather than a fragment link.
func hasLinkParams(q url.Values) bool {
	for _, name := range []string{link.ParamUsername, link.ParamTenant, link.ParamLocale, link.ParamExpires, link.ParamKeyID, link.ParamSignature} {
		if q.Has(name) {
			return true
		}
	}
	return false
}
