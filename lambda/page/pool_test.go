package page_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
)

// The pools newEnv configures: default's and acme's.
const (
	defaultPool = "eu-west-1_Abc123"
	acmePool    = "eu-west-1_Mn34Pq56R"
)

// poolLink signs a reset link for tenant with pool ("": a version-1 link,
// as cogmail sent them before pools were signed).
func (e *env) poolLink(tenant, pool string, expires time.Time) string {
	e.t.Helper()
	raw, err := link.Sign(link.Params{Base: e.srv.URL + "/reset", Mode: link.ModeQuery, Purpose: link.PurposeReset,
		Tenant: tenant, UserPool: pool, Username: testUser, Locale: "en", Expires: expires, Code: testCode}, e.ring)
	require.NoError(e.t, err)
	return raw
}

// A link names the user pool its user is in, signed: the page acts only on
// links of the pool it serves for the link's tenant, so that a user of any
// other pool that reaches the trigger (the default tenant names no pools)
// gets nothing here. Version-1 links, which name no pool, are taken until
// they expire.
func TestLinkMustBeForTheTenantsPool(t *testing.T) {
	hour := testNow.Add(time.Hour)
	tests := []struct {
		name, tenant, pool string
		expires            time.Time
		ok                 bool
	}{
		{"case=default's pool", "default", defaultPool, hour, true},
		{"case=acme's pool", "acme", acmePool, hour, true},
		{"case=another pool, default tenant", "default", "eu-west-1_Zz99Yy88X", hour, false},
		{"case=acme's pool, default tenant", "default", acmePool, hour, false},
		{"case=default's pool, acme tenant", "acme", defaultPool, hour, false},
		{"case=version 1, before expiry", "default", "", hour, true},
		{"case=version 1, expired", "default", "", testNow, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			raw := e.poolLink(tt.tenant, tt.pool, tt.expires)
			opened := e.get(raw)
			if !tt.ok {
				assert.Equal(t, http.StatusBadRequest, opened.status)
				assert.NotContains(t, opened.body, `name="password"`)
				if tt.pool != "" {
					assert.Contains(t, e.logs.String(), `"reason":"wrong-pool"`)
				}
				assert.Empty(t, e.cognito.Calls())
				return
			}
			require.Equal(t, http.StatusOK, opened.status, opened.body)
			assert.Contains(t, opened.body, `name="password"`)
			if tt.pool != "" {
				assert.Contains(t, opened.body, `name="pool" value="`+tt.pool+`"`, "the form carries the signed pool")
			}
			// The form's post verifies the link again, pool included.
			res := e.submit(raw, "password", testPassword, "repeat", testPassword)
			require.Equal(t, http.StatusOK, res.status, res.body)
			require.Len(t, e.cognito.confirm, 1)
		})
	}

	t.Run("case=a post that drops the pool", func(t *testing.T) {
		e := newEnv(t, nil)
		raw := e.poolLink("default", defaultPool, hour)
		opened := e.get(raw)
		require.Equal(t, http.StatusOK, opened.status)
		form := hidden(opened.body)
		form.Del(link.ParamUserPool)
		form.Set("password", testPassword)
		form.Set("repeat", testPassword)
		res := e.post("/reset", form)
		assert.Equal(t, http.StatusBadRequest, res.status)
		assert.Empty(t, e.cognito.Calls())
	})

	t.Run("case=the fragment opener posts the pool", func(t *testing.T) {
		e := newEnv(t, nil)
		res := e.get("/reset")
		require.Equal(t, http.StatusOK, res.status)
		assert.True(t, strings.Contains(res.body, `"pool"`), "the opener's script copies the pool from the fragment")
	})
}
