package tenant

import (
	"container/list"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// Defaults of RemoteOptions.
const (
	DefaultRemoteEvery = 60 * time.Second
	// DefaultMaxTenants bounds the remote tenants kept in memory.
	DefaultMaxTenants = 1000
	// DefaultRemoteTimeout bounds one Get's remote reads, index and tenant
	// together: it fits Cognito's 5 s with the rest of an answer.
	DefaultRemoteTimeout = 1500 * time.Millisecond
	// retryNone is how soon a read that failed is tried again while there
	// is no good version at all: S3 hiccups at cold start heal fast.
	retryNone = 5 * time.Second
)

// ErrUnchanged is a Remote's answer when the version the caller has is
// still current (an S3 304).
var ErrUnchanged = errors.New("tenant: unchanged")

// RemoteIndex is what the remote's index says: tenant id → its match values.
type RemoteIndex map[string]Match

// Remote is a layer whose tenants change while the function is warm (S3).
// Both methods take the version (ETag) the caller holds, "" for none, and
// return ErrUnchanged when it is current, else the new content and version.
type Remote interface {
	Index(ctx context.Context, have string) (RemoteIndex, string, error)
	// Folder's fs.FS is rooted at the tenant's folder: tenant.json,
	// locales/…, *.tmpl.
	Folder(ctx context.Context, id, have string) (fs.FS, string, error)
}

// RemoteOptions configure SetRemote.
type RemoteOptions struct {
	Remote Remote
	// Every is how often the index and a cached tenant are revalidated;
	// 0: DefaultRemoteEvery.
	Every time.Duration
	// MaxTenants is how many remote tenants are kept, the least recently
	// used evicted; 0: DefaultMaxTenants.
	MaxTenants int
	// Timeout bounds one Get's remote reads, whole; 0: DefaultRemoteTimeout.
	Timeout time.Duration
	// Accept is the function's own check of a tenant version before it is
	// used (the trigger: the gate over its language × message matrix).
	// nil: parse's validation only.
	Accept func(*Tenant) error
	// Evicted is called with a tenant version that is no longer served
	// (replaced or evicted), so caches keyed by *Tenant can let it go.
	Evicted func(*Tenant)
	// Refused is called once per refused version (metrics). May be nil.
	Refused func(id string, err error)
	Logger  *slog.Logger // never logs PII; tenant ids are fine
	Now     func() time.Time
}

// SetRemote puts a remote layer before every folder layer; call it before
// the Store's first use. A tenant is the remote's if and only if the
// remote's index names it and a version of it passed validation (and
// Accept); then its claims replace a folder tenant's of the same id. A
// version that fails is never served: the last good one stays, else the
// folder layers answer as if the remote had no such tenant. The remote
// being slow or down never fails a Get.
func (s *Store) SetRemote(o RemoteOptions) {
	if o.Every <= 0 {
		o.Every = DefaultRemoteEvery
	}
	if o.MaxTenants <= 0 {
		o.MaxTenants = DefaultMaxTenants
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultRemoteTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s.remote = &remote{o: o, cache: map[string]*entry{}}
}

// remote is the Store's remote layer: the index, and an LRU of tenants.
type remote struct {
	o RemoteOptions

	mu    sync.Mutex
	idx   remoteIndex
	cache map[string]*entry
	lru   list.List // of *entry, most recently used first
	later []func()  // callbacks to make once r.mu is released
}

// unlock releases r.mu, then makes the callbacks queued under it: they
// may take locks of their own (the renderer's) or even call the Store.
func (r *remote) unlock() {
	later := r.later
	r.later = nil
	r.mu.Unlock()
	for _, f := range later {
		f()
	}
}

type remoteIndex struct {
	m       RemoteIndex
	version string
	ever    bool          // an index was read once
	next    time.Time     // when it is due for revalidation
	gen     uint64        // counts changes, for the routes
	busy    chan struct{} // closed when the read in progress ends
}

// call is one Get's remote work: its context, made only if it reads.
type call struct {
	r      *remote
	ctx    context.Context
	cancel context.CancelFunc
}

func (c *call) context() context.Context {
	if c.ctx == nil {
		c.ctx, c.cancel = context.WithTimeout(context.Background(), c.r.o.Timeout)
	}
	return c.ctx
}

func (c *call) done() {
	if c.cancel != nil {
		c.cancel()
	}
}

// currentIndex revalidates the index if due and returns it with its
// generation.
func (r *remote) currentIndex(rc *call) (RemoteIndex, uint64) {
	if rc == nil {
		own := call{r: r}
		defer own.done()
		rc = &own
	}
	now := r.o.Now()
	r.mu.Lock()
	r.freshIndex(rc, now)
	index, gen := r.idx.m, r.idx.gen
	r.unlock()
	return index, gen
}

// freshIndex revalidates the index if it is due. Called with r.mu held,
// which it releases while reading. While another goroutine reads, the last
// good index serves; only before the first one was read does it wait.
func (r *remote) freshIndex(c *call, now time.Time) {
	for r.idx.busy != nil {
		if r.idx.ever {
			return
		}
		busy := r.idx.busy
		r.mu.Unlock()
		<-busy
		r.mu.Lock()
		now = r.o.Now()
	}
	if now.Before(r.idx.next) {
		return
	}
	busy := make(chan struct{})
	r.idx.busy = busy
	have := r.idx.version
	r.mu.Unlock()
	index, version, err := r.o.Remote.Index(c.context(), have)
	r.mu.Lock()
	defer close(busy)
	r.idx.busy = nil
	now = r.o.Now()
	r.idx.next = now.Add(r.o.Every)
	switch {
	case errors.Is(err, ErrUnchanged):
	case err != nil:
		r.later = append(r.later, func() {
			r.o.Logger.Warn("tenant store unreachable", "object", "index", "error", err.Error())
		})
		if !r.idx.ever {
			r.idx.next = now.Add(min(r.o.Every, retryNone))
		}
	default:
		r.replaceIndex(index, version)
	}
}

// replaceIndex puts a new index in force. A tenant it no longer names is
// dropped; one whose claims changed is revalidated on its next use.
func (r *remote) replaceIndex(index RemoteIndex, version string) {
	for id := range index {
		if !validID(id) { // push never writes one; Get could never ask for it
			index = maps.Clone(index)
			maps.DeleteFunc(index, func(id string, _ Match) bool { return !validID(id) })
			break
		}
	}
	for id, e := range r.cache {
		m, ok := index[id]
		if !ok {
			r.drop(e)
			continue
		}
		if old := r.idx.m[id]; !sameMatch(old, m) {
			e.next = time.Time{}
		}
	}
	r.idx.m, r.idx.version, r.idx.ever = index, version, true
	r.idx.gen++
}

func sameMatch(a, b Match) bool {
	return slices.Equal(a.UserPoolIDs, b.UserPoolIDs) && slices.Equal(a.AppClientIDs, b.AppClientIDs) &&
		slices.Equal(a.TenantAttributeValues, b.TenantAttributeValues)
}
