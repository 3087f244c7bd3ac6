package page

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// maxEmail bounds the address typed into the local sign-in form.
const maxEmail = 256

// SignInPath is the local sign-in page (Config.LocalSignIn): the local
// stack's tenants have it as their signInUrl, with ?tenant=<id>.
const SignInPath = "/signin"

// signInForm shows the local sign-in form in the brand and language the
// query names (unverified: they only choose words and the app client).
func (h *Handler) signInForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v, ok := h.newView(w, r, h.readableTenant(q.Get("tenant")), q.Get("locale"))
	if !ok {
		return
	}
	h.showSignIn(w, r, v, "", http.StatusOK)
}

// signIn checks the password with USER_PASSWORD_AUTH and says who signed
// in. The tokens are dropped: this page only proves the password works.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	v, ok := h.newView(w, r, h.readableTenant(r.PostForm.Get("tenant")), r.PostForm.Get("locale"))
	if !ok {
		return
	}
	tenantID := v.RequestTenant
	v.Email = strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	if v.Email == "" || len(v.Email) > maxEmail || password == "" || len(password) > 256 {
		h.showSignIn(w, r, v, "page.signin.failed", http.StatusBadRequest)
		return
	}
	client, ok := h.cfg.Clients[tenantID]
	if !ok {
		h.log(r, slog.LevelError, tenantID, "error", slog.String("reason", "no app client configured for the tenant"))
		h.errorPage(w, r, h.readableTenant(tenantID), v.tag.String(), "page.error.setup", http.StatusInternalServerError)
		return
	}
	params := map[string]string{"USERNAME": v.Email, "PASSWORD": password}
	if hash := client.secretHash(v.Email); hash != nil {
		params["SECRET_HASH"] = *hash
	}
	budget, done := budgetContext(r.Context())
	defer done()
	ctx, cancel := context.WithTimeout(budget, callTimeout)
	defer cancel()
	out, err := h.cfg.Cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &client.ClientID, AuthParameters: params,
	})
	switch kind := classify(err); {
	case err == nil && out.AuthenticationResult != nil:
		h.log(r, slog.LevelInfo, tenantID, "signed-in")
		v.Heading, v.Body = v.T("page.signin.done", "user", v.Email), v.T("page.signin.local")
		h.show(w, v, "success", http.StatusOK)
	case err == nil, errorCode(err) == "UserNotConfirmedException":
		// A challenge (an invitation not yet activated) or a sign-up not
		// yet confirmed: the emails' links are the way on.
		h.log(r, slog.LevelInfo, tenantID, "sign-in-pending", slog.String("code", errorCode(err)))
		h.showSignIn(w, r, v, "page.signin.pending", http.StatusBadRequest)
	case kind == failDenied, kind == failPassword: // cognito-local: InvalidPassword for a wrong one
		h.log(r, slog.LevelInfo, tenantID, "cognito-refused", slog.String("code", errorCode(err)))
		h.showSignIn(w, r, v, "page.signin.failed", http.StatusBadRequest)
	case kind == failLimit:
		h.log(r, slog.LevelInfo, tenantID, "cognito-refused", slog.String("code", errorCode(err)))
		h.showSignIn(w, r, v, "page.error.limit", http.StatusTooManyRequests)
	default:
		h.log(r, slog.LevelError, tenantID, "cognito-refused", slog.String("code", errorCode(err)))
		h.errorPage(w, r, h.readableTenant(tenantID), v.tag.String(), "page.error.body", http.StatusBadGateway)
	}
}

func (h *Handler) showSignIn(w http.ResponseWriter, r *http.Request, v *view, errKey string, status int) {
	v.Heading = v.T("page.signin.heading", "product", v.Brand.ProductName)
	v.Body, v.Action = v.T("page.signin.local"), SignInPath
	v.CSRF = h.csrfFor(w, r, SignInPath)
	if errKey != "" {
		v.Error = v.T(errKey)
	}
	h.show(w, v, "signin", status)
}
