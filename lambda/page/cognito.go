package page

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Cognito's calls are bounded so that the page always answers itself, with
// its own error page and headers: inside Lambda the function's timeout
// (template.yaml: 10 s) would otherwise end a slow call's invocation first,
// and the visitor would get a bare 502.
const (
	// callTimeout bounds one call.
	callTimeout = 4 * time.Second
	// callsBudget bounds a request's calls together (an activation makes
	// two), however long the request may take.
	callsBudget = 7 * time.Second
	// answerMargin is kept before the request's own deadline (inside
	// Lambda, the invocation's) to write the answer after the calls.
	answerMargin = 1500 * time.Millisecond
)

// callBudget is how long a request's Cognito calls may take in all:
// callsBudget, ending answerMargin before the request's deadline if it has
// one. It may be zero or less: then the calls fail at once, and the page
// answers in time.
func callBudget(ctx context.Context) time.Duration {
	budget := callsBudget
	if deadline, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(deadline)-answerMargin)
	}
	return budget
}

// budgetContext is the context of a request's Cognito calls: each call
// takes its own context.WithTimeout(budget, callTimeout) from it.
func budgetContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, callBudget(ctx))
}

// SecretHash is what Cognito asks of clients that have a secret:
// base64(HMAC-SHA256(secret, username + clientID)).
func SecretHash(username, clientID, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// secretHash returns nil for clients without a secret.
func (c Client) secretHash(username string) *string {
	if c.ClientSecret == "" {
		return nil
	}
	s := SecretHash(username, c.ClientID, c.ClientSecret)
	return &s
}

// failure is what a Cognito error means to the visitor.
type failure int

const (
	failOther    failure = iota
	failCode             // CodeMismatchException
	failExpired          // ExpiredCodeException
	failPassword         // the new password breaks the policy
	failLimit            // too many attempts
	failDenied           // no such user, or not allowed: never told apart
)

// classify reads the error's code rather than its Go type: the SDK turns
// only an operation's modelled errors into types, and Cognito, like
// cognito-local (InvalidPasswordException from InitiateAuth), answers others.
func classify(err error) failure {
	switch errorCode(err) {
	case "CodeMismatchException":
		return failCode
	case "ExpiredCodeException":
		return failExpired
	case "InvalidPasswordException", "PasswordHistoryPolicyViolationException":
		return failPassword
	case "LimitExceededException", "TooManyRequestsException", "TooManyFailedAttemptsException":
		return failLimit
	case "UserNotFoundException", "NotAuthorizedException":
		return failDenied
	}
	return failOther
}

// deploymentRefused reports a NotAuthorizedException from a call where no
// user earns one (ForgotPassword, ResendConfirmationCode,
// ConfirmForgotPassword): most likely a wrong client secret (SecretHash) or
// a client not allowed the call, which fails every reset alike. It is
// logged at WARN, not among the INFO of visitors' mistakes. (ConfirmSignUp
// and InitiateAuth answer it to users: already confirmed, wrong password.)
func deploymentRefused(err error) bool {
	return errorCode(err) == "NotAuthorizedException"
}

// errorCode names a Cognito error for the log. Only the code: messages may
// one day quote what the caller sent.
func errorCode(err error) string {
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) {
		return coded.ErrorCode()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "unknown"
}

// reset sets the new password with the link's code.
func (h *Handler) reset(w http.ResponseWriter, r *http.Request, f flow, t target, password string) {
	budget, done := budgetContext(r.Context())
	defer done()
	ctx, cancel := context.WithTimeout(budget, callTimeout)
	defer cancel()
	c := t.client
	_, err := h.cfg.Cognito.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId: &c.ClientID, Username: &t.claims.Username, ConfirmationCode: &t.claims.Code,
		Password: &password, SecretHash: c.secretHash(t.claims.Username),
	})
	if err == nil {
		h.log(r, slog.LevelInfo, t.claims.Tenant, "password-reset")
		h.success(w, r, f, t)
		return
	}
	h.cognitoFailed(w, r, f, t, err)
}

