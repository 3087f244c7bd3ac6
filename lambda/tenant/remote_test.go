package tenant_test

import (
	"context"
	"io/fs"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/tenant"
)

func TestRemoteGet(t *testing.T) {
	t.Run("case=first use reads once", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, valid("acme"))
		s := newRemoteStore(m, tenant.RemoteOptions{})
		index, folder := m.counts("acme")
		assert.Zero(t, index+folder, "nothing is read before the first use")
		first, err := s.Get("acme")
		require.NoError(t, err)
		for range 3 {
			again, err := s.Get("acme")
			require.NoError(t, err)
			assert.Same(t, first, again)
		}
		index, folder = m.counts("acme")
		assert.Equal(t, [2]int{1, 1}, [2]int{index, folder})
	})
	t.Run("case=served from cache until Every, then revalidated by one 304", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, valid("acme"))
		s := newRemoteStore(m, tenant.RemoteOptions{})
		first, err := s.Get("acme")
		require.NoError(t, err)
		s.clock.add(every - time.Second)
		_, _ = s.Get("acme")
		index, folder := m.counts("acme")
		assert.Equal(t, [2]int{1, 1}, [2]int{index, folder}, "fresh: nothing read")
		s.clock.add(time.Second)
		again, err := s.Get("acme")
		require.NoError(t, err)
		assert.Same(t, first, again, "unchanged: the same version")
		index, folder = m.counts("acme")
		assert.Equal(t, [2]int{2, 2}, [2]int{index, folder}, "one conditional read of each")
		evicted, _, _ := s.told()
		assert.Empty(t, evicted)
	})
	t.Run("case=changed version replaces and calls Evicted", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "Acme", tenant.Match{}))
		s := newRemoteStore(m, tenant.RemoteOptions{})
		old, err := s.Get("acme")
		require.NoError(t, err)
		m.put(t, named("acme", "Acme Rockets", tenant.Match{}))
		s.clock.add(every)
		got, err := s.Get("acme")
		require.NoError(t, err)
		assert.Equal(t, "Acme Rockets", got.DisplayName)
		evicted, _, _ := s.told()
		require.Len(t, evicted, 1)
		assert.Same(t, old, evicted[0])
	})
	t.Run("case=broken version keeps the last good, refused once per version", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, valid("acme"))
		s := newRemoteStore(m, tenant.RemoteOptions{})
		good, err := s.Get("acme")
		require.NoError(t, err)
		m.put(t, broken("acme"))
		s.clock.add(every)
		for range 5 {
			got, err := s.Get("acme")
			require.NoError(t, err)
			assert.Same(t, good, got)
		}
		_, refused, log := s.told()
		assert.Equal(t, []string{"acme"}, refused)
		assert.Contains(t, log, `msg="tenant version refused" tenant=acme`)
		assert.Contains(t, log, "links.mode")
		_, folder := m.counts("acme")
		assert.Equal(t, 2, folder, "one read per Every, not per Get")

		s.clock.add(every) // the same broken version: a 304, not refused again
		_, _ = s.Get("acme")
		m.put(t, broken("acme"))
		s.clock.add(every)
		got, _ := s.Get("acme")
		assert.Same(t, good, got)
		evicted, refused, _ := s.told()
		assert.Equal(t, []string{"acme", "acme"}, refused)
		assert.Empty(t, evicted)
	})
	t.Run("case=accept refuses a version", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "Acme", tenant.Match{}))
		s := newRemoteStore(m, tenant.RemoteOptions{Accept: func(tn *tenant.Tenant) error {
			if tn.DisplayName != "Acme" {
				return fs.ErrInvalid
			}
			return nil
		}})
		good, err := s.Get("acme")
		require.NoError(t, err)
		m.put(t, named("acme", "Other", tenant.Match{}))
		s.clock.add(every)
		got, _ := s.Get("acme")
		assert.Same(t, good, got)
		_, refused, _ := s.told()
		assert.Equal(t, []string{"acme"}, refused)
	})
	t.Run("case=a folder whose id differs is refused", func(t *testing.T) {
		m := newMemRemote()
		m.putRaw("acme", encode(t, valid("beta")), tenant.Match{})
		s := newRemoteStore(m, tenant.RemoteOptions{})
		_, err := s.Get("acme")
		assert.ErrorIs(t, err, fs.ErrNotExist)
		_, refused, log := s.told()
		assert.Equal(t, []string{"acme"}, refused)
		assert.Contains(t, log, "does not match its folder")
	})
	t.Run("case=S3 wins over a folder layer once loaded", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "From S3", tenant.Match{}))
		s := newRemoteStore(m, tenant.RemoteOptions{}, tree(t, named("acme", "From folder", tenant.Match{})))
		got, err := s.Get("acme")
		require.NoError(t, err)
		assert.Equal(t, "From S3", got.DisplayName)
	})
	t.Run("case=broken with no last good falls to the folder layer", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, broken("acme"))
		s := newRemoteStore(m, tenant.RemoteOptions{}, tree(t, named("acme", "From folder", tenant.Match{})))
		got, err := s.Get("acme")
		require.NoError(t, err)
		assert.Equal(t, "From folder", got.DisplayName)
		m.put(t, named("acme", "From S3", tenant.Match{})) // fixed: served after Every
		s.clock.add(every)
		got, err = s.Get("acme")
		require.NoError(t, err)
		assert.Equal(t, "From S3", got.DisplayName)
	})
	t.Run("case=a tenant dropped from the index is no longer served", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, valid("acme"))
		s := newRemoteStore(m, tenant.RemoteOptions{})
		old, err := s.Get("acme")
		require.NoError(t, err)
		m.remove("acme")
		s.clock.add(every)
		_, err = s.Get("acme")
		assert.ErrorIs(t, err, fs.ErrNotExist)
		evicted, _, _ := s.told()
		assert.Equal(t, []*tenant.Tenant{old}, evicted)
	})
}

