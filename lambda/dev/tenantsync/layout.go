package tenantsync

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/tenants3"
)

// Format is the version of the index and manifests this package writes and
// reads; another is refused, never guessed.
const Format = 1

// IndexKey and ManifestDir are relative to the prefix; "_" starts no tenant
// id, so neither collides with a tenant folder.
const (
	IndexKey    = "_index.json"
	ManifestDir = "_manifests/"
)

// Target is an S3 location of tenants.
type Target struct{ Bucket, Prefix string }

// ParseURL reads s3://bucket/prefix/; the prefix may be empty (the bucket's
// root) and gets a trailing slash when it lacks one.
func ParseURL(raw string) (Target, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return Target{}, fmt.Errorf("%q is not an s3://bucket/prefix/ URL", raw)
	}
	prefix := strings.TrimPrefix(u.Path, "/")
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return Target{Bucket: u.Host, Prefix: prefix}, nil
}

func (t Target) String() string { return "s3://" + t.Bucket + "/" + t.Prefix }

func (t Target) index() string              { return t.Prefix + IndexKey }
func (t Target) manifest(id string) string  { return t.Prefix + ManifestDir + id + ".json" }
func (t Target) folder(id string) string    { return t.Prefix + id + "/" }
func (t Target) file(id, rel string) string { return t.folder(id) + rel }

// Index is _index.json: every tenant in S3 and what it matches.
type Index struct {
	Format  int                     `json:"format"`
	Tenants map[string]tenant.Match `json:"tenants"`
}

// Manifest is _manifests/<id>.json: a tenant's files (slash paths relative
// to its folder) and the ETag S3 gave each, quotes included.
type Manifest struct {
	Format int               `json:"format"`
	Tenant string            `json:"tenant"`
	Files  map[string]string `json:"files"`
	// Checked is tenants3.CheckedDigest of the files, written by push
	// after its check passed: a function reading exactly these files with
	// the same templates skips the check of every language and message.
	Checked string `json:"checked,omitempty"`
}

func decodeIndex(data []byte) (Index, error) {
	var ix Index
	if err := json.Unmarshal(data, &ix); err != nil {
		return Index{}, fmt.Errorf("%s: %w", IndexKey, err)
	}
	if ix.Format != Format {
		return Index{}, fmt.Errorf("%s: format %d, not %d: refused", IndexKey, ix.Format, Format)
	}
	if ix.Tenants == nil {
		ix.Tenants = map[string]tenant.Match{}
	}
	// An id becomes an object key and, on pull, a folder under DIR: one
	// such as "../../x" must never name a path outside either.
	for id := range ix.Tenants {
		if !tenants3.ValidID(id) {
			return Index{}, fmt.Errorf("%s: %q is not a tenant id (a-z, 0-9 and '-', 1 to 63, not starting with '-'): refused", IndexKey, id)
		}
	}
	return ix, nil
}

// checkIDs refuses ids that are not tenant ids, before any of them names
// an object or a folder.
func checkIDs(ids []string) error {
	for _, id := range ids {
		if !tenants3.ValidID(id) {
			return fmt.Errorf("%q is not a tenant id (a-z, 0-9 and '-', 1 to 63, not starting with '-')", id)
		}
	}
	return nil
}

func decodeManifest(id string, data []byte) (Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return Manifest{}, fmt.Errorf("manifest of %s: %w", id, err)
	}
	if m.Format != Format {
		return Manifest{}, fmt.Errorf("manifest of %s: format %d, not %d: refused", id, m.Format, Format)
	}
	if m.Tenant != id {
		return Manifest{}, fmt.Errorf("manifest of %s names tenant %q", id, m.Tenant)
	}
	return m, nil
}

// encode is the stored form: indented, so that a person reading the bucket
// can follow it, and stable (maps are sorted), so an unchanged index has an
// unchanged ETag.
func encode(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // only maps of strings and lists of strings
	}
	return append(b, '\n')
}
