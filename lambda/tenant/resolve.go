package tenant

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
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
	Tenant *Tenant
	// ID is the tenant's id; it is set also when that tenant failed to
	// load, and Tenant is then nil.
	ID      string
	By      string // "attribute", "appClient", "userPool" or "default"
	Warning string // why a value that was present did not decide
}

// Resolve finds the tenant of an event: the user's tenant attribute (a
// tenant id or one of a tenant's match.tenantAttributeValues), then the app
// client id, then the user pool id, then the default tenant. An attribute
// value that names no tenant sends the event to the default tenant, with a
// warning: it is more specific than the pool, so the pool's tenant might be
// the wrong brand.
//
// An event that belongs to a tenant which failed to load, by any of these
// routes, gets an error naming that tenant and why, and no tenant: never
// the default, whose brand and links are another tenant's. The error is
// also set when the default tenant itself is needed and fails to load. A
// remote's tenant whose every version was refused (or never read) is not
// such a tenant: as for Get, it is as if the remote did not have it.
func (s *Store) Resolve(r Route) (Resolution, error) {
	var warning string
	var rc *call // with a remote, its reads for this event share one Timeout
	if s.remote != nil {
		rc = &call{r: s.remote}
		defer rc.done()
	}
	rt := s.index(rc)
	if v := strings.TrimSpace(r.Attribute); v != "" {
		var c candidate
		t, err := s.get(rc, v)
		switch {
		case err == nil:
			c = candidate{id: v, t: t, match: t.Match}
		case !errors.Is(err, fs.ErrNotExist) && validID(v):
			// A folder of that name exists but does not load.
			c = candidate{id: v, err: err, match: rt.broken[v]}
		default:
			c = s.route(rc, rt, byAttribute, v)
		}
		switch {
		case c.id != "" && inPool(c.match, r.UserPoolID):
			return c.resolve("attribute", "")
		case c.id != "":
			warning = "tenant attribute names a tenant of another user pool"
		default:
			warning = "tenant attribute names no tenant"
		}
	} else {
		if r.ClientID != "" && r.ClientID != notApplicable {
			// The caller of ForgotPassword or SignUp picks the client: it
			// decides only within the tenant's own pools.
			if c := s.route(rc, rt, byClient, r.ClientID); c.id != "" && inPool(c.match, r.UserPoolID) {
				return c.resolve("appClient", rt.unrouted["appClientIds"][r.ClientID])
			}
		}
		if r.UserPoolID != "" {
			if c := s.route(rc, rt, byPool, r.UserPoolID); c.id != "" {
				return c.resolve("userPool", rt.unrouted["userPoolIds"][r.UserPoolID])
			}
			warning = rt.unrouted["userPoolIds"][r.UserPoolID]
		}
	}
	t, err := s.get(rc, DefaultID)
	if err != nil {
		return Resolution{ID: DefaultID, By: "default", Warning: warning}, err
	}
	return Resolution{Tenant: t, ID: DefaultID, By: "default", Warning: warning}, nil
}

// candidate is the tenant a route leads to: loaded, or failed to load (err)
// with the match values it claims, read leniently.
type candidate struct {
	id    string
	t     *Tenant
	err   error
	match Match
}

func (c candidate) resolve(by, warning string) (Resolution, error) {
	if c.err != nil {
		return Resolution{ID: c.id, By: by, Warning: warning},
			fmt.Errorf("this event belongs to tenant %s (by %s), which failed to load: %w", c.id, by, c.err)
	}
	return Resolution{Tenant: c.t, ID: c.id, By: by, Warning: warning}, nil
}

// inPool reports whether an event of pool may belong to a tenant matching m:
// a tenant that lists user pools owns events of those pools only, attribute
// values and app clients included. An event without a pool id (never sent
// by Cognito) does not constrain.
func inPool(m Match, pool string) bool {
	if pool == "" || len(m.UserPoolIDs) == 0 {
		return true
	}
	for _, p := range m.UserPoolIDs {
		if p == pool {
			return true
		}
	}
	return false
}

// by is one of a route's match fields: its map in routes, and its list in
// a Match.
type by struct {
	index func(*routes) map[string]string
	claim func(Match) []string
}

var (
	byAttribute = by{func(rt *routes) map[string]string { return rt.attribute }, func(m Match) []string { return m.TenantAttributeValues }}
	byClient    = by{func(rt *routes) map[string]string { return rt.client }, func(m Match) []string { return m.AppClientIDs }}
	byPool      = by{func(rt *routes) map[string]string { return rt.pool }, func(m Match) []string { return m.UserPoolIDs }}
)

// route follows key in one of rt's maps. A tenant that is nowhere (the
// remote's index names it, but no version of it ever loaded, and no folder
// has it) does not claim: its values route as if unclaimed, to the default.
// Nor does a version that does not itself claim key: the index said it
// did, but the version is newer (push writes the index last) or older
// than the index; its event goes where the version's own claims would
// send it (not here), and an index older than it is read again.
func (s *Store) route(rc *call, rt *routes, field by, key string) candidate {
	id, ok := field.index(rt)[key]
	if !ok {
		return candidate{}
	}
	t, err := s.get(rc, id)
	if errors.Is(err, fs.ErrNotExist) {
		return candidate{}
	}
	if err != nil {
		return candidate{id: id, err: err, match: rt.broken[id]}
	}
	if !slices.Contains(field.claim(t.Match), key) {
		if s.remote != nil {
			s.remote.staleIndex(t)
		}
		return candidate{}
	}
	return candidate{id: id, t: t, match: t.Match}
}

// brokenMatch reads leniently what a tenant that failed to load claims: its
// tenant.json may have an unknown field, a value of the wrong type or a
// syntax error after its match object. The layer that would have served it
// decides, as in load.
func (s *Store) brokenMatch(id string) Match {
	for _, layer := range s.layers {
		data, err := fs.ReadFile(layer, "tenants/"+id+"/tenant.json")
		if err != nil {
			continue
		}
		return lenientMatch(data)
	}
	return Match{}
}

// lenientMatch returns the match object of a tenant.json, reading each of
// its lists as a list of strings or a single string and skipping what is
// neither. It walks the top-level object token by token, so that a syntax
// error after the match object does not hide it.
func lenientMatch(data []byte) Match {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return Match{}
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return Match{}
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return Match{}
		}
		if key != "match" {
			continue
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal(value, &fields) != nil {
			return Match{}
		}
		return Match{
			UserPoolIDs:           strings1(fields["userPoolIds"]),
			AppClientIDs:          strings1(fields["appClientIds"]),
			TenantAttributeValues: strings1(fields["tenantAttributeValues"]),
		}
	}
	return Match{}
}

// strings1 reads a list of strings, or one string; nothing else.
func strings1(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	// A list with a non-string in it: keep its strings.
	var mixed []any
	if json.Unmarshal(raw, &mixed) != nil {
		return nil
	}
	for _, v := range mixed {
		if s, ok := v.(string); ok {
			list = append(list, s)
		}
	}
	return list
}
