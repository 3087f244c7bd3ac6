package tenantsync

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/cogmail/cogmail/lambda/tenant"
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
	return ix, nil
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