func TestRemoteUnreachable(t *testing.T) {
	t.Run("case=remote errors keep serving", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, valid("acme"))
		s := newRemoteStore(m, tenant.RemoteOptions{})
		good, err := s.Get("acme")
		require.NoError(t, err)
		m.setDown(true)
		s.clock.add(every)
		for range 3 {
			got, err := s.Get("acme")
			require.NoError(t, err)
			assert.Same(t, good, got)
		}
		index, folder := m.counts("acme")
		assert.Equal(t, [2]int{2, 2}, [2]int{index, folder}, "one try per Every")
		_, refused, log := s.told()
		assert.Empty(t, refused, "the store being down is no refused version")
		assert.Contains(t, log, `msg="tenant store unreachable" object=index`)
		assert.Contains(t, log, `msg="tenant store unreachable" tenant=acme`)
	})
	t.Run("case=down at cold start: the default, and a retry within seconds", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "Acme", pools("eu-west-1_PoolA")))
		m.setDown(true)
		s := newRemoteStore(m, tenant.RemoteOptions{}, tree(t, valid("default")))
		res, err := s.Resolve(tenant.Route{UserPoolID: "eu-west-1_PoolA"})
		require.NoError(t, err)
		assert.Equal(t, tenant.DefaultID, res.ID)
		m.setDown(false)
		s.clock.add(5 * time.Second)
		res, err = s.Resolve(tenant.Route{UserPoolID: "eu-west-1_PoolA"})
		require.NoError(t, err)
		assert.Equal(t, "acme", res.ID)
	})
}

func TestRemoteLRU(t *testing.T) {
	t.Run("case=LRU evicts beyond MaxTenants and calls Evicted", testRemoteLRU)
}

func testRemoteLRU(t *testing.T) {
	m := newMemRemote()
	for _, id := range []string{"a", "b", "c"} {
		m.put(t, valid(id))
	}
	s := newRemoteStore(m, tenant.RemoteOptions{MaxTenants: 2})
	a, err := s.Get("a")
	require.NoError(t, err)
	_, _ = s.Get("b")
	_, _ = s.Get("a") // a is now more recent than b
	_, _ = s.Get("c")
	b, _ := s.Get("b") // read again: it was evicted
	evicted, _, _ := s.told()
	require.Len(t, evicted, 2)
	assert.Equal(t, "b", evicted[0].ID)
	assert.Same(t, a, evicted[1], "then a, least recently used")
	assert.NotSame(t, b, evicted[0])
	_, folderB := m.counts("b")
	assert.Equal(t, 2, folderB)
}

func TestRemoteConcurrency(t *testing.T) {
	t.Run("case=concurrent Gets of one id fetch once", testRemoteConcurrentGetsFetchOnce)
}

func testRemoteConcurrentGetsFetchOnce(t *testing.T) {
	m := newMemRemote()
	m.put(t, valid("acme"))
	m.hold, m.entered = make(chan struct{}), make(chan struct{}, 16)
	s := newRemoteStore(m, tenant.RemoteOptions{})
	const n = 8
	got := make([]*tenant.Tenant, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], _ = s.Get("acme") })
	}
	<-m.entered // one read is under way; the others wait for it or come after
	close(m.hold)
	wg.Wait()
	_, folder := m.counts("acme")
	assert.Equal(t, 1, folder)
	for i := range n {
		require.NotNil(t, got[i])
		assert.Same(t, got[0], got[i])
	}
}

// deadlines records the deadline of each read.
type deadlines struct {
	*memRemote
	mu  sync.Mutex
	got []time.Time
}

func (d *deadlines) note(ctx context.Context) {
	dl, ok := ctx.Deadline()
	d.mu.Lock()
	if ok {
		d.got = append(d.got, dl)
	}
	d.mu.Unlock()
}

func (d *deadlines) Index(ctx context.Context, have string) (tenant.RemoteIndex, string, error) {
	d.note(ctx)
	return d.memRemote.Index(ctx, have)
}

func (d *deadlines) Folder(ctx context.Context, id, have string) (fs.FS, string, error) {
	d.note(ctx)
	return d.memRemote.Folder(ctx, id, have)
}

func TestRemoteTimeout(t *testing.T) {
	t.Run("case=one Get's reads share one Timeout", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, valid("acme"))
		d := &deadlines{memRemote: m}
		s := tenant.NewStore()
		s.SetRemote(tenant.RemoteOptions{Remote: d, Timeout: time.Hour})
		before := time.Now()
		_, err := s.Get("acme")
		require.NoError(t, err)
		require.Len(t, d.got, 2, "the index and the tenant, each with a deadline")
		assert.Equal(t, d.got[0], d.got[1])
		assert.WithinRange(t, d.got[0], before.Add(time.Hour), time.Now().Add(time.Hour))
	})
}

// BenchmarkRemoteGetWarm is a cached fresh tenant: a map hit and a clock
// read under a lock, and no allocation.
func BenchmarkRemoteGetWarm(b *testing.B) {
	m := newMemRemote()
	m.put(b, valid("acme"))
	s := tenant.NewStore()
	s.SetRemote(tenant.RemoteOptions{Remote: m})
	_, err := s.Get("acme")
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get("acme"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFolderGetWarm is BenchmarkRemoteGetWarm's baseline: a Store
// without a remote.
func BenchmarkFolderGetWarm(b *testing.B) {
	s := tenant.NewStore(tree(b, valid("acme")))
	_, err := s.Get("acme")
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get("acme"); err != nil {
			b.Fatal(err)
		}
	}
}
