package page

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cogmail/cogmail/lambda/link"
)

// "Send me a new email" exists only on the page of an authentic link, for
// that link's own user: no visitor can make the page email an address they
// typed. The answer is written at once and the same for every account;
// Cognito is asked after it (Config.After), since for a real user it runs
// the Custom Message trigger before it answers, and waiting for it would
// tell whether the account exists.

const resendPath = "/resend"

// ResendGrace is how long after its expiry a link can still ask for a new
// email: last week's email still helps its reader, a link found months
// later does not.
const ResendGrace = 7 * 24 * time.Hour

// resendTimeout bounds the call made after the answer; inside Lambda it
// also ends answerMargin before the invocation's deadline (template.yaml:
// 10 s), so that the invocation ends of itself (see lambda/cmd/pagefn).
const resendTimeout = 8 * time.Second

// resendParams are the link's parameters the resend form carries: the
// signed ones (the code is not needed: Cognito makes a new one).
var resendParams = []string{
	link.ParamUsername, link.ParamTenant, link.ParamUserPool, link.ParamLocale, link.ParamExpires, link.ParamKeyID, link.ParamSignature,
}

// resendable reports whether a link whose signature holds (err nil or
// link.ErrExpired, from checkLink) can ask for a new email: a version-2 or
// -3 link, whose signed pool checkLink found to be its tenant's, expired
// less than ResendGrace ago, of a purpose whose flow the page can restart
// itself (an invitation needs an administrator), for a tenant with a client.
// A version-3 link whose code is missing or changed (link.ErrCodeTampered)
// can too: every other field holds, and a new email needs no code (the
// resend form never carries it). A version-1 link names no pool: it is
// taken until it expires, never beyond, so that it cannot make the page
// email a user of another pool (README: Signed links).
func (h *Handler) resendable(claims link.Claims, err error) bool {
	switch {
	case claims.Version != 2 && claims.Version != 3:
		return false
	case err == nil:
	case (errors.Is(err, link.ErrExpired) || errors.Is(err, link.ErrCodeTampered)) &&
		h.cfg.Now().Sub(claims.Expires) <= ResendGrace:
	default:
		return false
	}
	_, ok := h.cfg.Clients[claims.Tenant]
	return ok && (claims.Purpose == link.PurposeReset || claims.Purpose == link.PurposeVerify)
}

// resendFields are the resend form's hidden fields, taken from a link's values.
func resendFields(values url.Values) []field {
	fields := make([]field, 0, len(resendParams))
	for _, name := range resendParams {
		if v := values.Get(name); v != "" || name == link.ParamLocale {
			fields = append(fields, field{name, v})
		}
	}
	return fields
}

// linkValues turns hidden fields back into values.
func linkValues(fields []field) url.Values {
	values := url.Values{}
	for _, f := range fields {
		values.Set(f.Name, f.Value)
	}
	return values
}

// resend verifies the posted link again and, when it may ask for a new
// email, answers "check your email" at once and asks Cognito after.
func (h *Handler) resend(w http.ResponseWriter, r *http.Request) {
	values := url.Values{}
	for _, name := range resendParams {
		if v, ok := r.PostForm[name]; ok {
			values[name] = v
		}
	}
	claims, err := h.checkLink(r.Context(), "?"+values.Encode())
	if !h.resendable(claims, err) {
		reason := linkFailure(err)
		// The form never carries the code: a version-3 link's is missing
		// here by design (link.ErrCodeTampered), not changed.
		if reason == "" || reason == "expired" || reason == "tampered-code" {
			reason = "not-resendable"
		}
		h.log(r, slog.LevelInfo, "", "invalid-link", slog.String("reason", reason))
		f := flowReset
		if err == nil || errors.Is(err, link.ErrExpired) || errors.Is(err, link.ErrCodeTampered) {
			f = flowFor(claims.Purpose)
		}
		h.unusable(w, r, f, nil, values.Get(link.ParamTenant), values.Get(link.ParamLocale), "")
		return
	}
	t, err := h.cfg.Tenants.Get(claims.Tenant)
	if err != nil {
		h.log(r, slog.LevelError, claims.Tenant, "error", slog.String("reason", "tenant does not load"), slog.String("error", err.Error()))
		h.errorPage(w, r, nil, "", "page.error.body", http.StatusInternalServerError)
		return
	}
	client := h.cfg.Clients[claims.Tenant] // resendable checked it is there
	v, ok := h.newView(w, r, t, claims.Locale)
	if !ok {
		return
	}
	h.log(r, slog.LevelInfo, claims.Tenant, "resend-requested", slog.String("purpose", string(claims.Purpose)))
	v.Heading = v.T("page.sent.heading")
	h.show(w, v, "sent", http.StatusOK)
	h.cfg.After(r.Context(), func() { h.send(r, claims, client) })
}

