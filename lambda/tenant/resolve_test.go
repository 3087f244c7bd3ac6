package tenant_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/tenant"
)

const (
	acmePool   = "eu-west-1_AcmePool1"
	betaPool   = "eu-west-1_BetaPool2"
	sharedPool = "eu-west-1_SharedPool"
	acmeClient = "acmeclient0123456789"
	betaClient = "betaclient0123456789"
	shared     = "sharedclient01234567"
	notApp     = "CLIENT_ID_NOT_APPLICABLE" // Cognito's clientId on admin calls
)

// routingStore holds default, acme and beta, plus gamma and delta, which
// claim the same pool, app client and attribute value.
func routingStore(t *testing.T) *tenant.Store {
	acme := valid("acme")
	acme.Match = tenant.Match{
		UserPoolIDs:           []string{acmePool},
		AppClientIDs:          []string{acmeClient},
		TenantAttributeValues: []string{"ACME-CORP", "acme-legacy"},
	}
	beta := valid("beta")
	// Validate rejects CLIENT_ID_NOT_APPLICABLE as an app client id (see
	// validate_test.go), and Resolve never matches on it either.
	beta.Match = tenant.Match{UserPoolIDs: []string{betaPool}, AppClientIDs: []string{betaClient}}
	gamma, delta := valid("gamma"), valid("delta")
	for _, tn := range []*tenant.Tenant{gamma, delta} {
		tn.Match = tenant.Match{UserPoolIDs: []string{sharedPool}, AppClientIDs: []string{shared}, TenantAttributeValues: []string{"shared-attr"}}
	}
	return tenant.NewStore(tree(t, valid(tenant.DefaultID), acme, beta, gamma, delta))
}

func TestResolve(t *testing.T) {
	s := routingStore(t)
	tests := []struct {
		name    string
		route   tenant.Route
		want    string
		by      string
		warning bool
	}{
		{"case=attribute is a tenant id", tenant.Route{Attribute: "acme"}, "acme", "attribute", false},
		{"case=attribute with surrounding space", tenant.Route{Attribute: " acme\n"}, "acme", "attribute", false},
		{"case=attribute is the default id", tenant.Route{Attribute: "default", ClientID: acmeClient}, "default", "attribute", false},
		{"case=attribute is a tenantAttributeValue", tenant.Route{Attribute: "ACME-CORP"}, "acme", "attribute", false},
		{"case=tenantAttributeValues are case-sensitive", tenant.Route{Attribute: "acme-corp"}, "default", "default", true},
		{"case=attribute beats app client", tenant.Route{Attribute: "acme", ClientID: betaClient, UserPoolID: acmePool}, "acme", "attribute", false},
		// A tenant that lists pools owns events of those pools only: an
		// attribute naming it from another pool (another customer's pool
		// sharing the function) must not borrow its brand and links.
		{"case=attribute names a tenant of another pool", tenant.Route{Attribute: "acme", ClientID: betaClient, UserPoolID: betaPool}, "default", "default", true},

		// The attribute is the most specific thing an event says about its
		// user: when it names no tenant, the pool's or client's tenant may
		// well be the wrong brand (a shared pool, a tenant not deployed
		// yet), so the event gets the neutral default, with a warning for
		// the logs, not beta's branding and links.
		{"case=attribute names no tenant though client and pool match", tenant.Route{Attribute: "nobody", ClientID: betaClient, UserPoolID: betaPool}, "default", "default", true},
		{"case=attribute that is not a tenant id", tenant.Route{Attribute: "../beta", UserPoolID: betaPool}, "default", "default", true},
		{"case=attribute in the wrong case", tenant.Route{Attribute: "Beta", UserPoolID: betaPool}, "default", "default", true},

		{"case=blank attribute is no attribute", tenant.Route{Attribute: "  ", ClientID: betaClient}, "beta", "appClient", false},
		{"case=app client id", tenant.Route{ClientID: acmeClient}, "acme", "appClient", false},
		{"case=app client decides within its tenant's pools", tenant.Route{ClientID: acmeClient, UserPoolID: acmePool}, "acme", "appClient", false},
		// The caller of ForgotPassword picks the client: a client of acme's
		// cannot pull an event of beta's pool into acme's brand and links.
		{"case=app client of another pool's tenant is ignored", tenant.Route{ClientID: acmeClient, UserPoolID: betaPool}, "beta", "userPool", false},
		{"case=unknown app client falls to the pool", tenant.Route{ClientID: "someoneelse0123456789", UserPoolID: acmePool}, "acme", "userPool", false},
		// Resolve skips CLIENT_ID_NOT_APPLICABLE: the pool decides admin calls.

		{"case=CLIENT_ID_NOT_APPLICABLE is no client id", tenant.Route{ClientID: notApp, UserPoolID: acmePool}, "acme", "userPool", false},
		{"case=CLIENT_ID_NOT_APPLICABLE alone", tenant.Route{ClientID: notApp}, "default", "default", false},
		{"case=user pool id", tenant.Route{UserPoolID: betaPool}, "beta", "userPool", false},
		{"case=nothing matches", tenant.Route{ClientID: "someoneelse0123456789", UserPoolID: "eu-west-1_Other"}, "default", "default", false},
		{"case=empty route", tenant.Route{}, "default", "default", false},

		// A value two tenants claim belongs to neither: the next rule decides.
		{"case=shared app client falls to the pool", tenant.Route{ClientID: shared, UserPoolID: betaPool}, "beta", "userPool", false},
		{"case=shared app client and shared pool", tenant.Route{ClientID: shared, UserPoolID: sharedPool}, "default", "default", true},
		{"case=shared attribute value", tenant.Route{Attribute: "shared-attr", UserPoolID: betaPool}, "default", "default", true},
		{"case=the claimants' own ids still route", tenant.Route{Attribute: "gamma", UserPoolID: sharedPool}, "gamma", "attribute", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Resolve(tc.route)
			require.NoError(t, err)
			require.NotNil(t, res.Tenant)
			assert.Equal(t, tc.want, res.Tenant.ID)
			assert.Equal(t, tc.by, res.By)
			if tc.warning {
				assert.NotEmpty(t, res.Warning)
			} else {
				assert.Empty(t, res.Warning)
			}
		})
	}
}

