package tenants3

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"

	"github.com/cogmail/cogmail/templates"
)

// CheckedDigest is a manifest's "checked": the hex SHA-256 of a tenant's
// files (slash paths relative to its folder), in sorted path order, each
// as path, "\x00", length, "\x00", bytes; then "\x00templates\x00" and
// templates.Digest(). `cogmail tenants push` writes it after its check of
// every language and message passed; a function whose files and own
// templates give the same digest was checked with exactly what it
// renders, so it skips that check (PushChecked) and keeps the cheap ones.
func CheckedDigest(files map[string][]byte) string {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		h.Write([]byte(p + "\x00" + strconv.Itoa(len(files[p])) + "\x00"))
		h.Write(files[p])
	}
	h.Write([]byte("\x00templates\x00" + templates.Digest()))
	return hex.EncodeToString(h.Sum(nil))
}