// afterContext is the context of the calls made after the answer: the
// answer is out, so the request's cancellation no longer counts, its
// deadline (the invocation's) does, less answerMargin.
func afterContext(r *http.Request) (context.Context, context.CancelFunc) {
	timeout := resendTimeout
	if deadline, ok := r.Context().Deadline(); ok {
		timeout = min(timeout, time.Until(deadline)-answerMargin)
	}
	return context.WithTimeout(context.WithoutCancel(r.Context()), timeout)
}

// emailMetadata is the ClientMetadata of a call that makes Cognito send an
// email: the trigger picks the email's language from it, among the
// tenant's.
func emailMetadata(claims link.Claims) map[string]string {
	if claims.Locale == "" {
		return nil
	}
	return map[string]string{"locale": claims.Locale}
}

// send asks Cognito for the new email. It runs after the answer, so its
// outcome goes to the log only (codes, never who).
func (h *Handler) send(r *http.Request, claims link.Claims, c Client) {
	ctx, cancel := afterContext(r)
	defer cancel()
	meta := emailMetadata(claims)
	username := claims.Username
	var err error
	switch claims.Purpose {
	case link.PurposeReset:
		_, err = h.cfg.Cognito.ForgotPassword(ctx, &cip.ForgotPasswordInput{
			ClientId: &c.ClientID, Username: &username, SecretHash: c.secretHash(username), ClientMetadata: meta,
		})
	case link.PurposeVerify:
		_, err = h.cfg.Cognito.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{
			ClientId: &c.ClientID, Username: &username, SecretHash: c.secretHash(username), ClientMetadata: meta,
		})
	}
	h.logEmailCall(r, claims.Tenant, "resent", "resend-failed", err)
}

// logEmailCall logs the outcome of a call that asks Cognito for an email,
// made after the answer: its code, never who. An unknown user, throttling
// and an address that cannot get mail (InvalidParameterException: not
// verified, or a sign-up already confirmed) are the visitors' lot, at
// INFO; a refused deployment at WARN; Cognito failing at ERROR.
func (h *Handler) logEmailCall(r *http.Request, tenantID, done, failed string, err error) {
	switch kind := classify(err); {
	case err == nil:
		h.log(r, slog.LevelInfo, tenantID, done)
	case kind == failOther && errorCode(err) != "InvalidParameterException":
		h.log(r, slog.LevelError, tenantID, failed, slog.String("code", errorCode(err)))
	case deploymentRefused(err):
		h.log(r, slog.LevelWarn, tenantID, failed, slog.String("code", errorCode(err)))
	default:
		h.log(r, slog.LevelInfo, tenantID, failed, slog.String("code", errorCode(err)))
	}
}

// flowFor is the flow of a link's purpose.
func flowFor(p link.Purpose) flow {
	switch p {
	case link.PurposeInvite:
		return flowActivate
	case link.PurposeVerify:
		return flowConfirm
	case link.PurposeReport:
		return flowReport
	}
	return flowReset
}
