package tenantsync

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cogmail/cogmail/lambda/tenant"
)

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		name, raw string
		want      Target
		err       bool
	}{
		{"prefix", "s3://bucket/tenants/", Target{"bucket", "tenants/"}, false},
		{"slash added", "s3://bucket/a/tenants", Target{"bucket", "a/tenants/"}, false},
		{"bucket root", "s3://bucket", Target{"bucket", ""}, false},
		{"bucket root with slash", "s3://bucket/", Target{"bucket", ""}, false},
		{"not s3", "https://bucket/tenants/", Target{}, true},
		{"no bucket", "s3:///tenants/", Target{}, true},
		{"a query", "s3://bucket/t/?x=1", Target{}, true},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			got, err := ParseURL(c.raw)
			assert.Equal(t, c.err, err != nil, "error: %v", err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestSameAsETag(t *testing.T) {
	// md5("hello\n"), as S3 answers for a single-part PUT.
	assert.True(t, sameAsETag([]byte("hello\n"), `"b1946ac92492d2347c6235b4d2611184"`))
	assert.False(t, sameAsETag([]byte("hello\n"), `b1946ac92492d2347c6235b4d2611184`), "S3's ETag is quoted")
	assert.False(t, sameAsETag([]byte("hello\n"), `"b1946ac92492d2347c6235b4d2611184-2"`), "a multipart ETag is never the MD5")
}

func TestConflicts(t *testing.T) {
	embedded := map[string]tenant.Match{
		"acme":    {UserPoolIDs: []string{"pool-a"}, TenantAttributeValues: []string{"acme", "acme-rockets"}},
		"default": {},
	}
	for _, c := range []struct {
		name   string
		pushed map[string]tenant.Match
		index  map[string]tenant.Match
		want   []string
	}{
		{"free values", map[string]tenant.Match{"globex": {UserPoolIDs: []string{"pool-g"}, AppClientIDs: []string{"c1"}}}, nil, nil},
		{"the same tenant again", map[string]tenant.Match{"globex": {AppClientIDs: []string{"c1"}}},
			map[string]tenant.Match{"globex": {AppClientIDs: []string{"c1"}}}, nil},
		{"an embedded tenant's attribute value", map[string]tenant.Match{"globex": {TenantAttributeValues: []string{"acme-rockets"}}}, nil,
			[]string{`match.tenantAttributeValues "acme-rockets" is claimed by tenants [acme globex]`}},
		{"an S3 tenant's app client", map[string]tenant.Match{"globex": {AppClientIDs: []string{"c1"}}},
			map[string]tenant.Match{"initech": {AppClientIDs: []string{"c1"}}},
			[]string{`match.appClientIds "c1" is claimed by tenants [globex initech]`}},
		{"another tenant's id as an attribute value", map[string]tenant.Match{"globex": {TenantAttributeValues: []string{"initech"}}},
			map[string]tenant.Match{"initech": {}},
			[]string{`match.tenantAttributeValues "initech" is claimed by tenants [globex initech]`}},
		{"an id another claims as its attribute", map[string]tenant.Match{"acme-rockets": {}}, nil,
			[]string{`match.tenantAttributeValues "acme-rockets" is claimed by tenants [acme acme-rockets]`}},
		{"S3 replaces the embedded tenant of the same id", map[string]tenant.Match{"globex": {UserPoolIDs: []string{"pool-a"}}},
			map[string]tenant.Match{"acme": {UserPoolIDs: []string{"pool-b"}}}, nil},
		{"the pushed tenant replaces its own embedded claims", map[string]tenant.Match{"acme": {UserPoolIDs: []string{"pool-b"}}}, nil, nil},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			others := map[string]tenant.Match{}
			for id, m := range embedded {
				if _, ok := c.pushed[id]; !ok {
					others[id] = m
				}
			}
			var got []string
			for _, err := range conflicts(c.pushed, c.index, others) {
				got = append(got, err.Error())
			}
			assert.Equal(t, c.want, got)
		})
	}
}

func TestLineDiff(t *testing.T) {
	for _, c := range []struct {
		name, a, b string
		limit      int
		want       []string
	}{
		{"one line changed", "a\nb\nc", "a\nB\nc", 10, []string{"-b", "+B"}},
		{"a line added", "a\nc", "a\nb\nc", 10, []string{"+b"}},
		{"cut at the limit", "1\n2\n3", "4\n5\n6", 2, []string{"-1", "-2", "…"}},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			assert.Equal(t, c.want, lineDiff(c.a, c.b, c.limit))
		})
	}
}
