package page

import (
	"context"
	"log/slog"
	"net/http"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// confirmSignUp confirms the link's user with the link's code: the POST of
// the button a verified confirmation link shows (opening the link changes
// nothing, so a mail scanner's prefetch confirms no one).
func (h *Handler) confirmSignUp(w http.ResponseWriter, r *http.Request, f flow, t target) {
	budget, done := budgetContext(r.Context())
	defer done()
	ctx, cancel := context.WithTimeout(budget, callTimeout)
	defer cancel()
	c := t.client
	_, err := h.cfg.Cognito.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: &c.ClientID, Username: &t.claims.Username, ConfirmationCode: &t.claims.Code,
		SecretHash: c.secretHash(t.claims.Username),
	})
	if err != nil {
		// A used code is ExpiredCode (cognito-local) or, the user being
		// confirmed, NotAuthorized (Cognito), which also means "no such
		// user": all lead to the same page, which offers sign-in.
		h.cognitoFailed(w, r, f, t, err)
		return
	}
	h.log(r, slog.LevelInfo, t.claims.Tenant, "signup-confirmed")
	h.success(w, r, f, t)
}

// invalidConfirmation is the invalid-link page for a sign-up confirmation:
// an authentic link offers a new confirmation email (ResendConfirmationCode,
// never a reset email, which would confirm no one); any other says where a
// new one comes from. Both offer sign-in to those already confirmed. The
// tenant and language are read from the link unverified: they only choose
// words and the sign-in address.
func (h *Handler) invalidConfirmation(w http.ResponseWriter, r *http.Request, offer []field, tenantID, locale, errKey string) {
	v, ok := h.newView(w, r, h.readableTenant(tenantID), locale)
	if !ok {
		return
	}
	v.Heading, v.Confirm = v.T("page.invalid.heading"), true
	if offer != nil {
		v.Body = v.T("page.invalid.confirm.resend")
		h.offerResend(w, r, v, offer)
	} else {
		v.Body = v.T("page.invalid.confirm", "product", v.Brand.ProductName)
	}
	if errKey != "" {
		v.Error = v.T(errKey)
	}
	if c, ok := h.cfg.Clients[v.RequestTenant]; ok {
		v.SignIn = c.SignInURL
	}
	h.show(w, v, "invalid", http.StatusBadRequest)
}
