package tenant

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Defaults of RemoteOptions.
const (
	DefaultRemoteEvery = 60 * time.Second
	// DefaultMaxTenants bounds the remote tenants kept in memory, in units
	// of weight (see TemplateWeight): 1000 units ≈ 1,000 plain tenants
	// ≈ 3 MB, or 20 tenants with templates ≈ 20 MB (BENCHMARKS.md).
	DefaultMaxTenants = 1000
	// TemplateWeight is what a remote tenant whose folder has any *.tmpl
	// counts against MaxTenants, a plain (tenant.json and locales) one
	// counting 1: the renderer keeps a template set of its own for it,
	// ~1 MB, where a plain tenant costs ~3 KB.
	TemplateWeight = 50
	// DefaultRemoteTimeout bounds one Get's remote reads, index and tenant
	// together: it fits Cognito's 5 s with the rest of an answer.
	DefaultRemoteTimeout = 1500 * time.Millisecond
	// retryNone is how soon a read that failed is tried again while there
	// is no good version at all: S3 hiccups at cold start heal fast.
	retryNone = 5 * time.Second
	// staleEvery is how soon the index is read again when a tenant's
	// version no longer claims what the index says it does (staleIndex).
	staleEvery = time.Second
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
	// MaxTenants is how many plain remote tenants are kept, the least
	// recently used evicted: a budget of weight, where a tenant with its
	// own templates counts TemplateWeight; 0: DefaultMaxTenants.
	MaxTenants int
	// Timeout bounds one Get's remote reads, whole; 0: DefaultRemoteTimeout.
	Timeout time.Duration
	// Accept is the function's own check of a tenant version before it is
	// used (the trigger: the gate over its language × message matrix).
	// nil: parse's validation only.
	Accept func(*Tenant) error
	// Evicted is called with a tenant version that is no longer served
	// (replaced or evicted), or that was read, handed to Accept and then
	// never served (refused, or dropped from the index while read), so
	// caches keyed by *Tenant (what Accept prepared) can let it go.
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

	mu     sync.Mutex
	idx    remoteIndex
	cache  map[string]*entry
	lru    list.List // of *entry, most recently used first
	weight int       // the cache's entries' weights, summed
	reads  uint64    // counts finished reads, index and tenants: which came first
	later  []func()  // callbacks to make once r.mu is released
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
	changed uint64        // r.reads when it last changed
	readAt  time.Time     // when it was last read (changed or not)
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
	relocked := false
	defer func() { // whatever happens, waiters are let go
		if !relocked {
			r.mu.Lock()
			defer r.mu.Unlock()
		}
		r.idx.busy = nil
		close(busy)
	}()
	index, version, err := r.readIndex(c.context(), have)
	r.mu.Lock()
	relocked = true
	now = r.o.Now()
	r.idx.next = now.Add(r.o.Every)
	r.reads++
	r.idx.readAt = now
	switch {
	case errors.Is(err, ErrUnchanged):
	case err != nil: // the last good index stays in force
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

// readIndex is Remote.Index, a panic in it an error: the index is the
// remote's to parse, and a bug there must not fail an answer.
func (r *remote) readIndex(ctx context.Context, have string) (index RemoteIndex, version string, err error) {
	defer func() {
		if v := recover(); v != nil {
			index, version, err = nil, "", panicError(v)
		}
	}()
	return r.o.Remote.Index(ctx, have)
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
	if len(index) == 0 && (len(r.idx.m) > 0 || !r.idx.ever) {
		// Once per change: routing falls to the folder layers, which an
		// emptied index (a wrong prefix, a bad push) would hide.
		r.later = append(r.later, func() {
			r.o.Logger.Warn("the S3 index names no tenant", "object", "index", "version", version)
		})
	}
	r.idx.m, r.idx.version, r.idx.ever = index, version, true
	r.idx.gen++
	r.idx.changed = r.reads
}

// staleIndex is route's report that tenant t, which an index claim led to,
// does not itself claim that value: a version newer than the index (push
// writes the index last). If t was read after the index last changed, the
// index is read again on the next Get, but at most once per staleEvery: a
// push takes seconds, and a mismatch push did not make must not cost an
// index read per event.
func (r *remote) staleIndex(t *Tenant) {
	r.mu.Lock()
	if e := r.cache[t.ID]; e != nil && e.t == t && e.read > r.idx.changed {
		if due := r.idx.readAt.Add(staleEvery); due.Before(r.idx.next) {
			r.idx.next = due
		}
	}
	r.unlock()
}

// panicError describes a recovered panic without its value, which might
// hold anything (a runtime error's own words hold no data), and where it
// happened.
func panicError(v any) error {
	what := fmt.Sprintf("%T", v)
	if e, ok := v.(runtime.Error); ok {
		what = e.Error()
	}
	// Called by a deferred recover: the stack still holds the panic's
	// frames, the first beyond runtime.gopanic that is not the runtime's.
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	for past := false; ; {
		f, more := frames.Next()
		if past && !strings.HasPrefix(f.Function, "runtime.") {
			return fmt.Errorf("panic: %s at %s:%d", what, path.Base(f.File), f.Line)
		}
		past = past || f.Function == "runtime.gopanic"
		if !more {
			return fmt.Errorf("panic: %s", what)
		}
	}
}

func sameMatch(a, b Match) bool {
	return slices.Equal(a.UserPoolIDs, b.UserPoolIDs) && slices.Equal(a.AppClientIDs, b.AppClientIDs) &&
		slices.Equal(a.TenantAttributeValues, b.TenantAttributeValues)
}
