package tenant

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Route is what an event says about where it comes from. Every field is set
// by Cognito or by the pool's administrators; clientMetadata, which callers
// of public APIs set, is not among them.
type Route struct {
	Attribute  string // the value of the user's tenant attribute
	ClientID   string
	UserPoolID string
}

// Resolution is the tenant an event belongs to, and how it was found.
type Resolution struct {
	Tenant  *Tenant
	By      string // "attribute", "appClient", "userPool" or "default"
	Warning string // why a value that was present did not decide
}

// Resolve finds the tenant of an event: the user's tenant attribute (a
// tenant id or one of a tenant's match.tenantAttributeValues), then the app
// client id, then the user pool id, then the default tenant. An attribute
// value that names no tenant sends the event to the default tenant, with a
// warning: it is more specific than the pool, so the pool's tenant might be
// the wrong brand. The error is set only when the default tenant itself
// fails to load.
func (s *Store) Resolve(r Route) (Resolution, error) {
	var warning string
	if v := strings.TrimSpace(r.Attribute); v != "" {
		t, err := s.Get(v)
		if err != nil {
			t = s.route(s.index().attribute, v)
		}
		switch {
		case t != nil && t.inPool(r.UserPoolID):
			return Resolution{Tenant: t, By: "attribute"}, nil
		case t != nil:
			warning = "tenant attribute names a tenant of another user pool"
		case !errors.Is(err, fs.ErrNotExist) && idPattern.MatchString(v):
			warning = "tenant attribute names a tenant that failed to load: " + err.Error()
		default:
			warning = "tenant attribute names no tenant"
		}
	} else {
		if r.ClientID != "" && r.ClientID != notApplicable {
			// The caller of ForgotPassword or SignUp picks the client: it
			// decides only within the tenant's own pools.
			if t := s.route(s.index().client, r.ClientID); t != nil && t.inPool(r.UserPoolID) {
				return Resolution{Tenant: t, By: "appClient"}, nil
			}
		}
		if r.UserPoolID != "" {
			if t := s.route(s.index().pool, r.UserPoolID); t != nil {
				return Resolution{Tenant: t, By: "userPool"}, nil
			}
			warning = s.index().unrouted[r.UserPoolID]
		}
	}
	t, err := s.Get(DefaultID)
	if err != nil {
		return Resolution{By: "default", Warning: warning}, err
	}
	return Resolution{Tenant: t, By: "default", Warning: warning}, nil
}

// inPool reports whether an event of pool may belong to t: a tenant that
// lists user pools owns events of those pools only. An event without a pool
// id (never sent by Cognito) does not constrain.
func (t *Tenant) inPool(pool string) bool {
	if pool == "" || len(t.Match.UserPoolIDs) == 0 {
		return true
	}
	for _, p := range t.Match.UserPoolIDs {
		if p == pool {
			return true
		}
	}
	return false
}

func (s *Store) route(index map[string]string, key string) *Tenant {
	id, ok := index[key]
	if !ok {
		return nil
	}
	t, err := s.Get(id)
	if err != nil {
		return nil
	}
	return t
}

// routes maps match values to tenant ids. A value two tenants claim is in
// no map: guessing would send one tenant's users the other's brand.
type routes struct {
	attribute, client, pool map[string]string
	// unrouted says why a pool claimed by some tenant routes nowhere (the
	// tenant failed to load, or two tenants claim it), for the warning.
	unrouted  map[string]string
	conflicts []error
}

func (s *Store) index() *routes {
	s.routesOnce.Do(func() { s.routes = s.buildRoutes() })
	return s.routes
}

func (s *Store) buildRoutes() *routes {
	r := &routes{attribute: map[string]string{}, client: map[string]string{}, pool: map[string]string{}, unrouted: map[string]string{}}
	ids, err := s.IDs()
	if err != nil {
		r.conflicts = append(r.conflicts, err)
		return r
	}
	claims := map[string]map[string][]string{"tenantAttributeValues": {}, "appClientIds": {}, "userPoolIds": {}}
	for _, id := range ids {
		t, err := s.Get(id)
		if err != nil {
			// Reported by LoadAll; such a tenant routes nothing, but an
			// event of its pool says so in its warning.
			r.noteBroken(s, id)
			continue
		}
		for name, values := range map[string][]string{
			"tenantAttributeValues": t.Match.TenantAttributeValues,
			"appClientIds":          t.Match.AppClientIDs,
			"userPoolIds":           t.Match.UserPoolIDs,
		} {
			for _, v := range values {
				claims[name][v] = append(claims[name][v], id)
			}
		}
	}
	for name, target := range map[string]map[string]string{
		"tenantAttributeValues": r.attribute, "appClientIds": r.client, "userPoolIds": r.pool,
	} {
		for value, owners := range claims[name] {
			if len(owners) > 1 {
				sort.Strings(owners)
				r.conflicts = append(r.conflicts, fmt.Errorf("match.%s %q is claimed by tenants %v: it routes to none of them", name, value, owners))
				if name == "userPoolIds" {
					r.unrouted[value] = fmt.Sprintf("user pool is claimed by tenants %v", owners)
				}
				continue
			}
			target[value] = owners[0]
		}
	}
	sort.Slice(r.conflicts, func(i, j int) bool { return r.conflicts[i].Error() < r.conflicts[j].Error() })
	return r
}

// noteBroken reads just the pools a tenant that failed to load claims, so
// that its users' events warn instead of silently getting the default brand.
func (r *routes) noteBroken(s *Store, id string) {
	for _, layer := range s.layers {
		data, err := fs.ReadFile(layer, "tenants/"+id+"/tenant.json")
		if err != nil {
			continue
		}
		var partial struct {
			Match Match `json:"match"`
		}
		if json.Unmarshal(data, &partial) == nil {
			for _, pool := range partial.Match.UserPoolIDs {
				r.unrouted[pool] = "user pool belongs to tenant " + id + ", which failed to load"
			}
		}
		return
	}
}
