package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chrome "github.com/cogmail/cogmail/lambda/dev/browser"
	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/rie"
)

// reportJourney is what infra/local/browser-report.js reports.
type reportJourney struct {
	OK     bool   `json:"ok"`
	Error  string `json:"error"`
	Href   string `json:"href"`
	States struct {
		Report struct{ Lang, Heading, Button string } `json:"report"`
		Done   struct{ Heading, Status string }       `json:"done"`
	} `json:"states"`
}

// reportRun is how long browser-report.js takes at most on an idle
// machine: a launch and three pages, as browser-reset.js.
const reportRun = 15 * time.Second

// TestE2ENotifyReport follows a notice's "This wasn't me" button in
// Chromium: the page shows its button, a click answers "check your email",
// and cognito-local delivers a reset email to that same user. A scanner's
// plain GET of the link before changes nothing: no email, the user as it
// was.
func TestE2ENotifyReport(t *testing.T) {
	s := notifying(t)
	chromium, err := chrome.Find()
	if err != nil {
		t.Skip(err.Error())
	}
	root, err := rie.ModuleRoot()
	require.NoError(t, err)
	user, ok := s.User("ana@example.com")
	require.True(t, ok)
	tn := overlayTenant(t, s, user.Tenant)
	texts := catalog(t, tn, user.Locale)
	product := tn.Brand.ProductName

	seen := mailCount(t, s)
	notifyAsync(t, s, cloudTrail(t, s, "admin-set-user-password", user))
	notice := sesAfter(t, s, seen, user.Email)
	raw := reportLink(t, s, notice)

	t.Run("case=a scanner's GET changes nothing", func(t *testing.T) {
		before := userState(t, s, user)
		p := newBrowser(t).get(raw)
		require.Equal(t, http.StatusOK, p.status, p.body)
		assert.Contains(t, p.body, texts.T("page.report.submit", "product", product), "the page shows the button")
		assert.Equal(t, before, userState(t, s, user), "no reset was started")
	})

	out := t.ArtifactDir()
	require.NoError(t, os.WriteFile(filepath.Join(out, "notice.html"), []byte(notice.HTML), 0o644))
	job, err := json.Marshal(map[string]any{
		"chromium": chromium, "emailFile": fileURL(out, "notice.html"), "out": out, "reportUrl": s.Links.Report,
		"timeout": patience.For(browserStep).Milliseconds(),
	})
	require.NoError(t, err)
	var j reportJourney
	got := runNode(t, root, "browser-report.js", job, patience.For(reportRun))
	require.NoError(t, json.Unmarshal(got, &j), "%s", got)
	require.True(t, j.OK, j.Error)

	assert.Equal(t, raw, j.Href, "the browser follows the signed button")
	assert.Equal(t, user.Locale, j.States.Report.Lang)
	assert.Equal(t, texts.T("page.report.heading", "product", product), j.States.Report.Heading)
	assert.Equal(t, texts.T("page.report.submit", "product", product), j.States.Report.Button)
	assert.Equal(t, texts.T("page.report.done", "product", product), j.States.Done.Heading)
	assert.Equal(t, texts.T("page.report.done.body", "product", product), j.States.Done.Status)
	for _, name := range []string{"notice", "report", "done"} {
		assertPNG(t, filepath.Join(out, name+".png"))
	}

	// The page asks Cognito after its answer: the reset email follows.
	reset := mailAfter(t, s, seen, user.Email)
	assert.Equal(t, user.Username, reset.Username, "the link's own user")
	assert.True(t, strings.HasPrefix(firstLink(t, reset.EmailMessage), s.Links.Reset+"?"), "a reset email")
	assert.Equal(t, 1, cognitoCount(t, s, seen, user.Email), "one reset email: the click's, none from the GET")
}

// userState is what a started reset would change of u in cognito-local.
func userState(t *testing.T, s *localstack.Stack, u localstack.User) string {
	t.Helper()
	out, err := cognito(s).AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(s.UserPoolID), Username: aws.String(u.Username)})
	require.NoError(t, err)
	return string(out.UserStatus) + " " + aws.ToTime(out.UserLastModifiedDate).String()
}

// cognitoCount counts cognito-local's messages to email after seen.
func cognitoCount(t *testing.T, s *localstack.Stack, seen int, email string) int {
	t.Helper()
	msgs, err := s.Mailbox.Messages()
	require.NoError(t, err)
	n := 0
	for _, m := range msgs {
		if m.Seq >= seen && !m.FromSES() && strings.EqualFold(m.Destination, email) {
			n++
		}
	}
	return n
}
