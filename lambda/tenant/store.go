package tenant

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"
)

// DefaultAttribute is the user attribute that names a user's tenant. It must
// be read-only for app clients (not in their write attributes), or users could
// move themselves into another tenant's branding and links.
const DefaultAttribute = "custom:tenant_id"

// notApplicable is the clientId Cognito sends on admin calls.
const notApplicable = "CLIENT_ID_NOT_APPLICABLE"

// Store finds tenants in layers of folders holding tenants/<id>/: an overlay
// first (a Lambda layer, say), then the embedded ones. A tenant folder in an
// earlier layer replaces the same id's folder in a later one whole.
//
// Tenants are read and validated on first use and kept, so cold start does
// not grow with their number; the index of pool and app-client ids is built
// the first time an event needs it. A remote layer (S3, see SetRemote) may
// come before all of them.
type Store struct {
	layers []fs.FS
	remote *remote // nil: folder layers only (SetRemote)

	mu      sync.Mutex
	tenants map[string]loaded

	// The folder layers' claims are read once; with a remote, the routes
	// are rebuilt from them and the remote's index when the index changes.
	claimsOnce sync.Once
	claims     *claims
	routesOnce sync.Once
	routes     *routes // the folder layers' alone
	merged     struct {
		sync.Mutex
		gen    uint64
		routes *routes
	}
}

type loaded struct {
	t   *Tenant
	err error
}

// NewStore searches layers in order.
func NewStore(layers ...fs.FS) *Store {
	return &Store{layers: layers, tenants: make(map[string]loaded)}
}

// Checked marks a layer whose tenants were validated when the function was
// built: the embedded ones, which tests and `cogmail check` validate whole
// and which cannot change afterwards. Get reads them without validating
// them again; LoadAll still validates them. An overlay is never Checked: its
// tenants are validated on first use, and a broken one is refused.
func Checked(layer fs.FS) fs.FS { return checked{layer} }

type checked struct{ fs.FS }

// ReadFile and ReadDir pass on the layer's own, faster than Open's.
func (c checked) ReadFile(name string) ([]byte, error)       { return fs.ReadFile(c.FS, name) }
func (c checked) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.FS, name) }

// Get returns tenant id, loading and validating it on first use: from the
// remote if it has a good version of id (see SetRemote), else from the
// folder layers.
func (s *Store) Get(id string) (*Tenant, error) { return s.get(nil, id) }

// get is Get within rc, the remote reads of one Resolve, which share its
// Timeout; nil: Get's own.
func (s *Store) get(rc *call, id string) (*Tenant, error) {
	if !validID(id) {
		return nil, fmt.Errorf("tenant id %q: not a tenant id", id)
	}
	if s.remote != nil {
		if t := s.remote.get(rc, id); t != nil {
			return t, nil
		}
	}
	return s.getFolder(id)
}

// getFolder is Get from the folder layers alone.
func (s *Store) getFolder(id string) (*Tenant, error) {
	if !validID(id) { // LoadAll's ids come from folder names
		return nil, fmt.Errorf("tenant id %q: not a tenant id", id)
	}
	s.mu.Lock()
	l, ok := s.tenants[id]
	s.mu.Unlock()
	if ok {
		return l.t, l.err
	}
	t, err := s.load(id, false)
	if errors.Is(err, fs.ErrNotExist) {
		// Not kept: ids that name no tenant come from outside (a page's
		// unverified parameters), and keeping each would grow without bound.
		return nil, err
	}
	s.mu.Lock()
	if prev, ok := s.tenants[id]; ok { // another goroutine was first
		t, err = prev.t, prev.err
	} else {
		s.tenants[id] = loaded{t, err}
	}
	s.mu.Unlock()
	return t, err
}

// load reads tenant id from the first layer that has it; strict validates
// it even from a Checked layer.
func (s *Store) load(id string, strict bool) (*Tenant, error) {
	dir := path.Join("tenants", id)
	for _, layer := range s.layers {
		data, err := fs.ReadFile(layer, path.Join(dir, "tenant.json"))
		if errors.Is(err, fs.ErrNotExist) {
			if _, statErr := fs.Stat(layer, dir); statErr == nil {
				// The folder would replace a later layer's whole; without
				// its tenant.json that is surely a mistake, not a wish.
				return nil, fmt.Errorf("tenants/%s: a folder without tenant.json", id)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("tenant %s: %w", id, err)
		}
		files, err := fs.Sub(layer, dir)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: %w", id, err)
		}
		read := parse
		if _, ok := layer.(checked); ok && !strict {
			read = parseChecked
		}
		t, err := read(data, files)
		if err != nil {
			return nil, fmt.Errorf("tenants/%s/tenant.json: %w", id, err)
		}
		if t.ID != id {
			return nil, fmt.Errorf("tenants/%s/tenant.json: id %q does not match its folder", id, t.ID)
		}
		return t, nil
	}
	return nil, fmt.Errorf("tenant %s: %w", id, fs.ErrNotExist)
}

// IDs lists every tenant folder in every layer, sorted.
func (s *Store) IDs() ([]string, error) {
	seen := map[string]bool{}
	for _, layer := range s.layers {
		entries, err := fs.ReadDir(layer, "tenants")
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() {
				seen[e.Name()] = true
			}
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

// LoadAll loads and validates every tenant, Checked layers' included, and
// the routing index, and reports every problem at once: for tests and
// `cogmail check`, not for the invocation path. Like IDs, it reads the
// folder layers only, never the remote.
func (s *Store) LoadAll() ([]*Tenant, error) {
	ids, err := s.IDs()
	if err != nil {
		return nil, err
	}
	var errs []error
	var all []*Tenant
	for _, id := range ids {
		t, err := s.getFolder(id)
		if err == nil {
			// Get trusts a Checked layer; this is where it is checked.
			_, err = s.load(id, true)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		all = append(all, t)
	}
	if _, err := s.getFolder(DefaultID); err != nil && !contains(ids, DefaultID) {
		errs = append(errs, fmt.Errorf("no %q tenant: every event that matches no tenant needs it", DefaultID))
	}
	errs = append(errs, s.folderRoutes().conflicts...)
	return all, errors.Join(errs...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
