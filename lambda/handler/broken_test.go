package handler_test

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

const (
	globexPool   = "eu-west-1_GlobexPool"
	globexClient = "globexclient01234567"
)

// globexJSON is a valid overlay tenant; each breakage spoils one thing, as
// an operator's typo would.
const globexJSON = `{"id": "globex", "displayName": "Globex",
  "match": {"userPoolIds": ["` + globexPool + `"], "appClientIds": ["` + globexClient + `"], "tenantAttributeValues": ["GLOBEX"]},
  "links": {"resetUrl": "https://login.globex.example/reset", "inviteUrl": "https://login.globex.example/activate",
            "mode": "query", "resetExpiry": "1h", "inviteExpiry": "168h"},
  "brand": {"productName": "Globex", "primaryColor": "#1a56db", "buttonTextColor": "#ffffff"},
  "languages": {"default": "en", "supported": ["en"]}}`

// brokenLine is the part of a log line these tests read.
type brokenLine struct {
	Level    string `json:"level"`
	Outcome  string `json:"outcome"`
	Tenant   string `json:"tenant"`
	TenantBy string `json:"tenant_by"`
	Error    string `json:"error"`
}

// A user of a tenant that failed to load gets the code in the minimal
// email, without a link: not the default tenant's brand and links, nor any
// other tenant's. The log line names the tenant and says why it failed.
func TestBrokenTenantGetsTheMinimalEmail(t *testing.T) {
	breakages := []struct{ name, old, new string }{
		{"typo in a field name", `"displayName"`, `"displayNmae"`},
		{"low-contrast button", `"buttonTextColor": "#ffffff"`, `"buttonTextColor": "#1a56dc"`},
		{"http link", `"https://login.globex.example/reset"`, `"http://login.globex.example/reset"`},
		{"syntax error after match", `["en"]}}`, `["en"],}}`},
	}
	routes := []struct {
		name, event, by string
		edit            func(ev map[string]any)
	}{
		{"attribute is its id", "forgot-password", "attribute", func(ev map[string]any) {
			ev["userPoolId"] = globexPool
			attributes(ev)["custom:tenant_id"] = "globex"
		}},
		{"attribute is one of its values", "forgot-password", "attribute", func(ev map[string]any) {
			ev["userPoolId"] = globexPool
			attributes(ev)["custom:tenant_id"] = "GLOBEX"
		}},
		{"its app client", "forgot-password", "appClient", func(ev map[string]any) {
			ev["userPoolId"] = globexPool
			ev["callerContext"].(map[string]any)["clientId"] = globexClient
		}},
		{"its pool", "forgot-password", "userPool", func(ev map[string]any) { ev["userPoolId"] = globexPool }},
		{"its pool, invitation", "admin-create-user", "userPool", func(ev map[string]any) { ev["userPoolId"] = globexPool }},
	}
	for _, b := range breakages {
		require.Contains(t, globexJSON, b.old, b.name)
		overlay := fstest.MapFS{"tenants/globex/tenant.json": {Data: []byte(strings.Replace(globexJSON, b.old, b.new, 1))}}
		_, loadErr := tenant.NewStore(overlay, templates.FS).Get("globex")
		require.Error(t, loadErr, b.name)
		h, logs := fixture(t, func(c *handler.Config) { c.Tenants = tenant.NewStore(overlay, templates.FS) })
		for _, r := range routes {
			t.Run("case="+b.name+"/route="+r.name, func(t *testing.T) {
				logs.Reset()
				payload := withEvent(t, r.event, r.edit)
				_, a := invoke(t, h, payload)
				require.True(t, a.rendered(), "the code must reach the user")
				response := a.email() + deref(a.Response.EmailSubject) + deref(a.Response.SMSMessage)
				assert.Contains(t, a.email(), "{####}")
				assert.Empty(t, hrefs(a.email()), "no link at all")
				for _, foreign := range []string{"example.com", "Example App", "acme", "Acme", "globex.example"} {
					assert.NotContains(t, response, foreign)
				}

				var line brokenLine
				require.NoError(t, json.Unmarshal(logs.Bytes(), &line), logs.String())
				assert.Equal(t, "ERROR", line.Level)
				assert.Equal(t, "fallback", line.Outcome)
				assert.Equal(t, "globex", line.Tenant)
				assert.Equal(t, r.by, line.TenantBy)
				assert.Contains(t, line.Error, "tenant globex")
				assert.Contains(t, line.Error, loadErr.Error(), "the log says why it failed")
				var ev struct {
					UserName string `json:"userName"`
				}
				require.NoError(t, json.Unmarshal(payload, &ev))
				for _, personal := range []string{ev.UserName, "@example.", "Ana", "Noah"} {
					assert.NotContains(t, logs.String(), personal)
				}
			})
		}
	}
}

// The rule that a tenant listing pools owns its attribute values and app
// clients only for events of those pools holds for a broken one too.
func TestBrokenTenantKeepsToItsPools(t *testing.T) {
	overlay := fstest.MapFS{"tenants/globex/tenant.json": {Data: []byte(strings.Replace(globexJSON, `"#ffffff"`, `"#1a56dc"`, 1))}}
	h, _ := fixture(t, func(c *handler.Config) { c.Tenants = tenant.NewStore(overlay, templates.FS) })
	_, a := invoke(t, h, withEvent(t, "forgot-password", func(ev map[string]any) {
		ev["userPoolId"] = "eu-west-1_Mn34Pq56R" // acme's
		ev["callerContext"].(map[string]any)["clientId"] = globexClient
	}))
	assert.Equal(t, "login.acme-rockets.example", firstLink(t, a).Host)
}
