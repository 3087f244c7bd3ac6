package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	chrome "github.com/cogmail/cogmail/lambda/dev/browser"
	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// journey is what infra/local/browser-reset.js reports.
type journey struct {
	OK     bool           `json:"ok"`
	Error  string         `json:"error"`
	Last   map[string]any `json:"last"` // the page after the last submit, for failures
	Href   string         `json:"href"`
	States struct {
		Form     struct{ Lang, Dir string } `json:"form"`
		Mismatch struct{ Alert string }     `json:"mismatch"`
		Success  struct{ Status string }    `json:"success"`
		Invalid  struct{ Heading string }   `json:"invalid"`
	} `json:"states"`
}

// journeyRun is how long browser-reset.js takes at most on an idle machine
// (6–11 s were measured at load average 12 on 2 cores).
const journeyRun = 15 * time.Second

// TestE2EBrowser is the journey in a real browser: Playwright drives
// Debian's Chromium from the email as delivered to a changed password, left
// to right and right to left. Screenshots go to the test's artifact folder
// (go test -artifacts -outputdir DIR keeps them).
func TestE2EBrowser(t *testing.T) {
	s := stack(t)
	chromium, err := chrome.Find()
	if err != nil {
		t.Skip(err.Error())
	}
	root, err := rie.ModuleRoot()
	require.NoError(t, err)

	for _, tc := range []struct {
		email, locale, lang, dir string
	}{
		{"yuki@example.com", "en", "en", "ltr"},
		{"layla@example.com", "ar", "ar", "rtl"},
		// Acme's links carry their parameters in the fragment: the page's
		// hashed inline script posts them.
		{"jonas@example.com", "de", "de", "ltr"},
	} {
		t.Run("case="+tc.lang, func(t *testing.T) {
			user, ok := s.User(tc.email)
			require.True(t, ok)
			msg := forgot(t, s, s.Clients.Public, user.Email, tc.locale)
			out := t.ArtifactDir()
			emailFile := filepath.Join(out, "email.html")
			require.NoError(t, os.WriteFile(emailFile, []byte(msg.EmailMessage), 0o644))

			password := "Browser-Journey-" + tc.lang + "-3!"
			job, err := json.Marshal(map[string]any{
				"chromium": chromium, "emailFile": fileURL(out, "email.html"), "out": out, "password": password,
				"timeout": patience.For(browserStep).Milliseconds(),
			})
			require.NoError(t, err)
			raw := runNode(t, root, "browser-reset.js", job, patience.For(journeyRun))
			var j journey
			require.NoError(t, json.Unmarshal(raw, &j), "%s", raw)
			require.True(t, j.OK, "%s\nlast page: %v", j.Error, j.Last)

			assert.Equal(t, firstLink(t, msg.EmailMessage), j.Href, "the browser follows the signed button")
			assert.Equal(t, tc.lang, j.States.Form.Lang)
			assert.Equal(t, tc.dir, j.States.Form.Dir)
			assert.NotEmpty(t, j.States.Mismatch.Alert, "mismatching passwords are said so")
			assert.NotEmpty(t, j.States.Success.Status)
			assert.Equal(t, invalidHeading(t, s, tc.email, tc.lang), j.States.Invalid.Heading,
				"a tampered link shows the invalid-link page, not an error page")
			for _, name := range []string{"email", "form", "mismatch", "success", "invalid"} {
				info, err := os.Stat(filepath.Join(out, name+".png"))
				require.NoError(t, err, name)
				assert.Greater(t, info.Size(), int64(2000), name)
			}

			require.NoError(t, signIn(t, s, s.Clients.Public, user.Email, password), "then signs in")
			user.Password = password
			setPassword(s, user)
		})
	}
}

// invalidHeading is the invalid-link page's heading for the user's tenant in
// lang, from the catalogs the page reads.
func invalidHeading(t *testing.T, s *localstack.Stack, email, lang string) string {
	t.Helper()
	user, ok := s.User(email)
	require.True(t, ok)
	r, err := render.New(templates.FS)
	require.NoError(t, err)
	tn, err := tenant.NewStore(os.DirFS(s.Overlay), templates.FS).Get(user.Tenant)
	require.NoError(t, err)
	texts, err := r.Texts(tn, language.MustParse(lang))
	require.NoError(t, err)
	return texts.T("page.invalid.heading")
}
