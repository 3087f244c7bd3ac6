package page

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// maxEmail bounds the address asked for; Cognito judges the rest.
const maxEmail = 256

// request asks Cognito for a new reset email and always answers the same
// page, whatever Cognito says: the answer must not tell whether an account
// exists. The tenant and language come from the form unverified; they only
// pick the app client and the email's language (as clientMetadata.locale,
// which the function restricts to the tenant's languages anyway).
func (h *Handler) request(w http.ResponseWriter, r *http.Request) {
	t := h.readableTenant(r.PostForm.Get("tenant"))
	v, ok := h.newView(w, r, t, r.PostForm.Get("locale"))
	if !ok {
		return
	}
	tenantID := v.RequestTenant
	email := strings.TrimSpace(r.PostForm.Get("email"))
	if email == "" || len(email) > maxEmail {
		h.invalid(w, r, tenantID, v.tag.String(), "")
		return
	}
	client, ok := h.cfg.Clients[tenantID]
	if !ok {
		h.log(r, slog.LevelError, tenantID, "error", slog.String("reason", "no app client configured for the tenant"))
		h.errorPage(w, r, t, v.tag.String(), "page.error.setup", http.StatusInternalServerError)
		return
	}
	// Cognito runs the Custom Message trigger before it answers for a real
	// user only, so the answer's timing told whether an account exists:
	// every answer now takes the same time, the call's result aside.
	defer waitUntil(r.Context(), time.Now().Add(h.cfg.RequestDuration))
	ctx, cancel := context.WithTimeout(r.Context(), min(callTimeout, h.cfg.RequestDuration))
	defer cancel()
	_, err := h.cfg.Cognito.ForgotPassword(ctx, &cip.ForgotPasswordInput{
		ClientId: &client.ClientID, Username: &email, SecretHash: client.secretHash(email),
		ClientMetadata: map[string]string{"locale": v.tag.String()},
	})
	switch kind := classify(err); {
	case err == nil:
		h.log(r, slog.LevelInfo, tenantID, "reset-requested")
	case kind == failOther:
		h.log(r, slog.LevelError, tenantID, "cognito-refused", slog.String("code", errorCode(err)))
	default:
		h.log(r, slog.LevelInfo, tenantID, "cognito-refused", slog.String("code", errorCode(err)))
	}
	v.Heading = v.T("page.sent.heading")
	h.show(w, v, "sent", http.StatusOK)
}

// waitUntil sleeps until t, or until the visitor leaves.
func waitUntil(ctx context.Context, t time.Time) {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}
