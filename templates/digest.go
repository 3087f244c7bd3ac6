package templates

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"sort"
	"strconv"
	"sync"
)

// Digest is the hex SHA-256 of every embedded file except those under
// tenants/: what a tenant's emails are rendered with besides its own
// files. `cogmail tenants push` records it with the tenants it checked, so
// a function built from the same templates can trust that check
// (lambda/tenants3.CheckedDigest). Files are framed in sorted path order
// as path, "\x00", length, "\x00", bytes. It is computed on first use,
// never at cold start, and once.
func Digest() string {
	digestOnce.Do(func() { digest = digestFS(FS) })
	return digest
}

var (
	digestOnce sync.Once
	digest     string
)

// digestFS is Digest over any fs.FS, for the test; an unreadable file
// (never, for an embed.FS) panics, as a wrong digest would be silent.
func digestFS(fsys fs.FS) string {
	var paths []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case p == "tenants" && d.IsDir():
			return fs.SkipDir
		case !d.IsDir():
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		panic("templates: digest: " + err.Error())
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			panic("templates: digest: " + err.Error())
		}
		h.Write([]byte(p + "\x00" + strconv.Itoa(len(data)) + "\x00"))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))
}
