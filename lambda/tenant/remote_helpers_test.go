package tenant_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cogmail/cogmail/lambda/tenant"
)

// memRemote is a tenant.Remote in memory: what a bucket holds, with a
// version per object as S3's ETags, and a count of what was asked.
type memRemote struct {
	mu       sync.Mutex
	index    tenant.RemoteIndex
	indexV   string
	folders  map[string]fstest.MapFS
	versions map[string]string
	n        int
	down     bool
	indexN   int
	folderN  map[string]int
	// hold, when set, makes Folder wait for it, after telling entered.
	hold, entered chan struct{}
	// wrap, when set, is what Folder serves instead of a tenant's files.
	wrap func(id string, files fstest.MapFS) fs.FS
}

func newMemRemote() *memRemote {
	return &memRemote{index: tenant.RemoteIndex{}, folders: map[string]fstest.MapFS{}, versions: map[string]string{}, folderN: map[string]int{}}
}

func (m *memRemote) version() string {
	m.n++
	return fmt.Sprintf(`"v%d"`, m.n)
}

// put uploads tn (as push would: its files, then the index).
func (m *memRemote) put(t testing.TB, tn *tenant.Tenant) {
	m.putRaw(tn.ID, encode(t, tn), tn.Match)
}

func (m *memRemote) putRaw(id string, tenantJSON []byte, match tenant.Match) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.folders[id] = fstest.MapFS{"tenant.json": {Data: tenantJSON}}
	m.versions[id] = m.version()
	if old, ok := m.index[id]; !ok || fmt.Sprint(old) != fmt.Sprint(match) {
		m.index = maps.Clone(m.index)
		m.index[id] = match
		m.indexV = m.version()
	}
}

func (m *memRemote) remove(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.index = maps.Clone(m.index)
	delete(m.index, id)
	m.indexV = m.version()
}

func (m *memRemote) setDown(down bool) {
	m.mu.Lock()
	m.down = down
	m.mu.Unlock()
}

func (m *memRemote) counts(id string) (index, folder int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.indexN, m.folderN[id]
}

var errDown = errors.New("GET _index.json: connection refused")

func (m *memRemote) Index(_ context.Context, have string) (tenant.RemoteIndex, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.indexN++
	switch {
	case m.down:
		return nil, "", errDown
	case have == m.indexV:
		return nil, "", tenant.ErrUnchanged
	}
	return maps.Clone(m.index), m.indexV, nil
}

func (m *memRemote) Folder(_ context.Context, id, have string) (fs.FS, string, error) {
	m.mu.Lock()
	hold, entered := m.hold, m.entered
	m.folderN[id]++
	m.mu.Unlock()
	if hold != nil {
		entered <- struct{}{}
		<-hold
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.down:
		return nil, "", errDown
	case m.folders[id] == nil:
		return nil, "", fmt.Errorf("GET %s/_manifests: 404", id)
	case have == m.versions[id]:
		return nil, "", tenant.ErrUnchanged
	}
	if m.wrap != nil {
		return m.wrap(id, m.folders[id]), m.versions[id], nil
	}
	return m.folders[id], m.versions[id], nil
}

// addFile adds a file to id's folder as a new version (the index unchanged).
func (m *memRemote) addFile(id, name string, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	files := maps.Clone(m.folders[id])
	files[name] = &fstest.MapFile{Data: data}
	m.folders[id] = files
	m.versions[id] = m.version()
}

// clock is a time the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// remoteStore is a Store over a memRemote and folder layers, with what its
// callbacks and its logger were told.
type remoteStore struct {
	*tenant.Store
	clock   *clock
	mu      sync.Mutex
	evicted []*tenant.Tenant
	refused []string
	log     bytes.Buffer
}

const every = time.Minute

func newRemoteStore(m *memRemote, o tenant.RemoteOptions, layers ...fs.FS) *remoteStore {
	rs := &remoteStore{Store: tenant.NewStore(layers...), clock: &clock{t: time.Unix(1e9, 0)}}
	if o.Remote == nil { // else a wrapper of m
		o.Remote = m
	}
	o.Every, o.Now = every, rs.clock.now
	o.Evicted = func(t *tenant.Tenant) { rs.mu.Lock(); rs.evicted = append(rs.evicted, t); rs.mu.Unlock() }
	o.Refused = func(id string, err error) { rs.mu.Lock(); rs.refused = append(rs.refused, id); rs.mu.Unlock() }
	o.Logger = slog.New(slog.NewTextHandler(lockedWriter{&rs.mu, &rs.log}, nil))
	rs.SetRemote(o)
	return rs
}

func (rs *remoteStore) told() (evicted []*tenant.Tenant, refused []string, log string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]*tenant.Tenant(nil), rs.evicted...), append([]string(nil), rs.refused...), rs.log.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// named is a valid tenant with a display name and claims.
func named(id, name string, m tenant.Match) *tenant.Tenant {
	tn := valid(id)
	tn.DisplayName = name
	tn.Match = m
	return tn
}

// broken fails validation (a link mode that does not exist).
func broken(id string) *tenant.Tenant {
	tn := valid(id)
	tn.Links.Mode = "path"
	return tn
}

func pools(p ...string) tenant.Match { return tenant.Match{UserPoolIDs: p} }
