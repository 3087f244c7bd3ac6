package tenant_test

import (
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/tenant"
)

func TestRemoteStaleIndex(t *testing.T) {
	t.Run("case=a version that no longer claims the index's value does not get its events", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "Acme", pools("eu-west-1_PoolA")))
		s := newRemoteStore(m, tenant.RemoteOptions{}, tree(t, valid("default")))
		id, _ := resolved(t, s, tenant.Route{UserPoolID: "eu-west-1_PoolA"})
		require.Equal(t, "acme", id)

		// push mid-way: the tenant's files are new, the index still old.
		m.putRaw("acme", encode(t, named("acme", "Acme", pools("eu-west-1_PoolB"))), pools("eu-west-1_PoolA"))
		s.clock.add(every)
		id, by := resolved(t, s, tenant.Route{UserPoolID: "eu-west-1_PoolA"})
		assert.Equal(t, [2]string{"default", "default"}, [2]string{id, by})

		// push ends; the index is read again within a second, not Every.
		m.put(t, named("acme", "Acme", pools("eu-west-1_PoolB")))
		s.clock.add(time.Second)
		index, _ := m.counts("acme")
		id, _ = resolved(t, s, tenant.Route{UserPoolID: "eu-west-1_PoolB"})
		assert.Equal(t, "acme", id)
		again, _ := m.counts("acme")
		assert.Equal(t, index+1, again, "one index read")
		id, _ = resolved(t, s, tenant.Route{UserPoolID: "eu-west-1_PoolB"})
		assert.Equal(t, "acme", id)
		third, _ := m.counts("acme")
		assert.Equal(t, again, third, "then fresh for Every again")
	})
}

func TestRemoteIndexLost(t *testing.T) {
	t.Run("case=an index read error keeps the last good index", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "Acme", pools("eu-west-1_PoolA")))
		s := newRemoteStore(m, tenant.RemoteOptions{}, tree(t, valid("default")))
		id, _ := resolved(t, s, tenant.Route{UserPoolID: "eu-west-1_PoolA"})
		require.Equal(t, "acme", id)
		m.setDown(true) // tenants3's answer to a 403 or 404 on the index
		s.clock.add(every)
		id, _ = resolved(t, s, tenant.Route{UserPoolID: "eu-west-1_PoolA"})
		assert.Equal(t, "acme", id)
		_, _, log := s.told()
		assert.Contains(t, log, `msg="tenant store unreachable" object=index`)
	})
	t.Run("case=an emptied index warns once", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "Acme", pools("eu-west-1_PoolA")))
		s := newRemoteStore(m, tenant.RemoteOptions{}, tree(t, valid("default")))
		id, _ := resolved(t, s, tenant.Route{UserPoolID: "eu-west-1_PoolA"})
		require.Equal(t, "acme", id)
		_, _, log := s.told()
		assert.Zero(t, count(log, "the S3 index names no tenant"))
		m.remove("acme")
		for range 3 {
			s.clock.add(every)
			id, _ = resolved(t, s, tenant.Route{UserPoolID: "eu-west-1_PoolA"})
			assert.Equal(t, "default", id)
		}
		_, _, log = s.told()
		assert.Equal(t, 1, count(log, "the S3 index names no tenant"), log)
		assert.Contains(t, log, `level=WARN msg="the S3 index names no tenant" object=index`)
	})
}

func TestRemoteEvictedUnserved(t *testing.T) {
	t.Run("case=a version read while its tenant left the index is forgotten", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, valid("acme"))
		m.hold, m.entered = make(chan struct{}), make(chan struct{}, 16)
		s := newRemoteStore(m, tenant.RemoteOptions{}, tree(t, valid("default")))
		done := make(chan error)
		go func() { _, err := s.Get("acme"); done <- err }()
		<-m.entered
		m.remove("acme")
		s.clock.add(every)
		_, err := s.Resolve(tenant.Route{UserPoolID: "eu-west-1_PoolX"}) // reads the index only
		require.NoError(t, err)
		close(m.hold)
		assert.ErrorIs(t, <-done, fs.ErrNotExist)
		evicted, _, _ := s.told()
		require.Len(t, evicted, 1)
		assert.Equal(t, "acme", evicted[0].ID)
	})
	t.Run("case=a version Accept refused is forgotten", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "Other", tenant.Match{}))
		s := newRemoteStore(m, tenant.RemoteOptions{Accept: func(*tenant.Tenant) error { return fs.ErrInvalid }})
		_, err := s.Get("acme")
		assert.ErrorIs(t, err, fs.ErrNotExist)
		evicted, refused, _ := s.told()
		assert.Equal(t, []string{"acme"}, refused)
		require.Len(t, evicted, 1)
		assert.Equal(t, "Other", evicted[0].DisplayName)
	})
}

