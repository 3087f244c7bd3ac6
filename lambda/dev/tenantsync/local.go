package tenantsync

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cogmail/cogmail/lambda/tenant"
)

// Folder is one tenant's files: slash path relative to its folder → bytes.
type Folder map[string][]byte

// Paths are the folder's files, sorted.
func (f Folder) Paths() []string {
	paths := make([]string, 0, len(f))
	for p := range f {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// Match is what the tenant.json claims (empty when it does not parse: the
// check reports that).
func (f Folder) Match() tenant.Match {
	var doc struct {
		Match tenant.Match `json:"match"`
	}
	_ = json.Unmarshal(f["tenant.json"], &doc)
	return doc.Match
}

// ReadLocal reads every tenant folder under dir/tenants/: every regular
// file, except names starting with "." (an editor's or the OS's, never a
// tenant's).
func ReadLocal(dir string) (map[string]Folder, error) {
	root := filepath.Join(dir, "tenants")
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (a templates folder holds tenants/<id>/)", dir, err)
	}
	out := map[string]Folder{}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		f, err := readFolder(os.DirFS(filepath.Join(root, e.Name())))
		if err != nil {
			return nil, fmt.Errorf("tenants/%s: %w", e.Name(), err)
		}
		out[e.Name()] = f
	}
	return out, nil
}

func readFolder(fsys fs.FS) (Folder, error) {
	f := Folder{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		f[path.Clean(p)] = data
		return nil
	})
	return f, err
}

// sameAsETag reports whether data is the object S3 holds under etag. S3's
// ETag of an object uploaded by a single-part PUT (as push does), without
// SSE-KMS, is the hex MD5 of its bytes in quotes: that comparison is the
// only way this package decides "unchanged". Any other ETag (a multipart
// upload's "…-N", SSE-KMS) never matches, so the file is uploaded again:
// wasteful at worst, never wrong.
func sameAsETag(data []byte, etag string) bool {
	sum := md5.Sum(data)
	return etag == `"`+hex.EncodeToString(sum[:])+`"`
}
