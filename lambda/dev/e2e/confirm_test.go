package e2e

import (
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/link"
	pagepkg "github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// signUp registers as an app would and returns the confirmation email.
func signUp(t *testing.T, s *localstack.Stack, email, password, locale string) localstack.Message {
	t.Helper()
	seen := mailCount(t, s)
	_, err := cognito(s).SignUp(t.Context(), &cip.SignUpInput{
		ClientId: aws.String(s.Clients.Public.ID), Username: aws.String(email), Password: aws.String(password),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
		ClientMetadata: map[string]string{"locale": locale},
	})
	require.NoError(t, err)
	return mailAfter(t, s, seen, email)
}

// userStatus is what Cognito says of the user now.
func userStatus(t *testing.T, s *localstack.Stack, username string) types.UserStatusType {
	t.Helper()
	out, err := cognito(s).AdminGetUser(t.Context(), &cip.AdminGetUserInput{
		UserPoolId: aws.String(s.UserPoolID), Username: aws.String(username)})
	require.NoError(t, err)
	return out.UserStatus
}

// pageOptions describe a page served in this process against the stack's
// cognito-local: for a moved clock, a pool setting, or a Cognito that says
// what cognito-local cannot.
type pageOptions struct {
	cognito  pagepkg.Cognito // nil: cognito-local itself
	now      func() time.Time
	validity int // the pool's temporary password validity in days; 0: 7
}

// servePage is pageAt with pageOptions.
func servePage(t *testing.T, s *localstack.Stack, o pageOptions) string {
	t.Helper()
	if o.cognito == nil {
		o.cognito = cognito(s)
	}
	r, err := render.New(templates.FS)
	require.NoError(t, err)
	client := pagepkg.Client{UserPoolID: s.UserPoolID, ClientID: s.Clients.Public.ID, SignInURL: s.Links.SignIn,
		Policy: pagepkg.DefaultPolicy, TemporaryPasswordValidityDays: o.validity}
	h, err := pagepkg.New(pagepkg.Config{
		Keyring: s.Ring, Renderer: r, Cognito: o.cognito, Now: o.now,
		Tenants: tenant.NewStore(os.DirFS(s.Overlay), templates.FS),
		Clients: map[string]pagepkg.Client{"default": client, "acme": client},
		Logger:  slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: patience.For(time.Second)}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

var buttonPattern = regexp.MustCompile(`<a class="button" href="([^"]+)"`)

// button is the page's link styled as a button: the way to sign in.
func (p page) button(t *testing.T) string {
	t.Helper()
	m := buttonPattern.FindStringSubmatch(p.body)
	require.NotNil(t, m, "no button link on the page:\n%s", p.body)
	return html.UnescapeString(m[1])
}

// From SignUp to a signed-in user: the email's link, a page that changes
// nothing when opened, a button that confirms, and the local sign-in page.
func TestE2EConfirm(t *testing.T) {
	s := stack(t)
	email, password := "mia.signup@example.com", "Mia-Signup-Pass1!"
	msg := signUp(t, s, email, password, "fr")

	raw := firstLink(t, msg.EmailMessage)
	require.True(t, strings.HasPrefix(raw, s.Links.Confirm+"?"), raw)
	claims, err := link.Verify(raw, s.Ring, timeNow())
	require.NoError(t, err)
	assert.Equal(t, link.PurposeVerify, claims.Purpose)
	assert.Equal(t, "fr", claims.Locale)
	assert.Equal(t, msg.Code, claims.Code, "cognito-local fills in the first {####}: the button's")

	// Opening the link, as a mail scanner would, confirms no one.
	b := newBrowser(t)
	opened := b.get(raw)
	require.Equal(t, http.StatusOK, opened.status, opened.body)
	assert.Contains(t, opened.body, `<html lang="fr"`)
	assert.Contains(t, opened.body, "Confirmer l&#39;adresse e-mail</button>")
	assert.Equal(t, types.UserStatusTypeUnconfirmed, userStatus(t, s, claims.Username), "GET changed nothing")
	assert.Error(t, signIn(t, s, s.Clients.Public, email, password), "not confirmed yet")

	action, form := opened.form(t, raw)
	done := b.post(action, form)
	require.Equal(t, http.StatusOK, done.status, done.body)
	assert.Contains(t, done.body, "Votre adresse e-mail est confirmée")
	assert.Equal(t, types.UserStatusTypeConfirmed, userStatus(t, s, claims.Username))
	require.NoError(t, signIn(t, s, s.Clients.Public, email, password))

	t.Run("case=the same link again is used up", func(t *testing.T) {
		// cognito-local answers ExpiredCodeException, Cognito
		// NotAuthorizedException ("Current status is CONFIRMED"): both
		// lead to the page that offers sign-in.
		again := b.post(action, form)
		assert.Equal(t, http.StatusBadRequest, again.status)
		assert.Contains(t, again.body, "Les liens de confirmation ne fonctionnent que pendant une durée limitée, et une seule fois.")
		assert.NotContains(t, again.body, `action="/request"`, "a reset email would confirm nothing")
		assert.Equal(t, s.Links.SignIn+"?tenant=default", again.button(t))
		assert.Equal(t, types.UserStatusTypeConfirmed, userStatus(t, s, claims.Username))
	})
	t.Run("case=the success page's sign-in button signs in", func(t *testing.T) {
		target := done.button(t)
		require.Equal(t, s.Links.SignIn+"?tenant=default", target)
		p := b.get(target)
		require.Equal(t, http.StatusOK, p.status, p.body)
		action, form := p.form(t, target)
		form.Set("email", email)
		form.Set("password", "Wrong-Pass-1!")
		refused := b.post(action, form)
		assert.Equal(t, http.StatusBadRequest, refused.status)
		assert.Contains(t, refused.body, "Wrong email address or password.")
		assert.Contains(t, refused.body, `value="`+email+`"`, "the address is kept")

		action, form = refused.form(t, target)
		form.Set("email", email)
		form.Set("password", password)
		in := b.post(action, form)
		require.Equal(t, http.StatusOK, in.status, in.body)
		assert.Contains(t, in.body, "Signed in as "+email)
		assert.NotContains(t, in.body, "eyJ", "no token (JWTs start eyJ) on the page")
	})
}

// An expired confirmation link is refused before Cognito is asked.
func TestE2EConfirmExpiredLink(t *testing.T) {
	s := stack(t)
	email := "leo.late@example.com"
	msg := signUp(t, s, email, "Leo-Late-Pass1!", "de")
	raw := firstLink(t, msg.EmailMessage)
	claims, err := link.Verify(raw, s.Ring, timeNow())
	require.NoError(t, err)

	later := servePage(t, s, pageOptions{now: func() time.Time { return claims.Expires.Add(time.Minute) }})
	b := newBrowser(t)
	p := b.get(onHost(t, raw, later))
	assert.Equal(t, http.StatusBadRequest, p.status)
	assert.Contains(t, p.body, `<html lang="de"`, "the link's language, even when expired")
	assert.Contains(t, p.body, "Bestätigungslinks sind nur begrenzte Zeit gültig")
	assert.NotContains(t, p.body, "E-Mail-Adresse bestätigen</button>")
	assert.Equal(t, types.UserStatusTypeUnconfirmed, userStatus(t, s, claims.Username))

	// The same link, a minute before it expires, still confirms.
	sooner := servePage(t, s, pageOptions{now: func() time.Time { return claims.Expires.Add(-time.Minute) }})
	opened := b.get(onHost(t, raw, sooner))
	require.Equal(t, http.StatusOK, opened.status, opened.body)
	action, form := opened.form(t, onHost(t, raw, sooner))
	require.Equal(t, http.StatusOK, b.post(action, form).status)
	assert.Equal(t, types.UserStatusTypeConfirmed, userStatus(t, s, claims.Username))
}