// activate signs in with the temporary password and answers the
// NEW_PASSWORD_REQUIRED challenge; the tokens are dropped.
//
// Every refusal reads the same (refused): a wrong temporary password, an
// unknown user, and an account already active, whose InitiateAuth succeeds
// only when the "temporary" password is the user's own. Told apart, an old
// invitation link would test guesses at that password for the link's whole
// life. Cognito's lockout and throttling of InitiateAuth bound the guessing.
func (h *Handler) activate(w http.ResponseWriter, r *http.Request, f flow, t target, temporary, password string) {
	if temporary == "" || len(temporary) > 256 {
		h.refused(w, r, f, t, "no-temporary-password", "")
		return
	}
	// The two calls share one budget: both must leave time for the answer.
	budget, done := budgetContext(r.Context())
	defer done()
	c, username := t.client, t.claims.Username
	params := map[string]string{"USERNAME": username, "PASSWORD": temporary}
	if hash := c.secretHash(username); hash != nil {
		params["SECRET_HASH"] = *hash
	}
	ctx, cancel := context.WithTimeout(budget, callTimeout)
	defer cancel()
	auth, err := h.cfg.Cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &c.ClientID, AuthParameters: params,
	})
	if err != nil {
		h.activationFailed(w, r, f, t, err)
		return
	}
	if auth.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		// Tokens, or another challenge (MFA): the password was right and
		// the account already active.
		h.refused(w, r, f, t, "already-active", string(auth.ChallengeName))
		return
	}
	// Attributes the pool requires and the invitation did not set: the
	// form asks for them, and only they are passed on (never whatever else
	// a form might post, custom:tenant_id say).
	required, err := requiredAttributes(auth.ChallengeParameters)
	if err != nil {
		h.log(r, slog.LevelError, t.claims.Tenant, "error", slog.String("reason", "unreadable requiredAttributes"))
		h.errorPage(w, r, t.tenant, t.claims.Locale, "page.error.body", http.StatusBadGateway)
		return
	}
	var missing bool
	if t.attrs, missing = fillAttributes(required, t.attrs); missing {
		h.log(r, slog.LevelInfo, t.claims.Tenant, "attributes-required", slog.Int("attributes", len(required)))
		h.form(w, r, f, t, "page.activate.attributes", http.StatusBadRequest)
		return
	}
	// Cognito names the user to answer for when it differs from what was sent.
	if id := auth.ChallengeParameters["USER_ID_FOR_SRP"]; id != "" {
		username = id
	}
	responses := map[string]string{"USERNAME": username, "NEW_PASSWORD": password}
	if hash := c.secretHash(username); hash != nil {
		responses["SECRET_HASH"] = *hash
	}
	for _, a := range t.attrs {
		responses[attributePrefix+a.Name] = a.Value
	}
	ctx, cancel = context.WithTimeout(budget, callTimeout)
	defer cancel()
	_, err = h.cfg.Cognito.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: &c.ClientID,
		Session: auth.Session, ChallengeResponses: responses,
	})
	switch {
	case err == nil:
		h.log(r, slog.LevelInfo, t.claims.Tenant, "account-activated")
		h.success(w, r, f, t)
	case len(t.attrs) > 0 && errorCode(err) == "InvalidParameterException":
		// A value Cognito will not take (a phone number without its +).
		h.log(r, slog.LevelInfo, t.claims.Tenant, "cognito-refused", slog.String("code", errorCode(err)))
		h.form(w, r, f, t, "page.error.attributes", http.StatusBadRequest)
	case classify(err) == failPassword:
		// The new password: said only once the temporary one was right.
		h.log(r, slog.LevelInfo, t.claims.Tenant, "cognito-refused", slog.String("code", errorCode(err)))
		h.form(w, r, f, t, "page.error.password", http.StatusBadRequest)
	default:
		h.activationFailed(w, r, f, t, err)
	}
}

// activationFailed answers a Cognito error during activation: throttling
// and Cognito's own failures as such (they say nothing about the
// password), every other refusal as refused does.
func (h *Handler) activationFailed(w http.ResponseWriter, r *http.Request, f flow, t target, err error) {
	switch classify(err) {
	case failLimit:
		h.log(r, slog.LevelInfo, t.claims.Tenant, "cognito-refused", slog.String("code", errorCode(err)))
		h.form(w, r, f, t, "page.error.limit", http.StatusTooManyRequests)
	case failOther:
		h.log(r, slog.LevelError, t.claims.Tenant, "cognito-refused", slog.String("code", errorCode(err)))
		h.errorPage(w, r, t.tenant, t.claims.Locale, "page.error.body", http.StatusBadGateway)
	default:
		h.refused(w, r, f, t, "cognito-refused", errorCode(err))
	}
}

// refused is the one answer to an activation that did not work: the form
// again, "the temporary password is wrong or has expired", 400.
func (h *Handler) refused(w http.ResponseWriter, r *http.Request, f flow, t target, reason, code string) {
	h.log(r, slog.LevelInfo, t.claims.Tenant, "activation-refused", slog.String("reason", reason), slog.String("code", code))
	h.form(w, r, f, t, "page.error.temporary", http.StatusBadRequest)
}

// cognitoFailed answers a Cognito error on a reset or a confirmation in
// plain words. A wrong or used code and an unknown user all lead to the
// invalid-link page, which offers a new email to the link's own user: a
// reset or a confirmation never says whether the account exists, nor
// whether it is already confirmed. A code cogmail signed (version 3) that
// Cognito refuses was not mistyped: it was used, or a newer email sent
// since, and every answer that reads as a wrong code says so instead.
func (h *Handler) cognitoFailed(w http.ResponseWriter, r *http.Request, f flow, t target, err error) {
	kind := classify(err)
	level := slog.LevelInfo
	switch {
	case kind == failOther:
		level = slog.LevelError
	case !f.confirm && deploymentRefused(err):
		level = slog.LevelWarn
	}
	h.log(r, level, t.claims.Tenant, "cognito-refused", slog.String("code", errorCode(err)))
	var offer []field // a version-1 link gets none: see resendable
	if h.resendable(t.claims, nil) {
		offer = resendFields(linkValues(t.hidden))
	}
	codeKey, expiredKey := "page.error.code", "page.error.expired"
	if t.claims.CodeSigned {
		codeKey, expiredKey = "page.error.superseded", "page.error.superseded"
	}
	switch kind {
	case failCode:
		h.unusable(w, r, f, offer, t.claims.Tenant, t.claims.Locale, codeKey)
	case failExpired:
		h.unusable(w, r, f, offer, t.claims.Tenant, t.claims.Locale, expiredKey)
	case failPassword:
		h.form(w, r, f, t, "page.error.password", http.StatusBadRequest)
	case failLimit:
		h.form(w, r, f, t, "page.error.limit", http.StatusTooManyRequests)
	case failDenied:
		// A reset for an unknown user reads as a wrong code, which is what
		// Cognito itself answers with PreventUserExistenceErrors. For a
		// confirmation it mostly means "already confirmed" (NotAuthorized),
		// which reads like an unknown user: the page offers sign-in.
		key := codeKey
		if f.confirm {
			key = ""
		}
		h.unusable(w, r, f, offer, t.claims.Tenant, t.claims.Locale, key)
	default:
		h.errorPage(w, r, t.tenant, t.claims.Locale, "page.error.body", http.StatusBadGateway)
	}
}
