package tenantsync

import (
	"fmt"
	"sort"

	"github.com/cogmail/cogmail/lambda/tenant"
)

// conflicts lists what a pushed tenant would claim that another tenant
// already owns, in S3 (index) or embedded (others; a tenant in S3 replaces
// the embedded one of the same id, as in the functions): the same match
// value, or an attribute value that is another tenant's id (the tenant
// attribute names a tenant by id first), or the reverse.
func conflicts(pushed map[string]tenant.Match, index, others map[string]tenant.Match) []error {
	world := map[string]tenant.Match{}
	for id, m := range others {
		world[id] = m
	}
	for id, m := range index {
		world[id] = m
	}
	for id, m := range pushed {
		world[id] = m
	}
	owners := map[string]map[string][]string{} // field → value → ids
	claim := func(field, value, id string) {
		if owners[field] == nil {
			owners[field] = map[string][]string{}
		}
		for _, o := range owners[field][value] {
			if o == id {
				return
			}
		}
		owners[field][value] = append(owners[field][value], id)
	}
	for id, m := range world {
		for _, v := range m.UserPoolIDs {
			claim("userPoolIds", v, id)
		}
		for _, v := range m.AppClientIDs {
			claim("appClientIds", v, id)
		}
		claim("tenantAttributeValues", id, id) // an attribute names its tenant by id
		for _, v := range m.TenantAttributeValues {
			claim("tenantAttributeValues", v, id)
		}
	}
	var errs []error
	for field, values := range owners {
		for value, ids := range values {
			mine := 0
			for _, id := range ids {
				if _, ok := pushed[id]; ok {
					mine++
				}
			}
			if len(ids) < 2 || mine == 0 {
				continue // not pushed now: not this push's to refuse
			}
			sort.Strings(ids)
			errs = append(errs, fmt.Errorf("match.%s %q is claimed by tenants %v", field, value, ids))
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}
