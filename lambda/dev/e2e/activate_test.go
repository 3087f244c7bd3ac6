package e2e

import (
	"context"
	"html"
	"maps"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// requiringCognito is cognito-local with what it lacks: Cognito's
// NEW_PASSWORD_REQUIRED challenge names the attributes a pool requires and
// AdminCreateUser did not set, where cognito-local 5.3.0 always sends "[]"
// (and drops userAttributes.* from the answer). Every call still goes to
// cognito-local; the answers the page sends are recorded.
type requiringCognito struct {
	*cip.Client
	required string

	mu      sync.Mutex
	answers []map[string]string
}

func (c *requiringCognito) InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, opts ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	out, err := c.Client.InitiateAuth(ctx, in, opts...)
	if err == nil && out.ChallengeName == types.ChallengeNameTypeNewPasswordRequired {
		out.ChallengeParameters["requiredAttributes"] = c.required
	}
	return out, err
}

func (c *requiringCognito) RespondToAuthChallenge(ctx context.Context, in *cip.RespondToAuthChallengeInput, opts ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	c.mu.Lock()
	c.answers = append(c.answers, maps.Clone(in.ChallengeResponses))
	c.mu.Unlock()
	return c.Client.RespondToAuthChallenge(ctx, in, opts...)
}

// temporaryPassword reads the invitation's temporary password as a person would.
func temporaryPassword(t *testing.T, msg string) string {
	t.Helper()
	creds := credentialPattern.FindAllStringSubmatch(msg, -1)
	require.Len(t, creds, 2, "username and temporary password")
	return html.UnescapeString(creds[1][1])
}

// A pool that requires attributes the invitation did not set: the page asks
// for them, in the link's language, and passes them on.
func TestE2EActivateRequiredAttributes(t *testing.T) {
	s := stack(t)
	email := "ida.required@example.com"
	msg := invite(t, s, email, "de", "default")
	temporary := temporaryPassword(t, msg.EmailMessage)
	c := &requiringCognito{Client: cognito(s), required: `["userAttributes.family_name","userAttributes.birthdate"]`}
	base := servePage(t, s, pageOptions{cognito: c})
	raw := onHost(t, firstLink(t, msg.EmailMessage), base)

	b := newBrowser(t)
	opened := b.get(raw)
	require.Equal(t, http.StatusOK, opened.status, opened.body)
	action, form := opened.form(t, raw)
	form.Set("temporary", temporary)
	form.Set("password", "Ida-Eigenes-Pass1!")
	form.Set("repeat", "Ida-Eigenes-Pass1!")
	asked := b.post(action, form)
	assert.Equal(t, http.StatusBadRequest, asked.status)
	assert.Contains(t, asked.body, "Für Ihr Konto fehlen noch einige Angaben.")
	assert.Contains(t, asked.body, `<label for="userAttributes.family_name">Nachname</label>`)
	assert.Contains(t, asked.body, `<label for="userAttributes.birthdate">Geburtsdatum</label>`)
	assert.Empty(t, c.answers, "nothing answered yet")
	assert.Equal(t, types.UserStatusTypeForceChangePassword, userStatus(t, s, email))

	action, form = asked.form(t, raw)
	form.Set("temporary", temporary)
	form.Set("password", "Ida-Eigenes-Pass1!")
	form.Set("repeat", "Ida-Eigenes-Pass1!")
	form.Set("userAttributes.family_name", "Berger")
	form.Set("userAttributes.birthdate", "1991-02-03")
	done := b.post(action, form)
	require.Equal(t, http.StatusOK, done.status, done.body)
	assert.Contains(t, done.body, `role="status"`)
	require.Len(t, c.answers, 1)
	assert.Equal(t, "Berger", c.answers[0]["userAttributes.family_name"])
	assert.Equal(t, "1991-02-03", c.answers[0]["userAttributes.birthdate"])
	assert.Equal(t, types.UserStatusTypeConfirmed, userStatus(t, s, email))
	require.NoError(t, signIn(t, s, s.Clients.Public, email, "Ida-Eigenes-Pass1!"))
}

// A tenant's inviteExpiry (the default tenant's: 7 days) may outlast the
// pool's temporary passwords: with a 1-day pool, the page refuses the link
// after a day, before cognito-local is asked.
func TestE2EActivateAfterTheTemporaryPasswordExpired(t *testing.T) {
	s := stack(t)
	def, err := tenant.NewStore(os.DirFS(s.Overlay), templates.FS).Get("default")
	require.NoError(t, err)
	inviteExpiry := time.Duration(def.Links.InviteExpiry)
	if inviteExpiry <= 25*time.Hour {
		t.Skipf("the default tenant's inviteExpiry (%s) does not outlast a 1-day temporary password", inviteExpiry)
	}
	email := "ole.late@example.com"
	msg := invite(t, s, email, "en", "default")
	raw := firstLink(t, msg.EmailMessage)
	claims, err := link.Verify(raw, s.Ring, timeNow())
	require.NoError(t, err)
	sent := claims.Expires.Add(-inviteExpiry)

	for _, tc := range []struct {
		name   string
		after  time.Duration
		status int
	}{{"case=within the day", 23 * time.Hour, http.StatusOK}, {"case=after the day", 25 * time.Hour, http.StatusBadRequest}} {
		t.Run(tc.name, func(t *testing.T) {
			base := servePage(t, s, pageOptions{validity: 1, now: func() time.Time { return sent.Add(tc.after) }})
			p := newBrowser(t).get(onHost(t, raw, base))
			assert.Equal(t, tc.status, p.status)
			if tc.status != http.StatusOK {
				assert.Contains(t, p.body, "Ask the person who invited you to send a new invitation.")
				assert.NotContains(t, p.body, `name="temporary"`)
			}
		})
	}
	assert.Equal(t, types.UserStatusTypeForceChangePassword, userStatus(t, s, email))
}
