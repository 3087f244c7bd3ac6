// Package tenants3 reads tenants from an S3 prefix for the functions: a
// tenant.Remote made of single signed GETs, so that onboarding a tenant is an
// upload (`cogmail tenants push`) rather than a deploy.
//
// Under COGMAIL_TENANTS_S3=s3://bucket/prefix/ the prefix holds
// `<id>/tenant.json`, `<id>/locales/<tag>.json` and `<id>/<name>.tmpl` (a
// templates folder's tenants/<id>/ byte for byte), `_manifests/<id>.json`
// (the tenant's files with their ETags, and push's CheckedDigest of them)
// and `_index.json` (every tenant and its match values). The functions
// may only GetObject, so the index says which tenants exist and a manifest
// which files a tenant has; nothing is listed.
//
// Like lambda/keys, it links no S3 client: the SDK's would bring its
// configuration loader and credential chain into every cold start for
// what are plain GETs. It logs nothing: the tenant.Store that calls it does.
package tenants3

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cogmail/cogmail/lambda/tenant"
)

const (
	// EnvURL is where the tenants are: s3://bucket/prefix/.
	EnvURL = "COGMAIL_TENANTS_S3"
	// EnvEvery is how many seconds a tenant or the index is served before
	// it is revalidated (a conditional GET); unset: 60
	// (tenant.DefaultRemoteEvery).
	EnvEvery = "COGMAIL_TENANTS_S3_EVERY"
)

// Object names under the prefix. "_" cannot start a tenant id, so they
// never collide with a tenant's folder.
const (
	indexName     = "_index.json"
	manifestsName = "_manifests/"
)

// format is the one version of the index and manifests this code reads.
const format = 1

// Size bounds: an object over its bound is refused unread, so that a wrong
// upload cannot exhaust a 128 MB function.
const (
	maxFile = 256 << 10
	// maxIndex: an index of 10,000 tenants, each with a few match
	// values, is 1 to 2 MiB; 4 MiB leaves room for that and bounds what a
	// wrong upload costs a 128 MB function (the body, then its decoding).
	maxIndex    = 4 << 20
	maxManifest = 64 << 10
	// maxFolder bounds a tenant's files together: a real tenant (15
	// catalogs, a few templates) is well under 1 MiB.
	maxFolder = 4 << 20
	// parallel is how many of a tenant's files are fetched at once.
	parallel = 4
	// maxEvery bounds EnvEvery: a day.
	maxEvery = 24 * 60 * 60
)

// Remote is S3 as a tenant.Remote. It is immutable: its methods may be
// called concurrently.
type Remote struct {
	bucket, prefix string
	every          time.Duration
	aws            *awsConfig
}

var _ tenant.Remote = (*Remote)(nil)

// New reads EnvURL, EnvEvery and the AWS environment (credentials, region,
// endpoint) through getenv. Without EnvURL it returns nil, nil: tenants
// come from folders only.
func New(getenv func(string) string) (*Remote, error) {
	raw := getenv(EnvURL)
	if raw == "" {
		return nil, nil
	}
	bucket, prefix, err := ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("tenants3: %s: %w", EnvURL, err)
	}
	r := &Remote{bucket: bucket, prefix: prefix, every: tenant.DefaultRemoteEvery}
	if s := getenv(EnvEvery); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxEvery {
			return nil, fmt.Errorf("tenants3: %s=%q: want whole seconds from 1 to %d", EnvEvery, s, maxEvery)
		}
		r.every = time.Duration(n) * time.Second
	}
	if r.aws, err = awsEnv(getenv, bucket); err != nil {
		return nil, fmt.Errorf("tenants3: %s: %w", raw, err)
	}
	return r, nil
}

