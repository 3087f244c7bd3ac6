package handler_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/handler"
)

// withEvent edits a recorded event.
func withEvent(t *testing.T, name string, edit func(ev map[string]any)) []byte {
	t.Helper()
	var ev map[string]any
	require.NoError(t, json.Unmarshal(readEvent(t, name), &ev))
	edit(ev)
	out, err := json.Marshal(ev)
	require.NoError(t, err)
	return out
}

func request(ev map[string]any) map[string]any { return ev["request"].(map[string]any) }

func attributes(ev map[string]any) map[string]any {
	return request(ev)["userAttributes"].(map[string]any)
}

// acmeUser makes the event a user of acme's pool whose tenant attribute is
// value: acme lists its pool, so only its pool's users can be acme's.
func acmeUser(ev map[string]any, value string) {
	ev["userPoolId"] = "eu-west-1_Mn34Pq56R"
	attributes(ev)["custom:tenant_id"] = value
}

func firstLink(t *testing.T, a answer) *url.URL {
	t.Helper()
	links := hrefs(a.email())
	require.NotEmpty(t, links)
	u, err := url.Parse(links[0])
	require.NoError(t, err)
	return u
}

func TestTenantResolution(t *testing.T) {
	h, logs := fixture(t, nil)
	for _, tc := range []struct {
		name       string
		edit       func(ev map[string]any)
		host, lang string
		by         string
		warning    bool
	}{
		{"tenant attribute names a tenant", func(ev map[string]any) { acmeUser(ev, "acme") },
			"login.acme-rockets.example", "en", "attribute", false},
		{"tenant attribute is one of a tenant's values", func(ev map[string]any) { acmeUser(ev, "acme-rockets") },
			"login.acme-rockets.example", "en", "attribute", false},
		{"tenant attribute names a tenant of another pool: default, with a warning", func(ev map[string]any) {
			attributes(ev)["custom:tenant_id"] = "acme"
		}, "app.example.com", "en", "default", true},
		{"unknown tenant attribute: default, with a warning, even though the pool is acme's", func(ev map[string]any) {
			attributes(ev)["custom:tenant_id"] = "initech"
			ev["userPoolId"] = "eu-west-1_Mn34Pq56R"
		}, "app.example.com", "en", "default", true},
		{"pool", func(ev map[string]any) { ev["userPoolId"] = "eu-west-1_Mn34Pq56R" },
			"login.acme-rockets.example", "en", "userPool", false},
		{"clientMetadata cannot choose a tenant", func(ev map[string]any) {
			request(ev)["clientMetadata"] = map[string]any{"tenant": "acme", "tenant_id": "acme", "custom:tenant_id": "acme"}
		}, "app.example.com", "en", "default", false},
		{"clientMetadata picks a language among the tenant's", func(ev map[string]any) {
			acmeUser(ev, "acme")
			request(ev)["clientMetadata"] = map[string]any{"locale": "fr-CA"}
		}, "login.acme-rockets.example", "fr", "attribute", false},
		{"clientMetadata cannot pick a language the tenant lacks", func(ev map[string]any) {
			acmeUser(ev, "acme")
			attributes(ev)["locale"] = "ja"
			request(ev)["clientMetadata"] = map[string]any{"locale": "ja"}
		}, "login.acme-rockets.example", "de", "attribute", false},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			logs.Reset()
			_, a := invoke(t, h, withEvent(t, "forgot-password", tc.edit))
			u := firstLink(t, a)
			assert.Equal(t, tc.host, u.Host)
			assert.Contains(t, a.email(), `<html lang="`+tc.lang+`"`)
			var line struct {
				TenantBy string `json:"tenant_by"`
				Warning  string `json:"warning"`
			}
			require.NoError(t, json.Unmarshal(logs.Bytes(), &line))
			assert.Equal(t, tc.by, line.TenantBy)
			assert.Equal(t, tc.warning, line.Warning != "", line.Warning)
		})
	}
}

// A tenant can leave a message to Cognito: the event goes back unchanged.
func TestTenantLeavesMessageToCognito(t *testing.T) {
	h, logs := fixture(t, nil)
	payload := withEvent(t, "authentication", func(ev map[string]any) { acmeUser(ev, "acme") })
	out, _ := invoke(t, h, payload)
	assert.Equal(t, string(payload), string(out))
	assert.Contains(t, logs.String(), `"outcome":"cognito-default"`)
}

// The tenant attribute's name is configurable.
func TestTenantAttributeName(t *testing.T) {
	h, _ := fixture(t, func(c *handler.Config) { c.TenantAttribute = "custom:org" })
	_, a := invoke(t, h, withEvent(t, "forgot-password", func(ev map[string]any) {
		acmeUser(ev, "default")
		attributes(ev)["custom:org"] = "acme"
	}))
	assert.Equal(t, "login.acme-rockets.example", firstLink(t, a).Host)
}