func TestRemoteWeight(t *testing.T) {
	// templated puts a tenant whose folder has a template of its own.
	templated := func(t *testing.T, m *memRemote, id string) {
		m.put(t, valid(id))
		m.addFile(id, "reset.html.tmpl", []byte(`{{define "body"}}x{{end}}`))
	}
	ids := func(ts []*tenant.Tenant) (out []string) {
		for _, tn := range ts {
			out = append(out, tn.ID)
		}
		return out
	}
	t.Run("case=a tenant with templates weighs TemplateWeight", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, valid("p1"))
		m.put(t, valid("p2"))
		m.put(t, valid("p3"))
		templated(t, m, "h1")
		templated(t, m, "h2")
		s := newRemoteStore(m, tenant.RemoteOptions{MaxTenants: tenant.TemplateWeight + 10})
		for _, id := range []string{"p1", "p2", "h1"} {
			_, err := s.Get(id)
			require.NoError(t, err)
		}
		evicted, _, _ := s.told()
		assert.Empty(t, evicted, "52 units of 60")
		_, err := s.Get("h2")
		require.NoError(t, err)
		evicted, _, _ = s.told()
		assert.Equal(t, []string{"p1", "p2", "h1"}, ids(evicted), "least recently used first, until 50 of 60")
		_, err = s.Get("p3")
		require.NoError(t, err)
		evicted, _, _ = s.told()
		assert.Len(t, evicted, 3, "51 of 60")
	})
	t.Run("case=the entry served is never evicted", func(t *testing.T) {
		m := newMemRemote()
		templated(t, m, "h1")
		m.put(t, valid("p1"))
		s := newRemoteStore(m, tenant.RemoteOptions{MaxTenants: 10})
		first, err := s.Get("h1")
		require.NoError(t, err)
		again, err := s.Get("h1")
		require.NoError(t, err)
		assert.Same(t, first, again, "over budget alone, still kept")
		_, folder := m.counts("h1")
		assert.Equal(t, 1, folder)
		_, err = s.Get("p1")
		require.NoError(t, err)
		evicted, _, _ := s.told()
		assert.Equal(t, []string{"h1"}, ids(evicted))
	})
}

// pushed is a remote folder that push checked (tenants3's memFS when the
// manifest's digest matches).
type pushed struct {
	fstest.MapFS
	ok bool
}

func (p pushed) PushChecked() bool { return p.ok }

func TestRemotePushChecked(t *testing.T) {
	for _, c := range []struct {
		name string
		wrap func(fstest.MapFS) fs.FS
		want bool
	}{
		{"push checked", func(f fstest.MapFS) fs.FS { return pushed{f, true} }, true},
		{"push says no", func(f fstest.MapFS) fs.FS { return pushed{f, false} }, false},
		{"a plain FS", func(f fstest.MapFS) fs.FS { return f }, false},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			m := newMemRemote()
			m.put(t, valid("acme"))
			m.wrap = func(_ string, f fstest.MapFS) fs.FS { return c.wrap(f) }
			s := newRemoteStore(m, tenant.RemoteOptions{})
			got, err := s.Get("acme")
			require.NoError(t, err)
			assert.Equal(t, c.want, got.PushChecked())
		})
	}
	t.Run("case=a folder layer's tenant", func(t *testing.T) {
		s := tenant.NewStore(pushed{tree(t, valid("acme")), true})
		got, err := s.Get("acme")
		require.NoError(t, err)
		assert.False(t, got.PushChecked())
	})
}
