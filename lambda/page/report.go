package page

import (
	"context"
	"log/slog"
	"net/http"
	"sync"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cogmail/cogmail/lambda/link"
)

// "This wasn't me": a notice that a password changed carries a signed
// report link (purpose report) for its own user. Opening it changes
// nothing (mail scanners prefetch links): the page shows a button. The
// button's POST answers "check your email" at once, the same for every
// account, and after the answer (Config.After, as /resend) starts a reset
// for the link's user, ForgotPassword, so that Cognito emails them a code
// (the Custom Message trigger's reset email), and, with the tenant's
// notifications.signOutOnReport, signs them out everywhere. The page
// never emails anyone but the link's user, and never another pool's: the
// link names its pool, which must be its tenant's here (checkLink). A
// report link works until it expires, as often as it is used: it only
// starts a reset, which Cognito rate-limits.

const reportPath = "/report"

// report answers a verified report link's POST, then secures the account.
func (h *Handler) report(w http.ResponseWriter, r *http.Request, t target) {
	v, ok := h.newView(w, r, t.tenant, t.claims.Locale)
	if !ok {
		return
	}
	signOut := t.tenant.Notifications.SignOutOnReport
	h.log(r, slog.LevelInfo, t.claims.Tenant, "report-requested", slog.Bool("signOut", signOut))
	v.Heading, v.Body = v.T("page.report.done"), v.T("page.report.done.body", "product", t.tenant.Brand.ProductName)
	h.show(w, v, "sent", http.StatusOK)
	claims, client := t.claims, t.client
	h.cfg.After(r.Context(), func() { h.secure(r, claims, client, signOut) })
}

// secure starts the reset and, if asked, the sign-out, side by side: each
// gets the whole time left after the answer. Outcomes go to the log only.
func (h *Handler) secure(r *http.Request, claims link.Claims, c Client, signOut bool) {
	ctx, cancel := afterContext(r)
	defer cancel()
	var wg sync.WaitGroup
	if signOut {
		wg.Go(func() { h.signOut(ctx, r, claims, c) })
	}
	username := claims.Username
	_, err := h.cfg.Cognito.ForgotPassword(ctx, &cip.ForgotPasswordInput{
		ClientId: &c.ClientID, Username: &username, SecretHash: c.secretHash(username), ClientMetadata: emailMetadata(claims),
	})
	h.logEmailCall(r, claims.Tenant, "report-reset-started", "report-reset-failed", err)
	wg.Wait()
}

// signOut signs the link's user out on every device: their refresh tokens
// are revoked. cognito-local has no such call, and a deployment may not
// grant it: a failure is logged (its code) and changes nothing else.
func (h *Handler) signOut(ctx context.Context, r *http.Request, claims link.Claims, c Client) {
	pool, username := c.UserPoolID, claims.Username // checkLink: the link's pool is the client's
	_, err := h.cfg.Cognito.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &pool, Username: &username})
	switch kind := classify(err); {
	case err == nil:
		h.log(r, slog.LevelInfo, claims.Tenant, "signed-out")
	case kind == failDenied || kind == failLimit: // no such user (NotAuthorized: disabled), throttled
		h.log(r, slog.LevelInfo, claims.Tenant, "signout-failed", slog.String("code", errorCode(err)))
	default: // the role lacks cognito-idp:AdminUserGlobalSignOut, cognito-local, Cognito failing
		h.log(r, slog.LevelWarn, claims.Tenant, "signout-failed", slog.String("code", errorCode(err)))
	}
}

// invalidReport answers a report link that cannot be used: expired, not
// authentic, of another purpose or pool. It offers no email (that would
// need a link the page can trust): the visitor can reset the password
// from the app's sign-in, which the page links to. The tenant and
// language are read from the link unverified: they only choose words and
// the sign-in address.
func (h *Handler) invalidReport(w http.ResponseWriter, r *http.Request, tenantID, locale string) {
	v, ok := h.newView(w, r, h.readableTenant(tenantID), locale)
	if !ok {
		return
	}
	v.Heading = v.T("page.invalid.heading")
	v.Body = v.T("page.invalid.report", "product", v.Brand.ProductName)
	if c, ok := h.cfg.Clients[v.RequestTenant]; ok {
		v.SignIn = c.SignInURL
	}
	h.show(w, v, "invalid", http.StatusBadRequest)
}
