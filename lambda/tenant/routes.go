package tenant

import (
	"fmt"
	"slices"
	"sort"
)

// routes maps match values to tenant ids, those of tenants that failed to
// load included. A value two tenants claim is in no map (guessing would send
// one tenant's users the other's brand), unless one of them failed to load:
// then it leads to that one, whose users get the minimal email, the safe
// answer for both.
type routes struct {
	attribute, client, pool map[string]string
	// broken holds what each tenant that failed to load claims.
	broken map[string]Match
	// unrouted says, by match field, why a value some tenants claim is not
	// simply theirs (two tenants claim it), for the warning.
	unrouted  map[string]map[string]string
	conflicts []error
}

// claims is what each tenant claims, by tenant id.
type claims struct {
	match  map[string]Match
	broken map[string]bool // failed to load: its claims were read leniently
	err    error           // the layers could not be listed
}

// folderClaims reads the folder layers' claims once: they cannot change.
func (s *Store) folderClaims() *claims {
	s.claimsOnce.Do(func() {
		c := &claims{match: map[string]Match{}, broken: map[string]bool{}}
		ids, err := s.IDs()
		c.err = err
		for _, id := range ids {
			if t, err := s.getFolder(id); err == nil {
				c.match[id] = t.Match
			} else {
				// Reported by LoadAll. Its users must still be told apart
				// from the default tenant's, so read what it claims.
				c.match[id] = s.brokenMatch(id)
				c.broken[id] = true
			}
		}
		s.claims = c
	})
	return s.claims
}

// with returns c joined with a remote's index: a tenant the index names is
// the remote's, claims and all (see SetRemote).
func (c *claims) with(index RemoteIndex) *claims {
	out := &claims{match: make(map[string]Match, len(c.match)+len(index)), broken: map[string]bool{}, err: c.err}
	for id, m := range c.match {
		out.match[id] = m
	}
	for id := range c.broken {
		out.broken[id] = true
	}
	for id, m := range index {
		out.match[id] = m
		delete(out.broken, id)
	}
	return out
}

// folderRoutes are the folder layers' routes alone, built once.
func (s *Store) folderRoutes() *routes {
	s.routesOnce.Do(func() { s.routes = buildRoutes(s.folderClaims()) })
	return s.routes
}

// index returns the routes in force: the folder layers', joined with the
// remote's index when there is a remote, rebuilt when that index changes.
func (s *Store) index(rc *call) *routes {
	if s.remote == nil {
		return s.folderRoutes()
	}
	index, gen := s.remote.currentIndex(rc)
	s.merged.Lock()
	defer s.merged.Unlock()
	if s.merged.routes == nil || s.merged.gen != gen {
		s.merged.routes = buildRoutes(s.folderClaims().with(index))
		s.merged.gen = gen
	}
	return s.merged.routes
}

func buildRoutes(c *claims) *routes {
	n := len(c.match)
	r := &routes{
		attribute: make(map[string]string, n), client: make(map[string]string, n), pool: make(map[string]string, n),
		broken:   map[string]Match{},
		unrouted: map[string]map[string]string{"tenantAttributeValues": {}, "appClientIds": {}, "userPoolIds": {}},
	}
	if c.err != nil {
		r.conflicts = append(r.conflicts, c.err)
	}
	// Each value's first owner goes straight into its route; the others,
	// rare, aside: with 10,000 tenants in S3 this runs on a cold start's
	// first event, so it allocates per conflict, not per value.
	fields := [...]struct {
		name   string
		target map[string]string
		values func(Match) []string
	}{
		{"tenantAttributeValues", r.attribute, func(m Match) []string { return m.TenantAttributeValues }},
		{"appClientIds", r.client, func(m Match) []string { return m.AppClientIDs }},
		{"userPoolIds", r.pool, func(m Match) []string { return m.UserPoolIDs }},
	}
	var more [len(fields)]map[string][]string
	for id, m := range c.match {
		if c.broken[id] {
			r.broken[id] = m
		}
		for i, f := range fields {
			for _, v := range f.values(m) {
				first, taken := f.target[v]
				switch {
				case !taken:
					f.target[v] = id
				case first != id && !slices.Contains(more[i][v], id):
					if more[i] == nil {
						more[i] = map[string][]string{}
					}
					more[i][v] = append(more[i][v], id)
				}
			}
		}
	}
	for i, f := range fields {
		for value, others := range more[i] {
			owners := append([]string{f.target[value]}, others...)
			sort.Strings(owners)
			delete(f.target, value)
			r.conflicts = append(r.conflicts, fmt.Errorf("match.%s %q is claimed by tenants %v: it routes to none of them", f.name, value, owners))
			r.unrouted[f.name][value] = fmt.Sprintf("match.%s value is claimed by tenants %v", f.name, owners)
			for _, id := range owners {
				if _, failed := r.broken[id]; failed {
					f.target[value] = id
					break
				}
			}
		}
	}
	sort.Slice(r.conflicts, func(i, j int) bool { return r.conflicts[i].Error() < r.conflicts[j].Error() })
	return r
}
