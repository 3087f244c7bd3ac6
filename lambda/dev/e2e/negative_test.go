package e2e

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

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

// pageAt serves the page in this process, on 127.0.0.1, against the stack's
// cognito-local, with the clock now: where a test must move time.
func pageAt(t *testing.T, s *localstack.Stack, now func() time.Time) string {
	t.Helper()
	r, err := render.New(templates.FS)
	require.NoError(t, err)
	client := pagepkg.Client{UserPoolID: s.UserPoolID, ClientID: s.Clients.Public.ID, Policy: pagepkg.DefaultPolicy}
	h, err := pagepkg.New(pagepkg.Config{
		Keyring: s.Ring, Renderer: r, Cognito: cognito(s), Now: now,
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

// onHost moves a link to another server, keeping its path and parameters.
func onHost(t *testing.T, raw, base string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	b, err := url.Parse(base)
	require.NoError(t, err)
	u.Scheme, u.Host = b.Scheme, b.Host
	return u.String()
}

func TestE2ENegative(t *testing.T) {
	s := stack(t)
	layla, ok := s.User("layla@example.com")
	require.True(t, ok)
	msg := forgot(t, s, s.Clients.Public, layla.Email, "ar")
	raw := firstLink(t, msg.EmailMessage)

	t.Run("case=tampered link", func(t *testing.T) {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		q := u.Query()
		q.Set("username", "someone-else")
		u.RawQuery = q.Encode()
		p := newBrowser(t).get(u.String())
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.NotContains(t, p.body, `action="/resend"`, "a link that is not authentic asks for no email")
		assert.Contains(t, p.body, `<a class="button" href="`+s.Links.SignIn, "it leads to the tenant's own page")
		assert.NotContains(t, p.body, `name="password"`)
	})
	t.Run("case=expired link, clock injected", func(t *testing.T) {
		later := pageAt(t, s, func() time.Time { return time.Now().Add(2 * time.Hour) })
		p := newBrowser(t).get(onHost(t, raw, later))
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, `action="/resend"`, "an expired authentic link offers a new email")
		assert.Contains(t, p.body, `<html lang="ar" dir="rtl">`, "the link's language, even when expired")
	})
	t.Run("case=wrong code", func(t *testing.T) {
		b := newBrowser(t)
		_, action, form := openReset(t, b, msg)
		form.Set("code", "000000")
		form.Set("password", "Kalima-Sirr-9!")
		form.Set("repeat", "Kalima-Sirr-9!")
		p := b.post(action, form)
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Error(t, signIn(t, s, s.Clients.Public, layla.Email, "Kalima-Sirr-9!"), "nothing changed")
	})
	t.Run("case=weak password", func(t *testing.T) {
		b := newBrowser(t)
		_, action, form := openReset(t, b, msg)
		form.Set("password", "abc")
		form.Set("repeat", "abc")
		p := b.post(action, form)
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, `name="password"`, "the form again, with the policy")
		assert.Error(t, signIn(t, s, s.Clients.Public, layla.Email, "abc"))
	})
	t.Run("case=a code works once", func(t *testing.T) {
		b := newBrowser(t)
		_, action, form := openReset(t, b, msg)
		form.Set("password", "Kalima-Jadida-7!")
		form.Set("repeat", "Kalima-Jadida-7!")
		first := b.post(action, form)
		require.Equal(t, http.StatusOK, first.status, first.body)
		require.NoError(t, signIn(t, s, s.Clients.Public, layla.Email, "Kalima-Jadida-7!"))

		again := newBrowser(t)
		_, action, form = openReset(t, again, msg)
		form.Set("password", "Kalima-Ukhra-8!")
		form.Set("repeat", "Kalima-Ukhra-8!")
		p := again.post(action, form)
		assert.Equal(t, http.StatusBadRequest, p.status, "the reused code is refused")
		assert.Error(t, signIn(t, s, s.Clients.Public, layla.Email, "Kalima-Ukhra-8!"))
		layla.Password = "Kalima-Jadida-7!"
		setPassword(s, layla)
	})
	t.Run("case=a POST from a visitor without the cookie", func(t *testing.T) {
		_, action, form := openReset(t, newBrowser(t), msg)
		form.Set("password", "Kalima-Sirr-9!")
		form.Set("repeat", "Kalima-Sirr-9!")
		p := newBrowser(t).post(action, form) // another visitor: no cookie
		assert.Equal(t, http.StatusForbidden, p.status)
	})
	t.Run("case=a POST with the cookie but a forged token", func(t *testing.T) {
		b := newBrowser(t)
		_, action, form := openReset(t, b, msg)
		form.Set("csrf", "forged-"+form.Get("csrf")[7:])
		form.Set("password", "Kalima-Sirr-9!")
		form.Set("repeat", "Kalima-Sirr-9!")
		assert.Equal(t, http.StatusForbidden, b.post(action, form).status)
	})
	// The page of an expired link offers a new email to the link's own
	// user; asking for one sends it, like ForgotPassword from the app.
	t.Run("case=a new email from the invalid link's page", func(t *testing.T) {
		later := onHost(t, raw, pageAt(t, s, func() time.Time { return time.Now().Add(2 * time.Hour) }))
		b := newBrowser(t)
		invalid := b.get(later)
		require.Equal(t, http.StatusBadRequest, invalid.status)
		action, form := invalid.form(t, later)
		require.True(t, strings.HasSuffix(action, "/resend"), action)
		assert.False(t, form.Has("email"), "no address to type")
		seen := mailCount(t, s)
		sent := b.post(action, form)
		assert.Equal(t, http.StatusOK, sent.status)
		fresh := mailAfter(t, s, seen, layla.Email)
		assert.Contains(t, fresh.EmailMessage, `<html lang="ar"`, "in the link's language")
		_, err := link.Verify(firstLink(t, fresh.EmailMessage), s.Ring, time.Now())
		assert.NoError(t, err)
	})
}
