package tenant

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// entry is one remote tenant: its last good version and where it stands.
type entry struct {
	id   string
	t    *Tenant       // the last good version; nil: none
	seen string        // the newest version read, good or refused: what Folder is asked about
	next time.Time     // when it is due for revalidation
	busy chan struct{} // closed when the read in progress ends
	elem *list.Element
	// weight is what it counts against MaxTenants: 1, or TemplateWeight
	// when its version has templates of its own.
	weight int
	read   uint64 // remote.reads when t was read (see staleIndex)
}

// refusal is a version of a tenant that was read and is not to be used.
type refusal struct{ error }

// get returns the remote's good version of id, nil if it has none (the
// index does not name id, or no version of it ever passed, or none could
// be read): the folder layers answer then.
func (r *remote) get(rc *call, id string) *Tenant {
	if rc == nil {
		own := call{r: r}
		defer own.done()
		rc = &own
	}
	now := r.o.Now() // before the lock: the clock is the slower part
	r.mu.Lock()
	r.freshIndex(rc, now)
	// An id the index does not name has no entry (replaceIndex drops them).
	e := r.cache[id]
	if e == nil {
		if _, listed := r.idx.m[id]; !listed {
			r.unlock()
			return nil
		}
		e = r.add(id)
	} else {
		r.lru.MoveToFront(e.elem)
	}
	if e.busy == nil && now.Before(e.next) { // fresh: the warm path
		t := e.t
		r.unlock()
		return t
	}
	// One read per id at a time: the others serve the last good version,
	// or wait for the read when there is none.
	for e.busy != nil && e.t == nil {
		busy := e.busy
		r.mu.Unlock()
		<-busy
		r.mu.Lock()
		now = r.o.Now()
	}
	if e.busy == nil && !now.Before(e.next) && r.cache[id] == e {
		r.fetch(rc, e)
	}
	t := e.t
	if r.cache[id] != e { // dropped from the index meanwhile
		t = nil
	}
	r.unlock()
	return t
}

// add caches a new entry for id, evicting beyond the budget.
func (r *remote) add(id string) *entry {
	e := &entry{id: id, weight: 1}
	e.elem = r.lru.PushFront(e)
	r.cache[id] = e
	r.weight += e.weight
	r.evict(e)
	return e
}

// evict drops the least recently used entries until the cache's weight is
// within MaxTenants: never keep, the entry being served, nor one being
// read (its reader owns it until it is done).
func (r *remote) evict(keep *entry) {
	for el := r.lru.Back(); el != nil && r.weight > r.o.MaxTenants; {
		prev := el.Prev()
		if old := el.Value.(*entry); old != keep && old.busy == nil {
			r.drop(old)
		}
		el = prev
	}
}

// drop forgets e; its version is no longer served.
func (r *remote) drop(e *entry) {
	delete(r.cache, e.id)
	r.lru.Remove(e.elem)
	r.weight -= e.weight
	r.forget(e.t)
}

// forget queues Evicted for t, a version not (or no longer) served.
func (r *remote) forget(t *Tenant) {
	if t != nil && r.o.Evicted != nil {
		r.later = append(r.later, func() { r.o.Evicted(t) })
	}
}

// weigh is what t counts against MaxTenants: TemplateWeight if its folder
// has any *.tmpl (the renderer parses a template set of its own for it),
// else 1. A folder that cannot be listed counts as having templates.
func weigh(t *Tenant) int {
	if m, err := fs.Glob(t.files, "*.tmpl"); err != nil || len(m) > 0 {
		return TemplateWeight
	}
	return 1
}

// fetch revalidates e. Called with r.mu held, which it releases while
// reading. Whatever happens, e is fresh again for Every: a broken upload
// or an unreachable store costs one read per Every, not one per event.
func (r *remote) fetch(c *call, e *entry) {
	busy := make(chan struct{})
	e.busy = busy
	have := e.seen
	r.mu.Unlock()
	relocked := false
	defer func() { // whatever happens, waiters are let go
		if !relocked {
			r.mu.Lock()
			defer r.mu.Unlock()
		}
		e.busy = nil
		close(busy)
	}()
	t, version, err := r.read(c.context(), e.id, have)
	r.mu.Lock()
	relocked = true
	r.reads++
	if r.cache[e.id] != e {
		r.forget(t) // dropped while read: nothing of it is served
		return
	}
	now := r.o.Now()
	e.next = now.Add(r.o.Every)
	id, log := e.id, r.o.Logger
	var refused refusal
	switch {
	case errors.Is(err, ErrUnchanged):
	case errors.As(err, &refused):
		e.seen = version
		r.forget(t) // Accept may have prepared it
		r.later = append(r.later, func() {
			log.Warn("tenant version refused", "tenant", id, "version", version, "error", refused.Error())
			if r.o.Refused != nil {
				r.o.Refused(id, refused.error)
			}
		})
	case err != nil:
		if e.t == nil {
			e.next = now.Add(min(r.o.Every, retryNone))
		}
		r.later = append(r.later, func() {
			log.Warn("tenant store unreachable", "tenant", id, "error", err.Error())
		})
	default:
		r.forget(e.t)
		e.t, e.seen, e.read = t, version, r.reads
		r.weight += t.weight - e.weight
		e.weight = t.weight
		r.evict(e)
	}
}

// read asks the remote for id's version newer than have and checks it: a
// refusal is a version that failed (with the version, if it parsed, for
// Evicted: Accept saw it); any other error, the remote's. A panic in the
// remote's read is the remote's error; one in parse or Accept, a refusal.
func (r *remote) read(ctx context.Context, id, have string) (t *Tenant, version string, err error) {
	checking := false
	defer func() {
		if v := recover(); v != nil {
			err = panicError(v)
			if checking {
				err = refusal{err}
			}
		}
	}()
	files, version, err := r.o.Remote.Folder(ctx, id, have)
	if err != nil {
		return nil, "", err
	}
	if files == nil {
		return nil, "", fmt.Errorf("tenant %s: the remote returned no files", id)
	}
	checking = true
	t, err = parseFolder(id, files)
	if err == nil && r.o.Accept != nil {
		err = r.o.Accept(t)
	}
	if err != nil {
		return t, version, refusal{err}
	}
	return t, version, nil
}

// parseFolder reads a remote tenant strictly: unlike the embedded layer,
// nothing checked it when the function was built.
func parseFolder(id string, files fs.FS) (*Tenant, error) {
	data, err := fs.ReadFile(files, "tenant.json")
	if err != nil {
		return nil, fmt.Errorf("tenant.json: %w", err)
	}
	t, err := parse(data, files)
	if err != nil {
		return nil, fmt.Errorf("tenant.json: %w", err)
	}
	if t.ID != id {
		return nil, fmt.Errorf("tenant.json: id %q does not match its folder", t.ID)
	}
	if p, ok := files.(interface{ PushChecked() bool }); ok {
		t.pushChecked = p.PushChecked()
	}
	t.weight = weigh(t)
	return t, nil
}
