package page_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// A tenant's inviteExpiry may outlast the pool's temporary passwords: the
// page refuses an invitation link older than the pool's validity, as it
// refuses an expired one. The link's age is its expiry minus the tenant's
// inviteExpiry, read here as the page reads it.
func TestInvitationOutlivingTheTemporaryPassword(t *testing.T) {
	def, err := tenant.NewStore(templates.FS).Get("default")
	require.NoError(t, err)
	inviteExpiry := time.Duration(def.Links.InviteExpiry)
	day := 24 * time.Hour
	tests := []struct {
		name     string
		validity int           // the pool's days; 0: the default, 7
		age      time.Duration // since the invitation was sent
		ok       bool
	}{
		{"case=default-within", 0, min(6*day, inviteExpiry-time.Hour), true},
		{"case=3-days-within", 3, 2*day + 23*time.Hour, true},
		{"case=3-days-past", 3, 3 * day, false},
		{"case=1-day-past", 1, 25 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.age >= inviteExpiry {
				t.Skipf("the default tenant's invitations expire after %s: the link itself has expired", inviteExpiry)
			}
			e := newEnv(t, func(c *page.Config) {
				d := c.Clients["default"]
				d.TemporaryPasswordValidityDays = tt.validity
				c.Clients["default"] = d
			})
			res := e.get(e.link(linkOpts{purpose: link.PurposeInvite, locale: "en", expires: testNow.Add(inviteExpiry - tt.age)}))
			if tt.ok {
				assert.Equal(t, http.StatusOK, res.status)
				assert.Contains(t, res.body, `name="temporary"`)
				return
			}
			assert.Equal(t, http.StatusBadRequest, res.status)
			assert.Contains(t, res.body, "Ask the person who invited you to send a new invitation.")
			assert.NotContains(t, res.body, `name="password"`)
			assert.Contains(t, e.logs.String(), `"reason":"temporary-password-expired"`)
			assert.Empty(t, e.cognito.Calls())
		})
	}
}

func TestParseConfigTemporaryPasswordValidity(t *testing.T) {
	store := tenant.NewStore(templates.FS)
	tests := []struct {
		name, days string // "" : absent
		want       int
		err        string
	}{
		{"case=absent-is-cognitos-default", "", 7, ""},
		{"case=zero-is-cognitos-default", "0", 7, ""},
		{"case=set", "3", 3, ""},
		{"case=too-long", "366", 0, "tenants.default.temporaryPasswordValidityDays must be 0 to 365"},
		{"case=negative", "-1", 0, "tenants.default.temporaryPasswordValidityDays must be 0 to 365"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra := ""
			if tt.days != "" {
				extra = `, "temporaryPasswordValidityDays": ` + tt.days
			}
			clients, _, err := page.ParseConfig([]byte(`{"tenants": {"default": {"userPoolId": "eu-west-1_A1", "clientId": "c",
				"signInUrl": "https://a.example/"`+extra+`}}}`), store)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, clients["default"].TemporaryPasswordValidityDays)
		})
	}
}
