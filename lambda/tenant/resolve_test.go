package tenant_test

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

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
			assert.Equal(t, tc.want, res.ID)
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

const (
	globexPool   = "eu-west-1_GlobexPool"
	globexClient = "globexclient01234567"
)

// globexJSON is a valid tenant.json; each breakage below spoils one thing in
// it, as an operator's typo would.
const globexJSON = `{"id": "globex", "displayName": "Globex",
  "match": {"userPoolIds": ["` + globexPool + `"], "appClientIds": ["` + globexClient + `"], "tenantAttributeValues": ["GLOBEX"]},
  "links": {"resetUrl": "https://login.globex.example/reset", "inviteUrl": "https://login.globex.example/activate",
            "mode": "query", "resetExpiry": "1h", "inviteExpiry": "168h"},
  "brand": {"productName": "Globex", "primaryColor": "#1a56db", "buttonTextColor": "#ffffff"},
  "languages": {"default": "en", "supported": ["en"]}}`

var globexBreakages = []struct{ name, old, new string }{
	{"typo in a field name", `"displayName"`, `"displayNmae"`},
	{"low-contrast button", `"buttonTextColor": "#ffffff"`, `"buttonTextColor": "#1a56dc"`},
	{"http link", `"https://login.globex.example/reset"`, `"http://login.globex.example/reset"`},
	{"syntax error after match", `["en"]}}`, `["en"],}}`},
	{"pool ids as one string", `"userPoolIds": ["` + globexPool + `"]`, `"userPoolIds": "` + globexPool + `"`},
	{"id that is not its folder's", `"id": "globex"`, `"id": "globe"`},
}

// storeWithGlobex holds default, acme (its own pool) and globex as data,
// in an overlay over the other two.
func storeWithGlobex(t *testing.T, data string) *tenant.Store {
	acme := valid("acme")
	acme.Match = tenant.Match{UserPoolIDs: []string{acmePool}, AppClientIDs: []string{acmeClient}}
	overlay := fstest.MapFS{"tenants/globex/tenant.json": {Data: []byte(data)}}
	return tenant.NewStore(overlay, tree(t, valid(tenant.DefaultID), acme))
}

func TestGlobexFixtureLoads(t *testing.T) {
	_, err := storeWithGlobex(t, globexJSON).Get("globex")
	require.NoError(t, err, "the breakages must be the only problem")
	for _, b := range globexBreakages {
		require.Contains(t, globexJSON, b.old, b.name)
	}
}

// An event of a tenant that failed to load belongs to that tenant by every
// route (its id, its attribute values, its app clients, its pools): it gets
// an error saying why and no tenant, never the default's brand and links.
func TestResolveBrokenTenant(t *testing.T) {
	routes := []struct {
		name  string
		route tenant.Route
		by    string
	}{
		{"attribute is its id", tenant.Route{Attribute: "globex", UserPoolID: globexPool}, "attribute"},
		{"attribute is one of its values", tenant.Route{Attribute: "GLOBEX", UserPoolID: globexPool}, "attribute"},
		{"attribute, no pool id", tenant.Route{Attribute: "GLOBEX"}, "attribute"},
		{"its app client", tenant.Route{ClientID: globexClient, UserPoolID: globexPool}, "appClient"},
		{"its pool", tenant.Route{ClientID: notApp, UserPoolID: globexPool}, "userPool"},
	}
	for _, b := range globexBreakages {
		t.Run("case="+b.name, func(t *testing.T) {
			s := storeWithGlobex(t, strings.Replace(globexJSON, b.old, b.new, 1))
			_, loadErr := s.Get("globex")
			require.Error(t, loadErr)
			for _, rc := range routes {
				t.Run("route="+rc.name, func(t *testing.T) {
					res, err := s.Resolve(rc.route)
					require.Error(t, err)
					assert.Nil(t, res.Tenant, "never the default tenant")
					assert.Equal(t, "globex", res.ID)
					assert.Equal(t, rc.by, res.By)
					assert.Contains(t, err.Error(), "tenant globex")
					assert.Contains(t, err.Error(), loadErr.Error(), "the log says why it failed")
				})
			}
		})
	}
}

// A broken tenant that lists pools owns its attribute values and app
// clients only for events of those pools, as a loaded one does.
func TestResolveBrokenTenantKeepsToItsPools(t *testing.T) {
	s := storeWithGlobex(t, strings.Replace(globexJSON, `"#ffffff"`, `"#1a56dc"`, 1))
	for _, tc := range []struct {
		name    string
		route   tenant.Route
		want    string
		by      string
		warning bool
	}{
		{"attribute names it from another pool", tenant.Route{Attribute: "globex", UserPoolID: acmePool}, "default", "default", true},
		{"attribute value from another pool", tenant.Route{Attribute: "GLOBEX", UserPoolID: acmePool}, "default", "default", true},
		{"its app client in another pool", tenant.Route{ClientID: globexClient, UserPoolID: acmePool}, "acme", "userPool", false},
		{"another pool, nothing of its own", tenant.Route{UserPoolID: "eu-west-1_Other"}, "default", "default", false},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			res, err := s.Resolve(tc.route)
			require.NoError(t, err)
			require.NotNil(t, res.Tenant)
			assert.Equal(t, tc.want, res.Tenant.ID)
			assert.Equal(t, tc.want, res.ID)
			assert.Equal(t, tc.by, res.By)
			assert.Equal(t, tc.warning, res.Warning != "", res.Warning)
		})
	}
}

// A value a loaded tenant and a broken one both claim may be either's:
// the broken one's users must not get the other's brand, so neither does
// anyone there, and LoadAll reports the conflict.
func TestResolveValueClaimedWithBrokenTenant(t *testing.T) {
	broken := strings.Replace(globexJSON, globexPool, acmePool, 1)
	broken = strings.Replace(broken, `"#ffffff"`, `"#1a56dc"`, 1)
	s := storeWithGlobex(t, broken)
	res, err := s.Resolve(tenant.Route{UserPoolID: acmePool})
	require.Error(t, err)
	assert.Nil(t, res.Tenant)
	assert.Equal(t, "globex", res.ID)
	assert.Contains(t, res.Warning, "[acme globex]")

	_, err = s.LoadAll()
	assert.ErrorContains(t, err, `match.userPoolIds "`+acmePool+`" is claimed by tenants [acme globex]`)
}

// A folder that is not a tenant at all (no tenant.json in any layer)
// claims nothing: its name in the attribute is just an unknown value.
func TestResolveUnknownAttributeIsNoBrokenTenant(t *testing.T) {
	s := storeWithGlobex(t, globexJSON)
	res, err := s.Resolve(tenant.Route{Attribute: "initech", UserPoolID: globexPool})
	require.NoError(t, err)
	assert.Equal(t, "default", res.Tenant.ID)
	assert.Equal(t, "tenant attribute names no tenant", res.Warning)
}
