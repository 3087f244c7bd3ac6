package tenant_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/tenant"
)

// resolved is the tenant id and route a Resolve found.
func resolved(t *testing.T, s *remoteStore, r tenant.Route) (id, by string) {
	t.Helper()
	res, err := s.Resolve(r)
	require.NoError(t, err)
	require.NotNil(t, res.Tenant)
	assert.Equal(t, res.ID, res.Tenant.ID)
	return res.ID, res.By
}

func TestRemoteResolve(t *testing.T) {
	acme := tenant.Match{UserPoolIDs: []string{"eu-west-1_PoolA"}, AppClientIDs: []string{"clientacme0123456789"}, TenantAttributeValues: []string{"ACME"}}

	t.Run("case=index routes by pool, client, attribute value", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "Acme", acme))
		m.put(t, named("beta", "Beta", pools("eu-west-1_PoolB")))
		s := newRemoteStore(m, tenant.RemoteOptions{}, tree(t, valid("default")))
		for _, c := range []struct {
			name   string
			route  tenant.Route
			id, by string
		}{
			{"pool", tenant.Route{UserPoolID: "eu-west-1_PoolA"}, "acme", "userPool"},
			{"client", tenant.Route{UserPoolID: "eu-west-1_PoolA", ClientID: "clientacme0123456789"}, "acme", "appClient"},
			{"attribute value", tenant.Route{UserPoolID: "eu-west-1_PoolA", Attribute: "ACME"}, "acme", "attribute"},
			{"attribute id", tenant.Route{UserPoolID: "eu-west-1_PoolA", Attribute: "acme"}, "acme", "attribute"},
			{"client of another pool", tenant.Route{UserPoolID: "eu-west-1_PoolX", ClientID: "clientacme0123456789"}, "default", "default"},
			{"unclaimed pool", tenant.Route{UserPoolID: "eu-west-1_PoolX"}, "default", "default"},
		} {
			t.Run("route="+c.name, func(t *testing.T) {
				id, by := resolved(t, s, c.route)
				assert.Equal(t, [2]string{c.id, c.by}, [2]string{id, by})
			})
		}
		_, folder := m.counts("beta")
		assert.Zero(t, folder, "routing reads the index, not every tenant")
	})
	t.Run("case=index change adds a tenant and moves a pool", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "Acme", pools("eu-west-1_PoolA", "eu-west-1_PoolMoved")))
		s := newRemoteStore(m, tenant.RemoteOptions{}, tree(t, valid("default")))
		id, _ := resolved(t, s, tenant.Route{UserPoolID: "eu-west-1_PoolMoved"})
		assert.Equal(t, "acme", id)
		id, _ = resolved(t, s, tenant.Route{UserPoolID: "eu-west-1_PoolB"})
		assert.Equal(t, "default", id)

		m.put(t, named("acme", "Acme", pools("eu-west-1_PoolA")))
		m.put(t, named("beta", "Beta", pools("eu-west-1_PoolB", "eu-west-1_PoolMoved")))
		id, _ = resolved(t, s, tenant.Route{UserPoolID: "eu-west-1_PoolB"})
		assert.Equal(t, "default", id, "the index is not read again before Every")
		s.clock.add(every)
		for pool, want := range map[string]string{"eu-west-1_PoolA": "acme", "eu-west-1_PoolB": "beta", "eu-west-1_PoolMoved": "beta"} {
			id, _ = resolved(t, s, tenant.Route{UserPoolID: pool})
			assert.Equal(t, want, id, pool)
		}
		got, err := s.Get("acme")
		require.NoError(t, err)
		assert.Equal(t, []string{"eu-west-1_PoolA"}, got.Match.UserPoolIDs, "a tenant whose claims changed is read again")
	})
	t.Run("case=claims conflict route to none", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "Acme", pools("eu-west-1_PoolShared")))
		m.put(t, named("beta", "Beta", pools("eu-west-1_PoolShared")))
		m.put(t, named("gamma", "Gamma", pools("eu-west-1_PoolFolder")))
		folder := tree(t, valid("default"), named("delta", "Delta", pools("eu-west-1_PoolFolder")))
		s := newRemoteStore(m, tenant.RemoteOptions{}, folder)
		for pool, owners := range map[string]string{"eu-west-1_PoolShared": "[acme beta]", "eu-west-1_PoolFolder": "[delta gamma]"} {
			res, err := s.Resolve(tenant.Route{UserPoolID: pool})
			require.NoError(t, err)
			assert.Equal(t, "default", res.ID, pool)
			assert.Contains(t, res.Warning, owners)
		}
	})
	t.Run("case=S3's claims replace a folder tenant's of the same id", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "From S3", pools("eu-west-1_PoolNew")))
		folder := tree(t, valid("default"), named("acme", "From folder", pools("eu-west-1_PoolOld")))
		s := newRemoteStore(m, tenant.RemoteOptions{}, folder)
		id, _ := resolved(t, s, tenant.Route{UserPoolID: "eu-west-1_PoolOld"})
		assert.Equal(t, "default", id)
		res, err := s.Resolve(tenant.Route{UserPoolID: "eu-west-1_PoolNew"})
		require.NoError(t, err)
		assert.Equal(t, "From S3", res.Tenant.DisplayName)
	})
	t.Run("case=a tenant that never loaded claims nothing", func(t *testing.T) {
		m := newMemRemote()
		m.putRaw("acme", encode(t, broken("acme")), acme)
		s := newRemoteStore(m, tenant.RemoteOptions{}, tree(t, valid("default")))
		for _, r := range []tenant.Route{
			{UserPoolID: "eu-west-1_PoolA"},
			{UserPoolID: "eu-west-1_PoolA", ClientID: "clientacme0123456789"},
			{UserPoolID: "eu-west-1_PoolA", Attribute: "ACME"},
			{UserPoolID: "eu-west-1_PoolA", Attribute: "acme"},
		} {
			id, by := resolved(t, s, r)
			assert.Equal(t, [2]string{"default", "default"}, [2]string{id, by}, "%+v", r)
		}
		_, refused, _ := s.told()
		assert.Equal(t, []string{"acme"}, refused, "refused once, not once per event")
	})
	t.Run("case=the default tenant from S3", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("default", "From S3", tenant.Match{}))
		s := newRemoteStore(m, tenant.RemoteOptions{}, tree(t, named("default", "From folder", tenant.Match{})))
		res, err := s.Resolve(tenant.Route{UserPoolID: "eu-west-1_PoolX"})
		require.NoError(t, err)
		assert.Equal(t, "From S3", res.Tenant.DisplayName)
	})
}
