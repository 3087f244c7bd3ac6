package preview

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Write puts the gallery under dir. A mail/ folder left by an earlier
// gallery is replaced, so emails of removed tenants or languages do not
// linger; any other mail/ folder is an error rather than something to delete.
func (g *Gallery) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	mail := filepath.Join(dir, "mail")
	if _, err := os.Stat(mail); err == nil {
		old, err := os.ReadFile(filepath.Join(dir, "index.html"))
		if err != nil || !bytes.Contains(old, []byte(`<meta name="generator" content="`+Generator+`">`)) {
			return fmt.Errorf("%s exists and is not an earlier gallery's: choose another folder", mail)
		}
		if err := os.RemoveAll(mail); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(g.files))
	for name := range g.files {
		names = append(names, name)
	}
	sort.Strings(names) // the same order, and the same errors, every time
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, g.files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