// ParseURL splits s3://bucket/prefix/ into its bucket and its prefix, which
// is "" (the bucket's root) or ends with "/" (added when missing).
func ParseURL(raw string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(raw, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3://bucket/prefix/ URL", raw)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if !validBucket(bucket) {
		return "", "", fmt.Errorf("%q: %q is not an S3 bucket name (3 to 63 of a-z, 0-9, '.', '-')", raw, bucket)
	}
	if strings.ContainsAny(prefix, "?#") {
		return "", "", fmt.Errorf("%q: a prefix has no query or fragment", raw)
	}
	if prefix == "" {
		return bucket, "", nil
	}
	prefix = strings.TrimSuffix(prefix, "/")
	// An empty, "." or ".." segment would be read differently by HTTP
	// stacks and by S3: refused rather than guessed.
	for _, seg := range strings.Split(prefix, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", "", fmt.Errorf("%q: the prefix has an empty, \".\" or \"..\" segment", raw)
		}
	}
	return bucket, prefix + "/", nil
}

// validBucket is S3's rule for bucket names, in short.
func validBucket(s string) bool {
	if len(s) < 3 || len(s) > 63 || !alnum(s[0]) || !alnum(s[len(s)-1]) || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

func alnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// ValidID is lambda/tenant's rule for tenant ids: ^[a-z0-9][a-z0-9-]{0,62}$.
// An id goes into an object key (and, for `cogmail tenants pull`, a
// folder name), so one from the index is checked wherever it is read.
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// Every is EnvEvery as a duration, tenant.DefaultRemoteEvery when unset:
// the tenant.RemoteOptions' Every.
func (r *Remote) Every() time.Duration { return r.every }

// String names the remote for logs: its URL, no credential.
func (r *Remote) String() string { return "s3://" + r.bucket + "/" + r.prefix }

// indexDoc is _index.json.
type indexDoc struct {
	Format  int                     `json:"format"`
	Tenants map[string]tenant.Match `json:"tenants"`
}

// Index reads _index.json unless have (its ETag) is still current, when it
// returns tenant.ErrUnchanged. A missing index (404, or 403: S3's answer for
// a missing key to a role without s3:ListBucket) is an empty one, version
// "", only while none was read (have == ""): once one was, a 404 or 403 is
// more likely a policy or bucket change than every tenant removed, so it
// is an error and the Store keeps serving the last good index.
func (r *Remote) Index(ctx context.Context, have string) (tenant.RemoteIndex, string, error) {
	obj, err := r.aws.get(ctx, r.prefix+indexName, "If-None-Match", have, maxIndex)
	var api *APIError
	if have == "" && errors.As(err, &api) && api.missing() {
		return tenant.RemoteIndex{}, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	// Sized from the body (an entry takes some 100 bytes): with 10,000
	// tenants this runs on a cold start's first event, and growing the map
	// step by step cost a quarter of the decoding.
	doc := indexDoc{Tenants: make(map[string]tenant.Match, len(obj.body)/100)}
	if err := json.Unmarshal(obj.body, &doc); err != nil {
		return nil, "", fmt.Errorf("tenants3: %s: not an index: %v", r.url(indexName), err)
	}
	if doc.Format != format {
		return nil, "", fmt.Errorf("tenants3: %s: format %d, want %d", r.url(indexName), doc.Format, format)
	}
	for id := range doc.Tenants {
		if !ValidID(id) {
			return nil, "", fmt.Errorf("tenants3: %s: %q is not a tenant id", r.url(indexName), id)
		}
	}
	return tenant.RemoteIndex(doc.Tenants), obj.etag, nil
}

// manifestDoc is _manifests/<id>.json.
type manifestDoc struct {
	Format int               `json:"format"`
	Tenant string            `json:"tenant"`
	Files  map[string]string `json:"files"` // slash path in the folder → ETag
	// Checked is CheckedDigest of the files as push checked them; absent
	// from a manifest written another way.
	Checked string `json:"checked,omitempty"`
}

// Folder reads tenant id's manifest unless have (its ETag) is still
// current, when it returns tenant.ErrUnchanged; then every file it lists,
// each only if its ETag is still the manifest's (a file replaced since, as
// during a push, is an error: the Store keeps the version it has). The
// fs.FS is rooted at the tenant's folder and held in memory. When the
// manifest's "checked" is CheckedDigest of exactly these files (and this
// build's templates), the fs.FS also has PushChecked() bool, true: push
// checked every language and message of this version.
func (r *Remote) Folder(ctx context.Context, id, have string) (fs.FS, string, error) {
	if !ValidID(id) {
		return nil, "", fmt.Errorf("tenants3: %q is not a tenant id", id)
	}
	name := manifestsName + id + ".json"
	obj, err := r.aws.get(ctx, r.prefix+name, "If-None-Match", have, maxManifest)
	if err != nil {
		return nil, "", err
	}
	var doc manifestDoc
	if err := json.Unmarshal(obj.body, &doc); err != nil {
		return nil, "", fmt.Errorf("tenants3: %s: not a manifest: %v", r.url(name), err)
	}
	switch {
	case doc.Format != format:
		return nil, "", fmt.Errorf("tenants3: %s: format %d, want %d", r.url(name), doc.Format, format)
	case doc.Tenant != id:
		return nil, "", fmt.Errorf("tenants3: %s: the manifest of tenant %q", r.url(name), doc.Tenant)
	case doc.Files["tenant.json"] == "":
		return nil, "", fmt.Errorf("tenants3: %s: lists no tenant.json with its ETag", r.url(name))
	}
	for file, etag := range doc.Files {
		if !fs.ValidPath(file) || file == "." || etag == "" {
			return nil, "", fmt.Errorf("tenants3: %s: %q is not a file path with an ETag", r.url(name), file)
		}
	}
	files, err := r.fetch(ctx, id, doc.Files)
	if err != nil {
		return nil, "", err
	}
	fsys, err := newMemFS(files)
	if err != nil {
		return nil, "", fmt.Errorf("tenants3: %s: %w", r.url(name), err)
	}
	// Computed over what was read, not trusted from the manifest: a file
	// replaced by hand with its manifest's ETag edited to match is not
	// what push checked.
	fsys.pushChecked = doc.Checked != "" && doc.Checked == CheckedDigest(files)
	return fsys, obj.etag, nil
}

// fetch GETs a tenant's files, a few at a time, each If-Match its ETag; the
// first error cancels the rest.
func (r *Remote) fetch(ctx context.Context, id string, etags map[string]string) (map[string][]byte, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		files = make(map[string][]byte, len(etags))
		total int
		first error
		wg    sync.WaitGroup
		slots = make(chan struct{}, parallel)
	)
	for file, etag := range etags {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
				return
			}
			obj, err := r.aws.get(ctx, r.prefix+id+"/"+file, "If-Match", etag, maxFile)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				files[file] = obj.body
				if total += len(obj.body); total > maxFolder {
					err = fmt.Errorf("tenants3: %s: the files of tenant %s add up to more than %d bytes", r.url(manifestsName+id+".json"), id, maxFolder)
				}
			}
			if err != nil && first == nil {
				first = err
				cancel()
			}
		}()
	}
	wg.Wait()
	switch {
	case first != nil:
		return nil, first
	case len(files) < len(etags): // the caller's context ended before some began
		return nil, fmt.Errorf("tenants3: reading tenant %s: %w", id, context.Cause(ctx))
	}
	return files, nil
}

// url names an object under the prefix in errors.
func (r *Remote) url(name string) string { return "s3://" + r.bucket + "/" + r.prefix + name }

// missing reports whether an index read failed only because there is no
// index: NoSuchKey (404), or AccessDenied (403), which S3 answers for a
// missing key to a role that may not list the bucket. A missing bucket or
// rejected credentials are errors.
func (e *APIError) missing() bool {
	switch e.StatusCode {
	case http.StatusNotFound:
		return e.Code != "NoSuchBucket"
	case http.StatusForbidden:
		return e.Code == "" || e.Code == "AccessDenied"
	}
	return false
}