func TestResolveReportsConflicts(t *testing.T) {
	_, err := routingStore(t).LoadAll()
	require.Error(t, err)
	got := problems(err)
	wants := []string{
		`match.appClientIds "` + shared + `" is claimed by tenants [delta gamma]`,
		`match.tenantAttributeValues "shared-attr" is claimed by tenants [delta gamma]`,
		`match.userPoolIds "` + sharedPool + `" is claimed by tenants [delta gamma]`,
	}
	require.Len(t, got, len(wants), "%v", err)
	for i, want := range wants {
		assert.Contains(t, got[i].Error(), want)
	}
}

func TestResolveBrokenDefault(t *testing.T) {
	broken := valid(tenant.DefaultID)
	broken.Links.ResetURL = "http://app.example/reset"
	acme := valid("acme")
	acme.Match.UserPoolIDs = []string{acmePool}
	s := tenant.NewStore(tree(t, broken, acme))

	for _, route := range []tenant.Route{{}, {UserPoolID: "eu-west-1_Other"}, {Attribute: "nobody"}} {
		res, err := s.Resolve(route)
		require.Error(t, err, "%+v", route)
		assert.Contains(t, err.Error(), "tenants/default/tenant.json")
		assert.Nil(t, res.Tenant)
	}

	res, err := s.Resolve(tenant.Route{UserPoolID: acmePool})
	require.NoError(t, err, "an event that has a tenant does not need the default")
	assert.Equal(t, "acme", res.Tenant.ID)

	_, err = tenant.NewStore(tree(t, acme)).Resolve(tenant.Route{})
	assert.Error(t, err, "no default tenant at all")
}

// Route carries only what Cognito or the pool's administrators set.
// clientMetadata, which any caller of ForgotPassword or SignUp chooses, must
// never decide a tenant: its brand and its links. Adding a field here
// needs that argument made again, hence this test.
func TestRouteHasOnlyTrustedFields(t *testing.T) {
	rt := reflect.TypeOf(tenant.Route{})
	var fields []string
	for f := range rt.Fields() {
		fields = append(fields, f.Name)
		assert.Equal(t, reflect.String, f.Type.Kind(), f.Name)
	}
	assert.Equal(t, []string{"Attribute", "ClientID", "UserPoolID"}, fields)
}

// A tenant that fails to load must not hand its users to the default brand
// silently: its pool's events carry a warning naming it.
func TestBrokenTenantsPoolWarns(t *testing.T) {
	broken := valid("acme")
	broken.Match.UserPoolIDs = []string{acmePool}
	broken.Links.ResetExpiry = tenant.Duration(2 * time.Hour) // over Cognito's code validity
	s := tenant.NewStore(tree(t, valid(tenant.DefaultID), broken))
	res, err := s.Resolve(tenant.Route{UserPoolID: acmePool})
	require.NoError(t, err)
	assert.Equal(t, "default", res.Tenant.ID)
	assert.Contains(t, res.Warning, "acme, which failed to load")
}
