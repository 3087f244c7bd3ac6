package tenantsync

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// Pull writes the tenants ids (all the index names when none) to
// dir/tenants/<id>/ as their manifests list them: each folder then holds
// exactly S3's files (a local file S3 lacks is removed).
func (s *Sync) Pull(ctx context.Context, dir string, ids []string, out io.Writer) error {
	ix, _, err := s.ReadIndex(ctx)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		for id := range ix.Tenants {
			ids = append(ids, id)
		}
		sort.Strings(ids)
	}
	// ReadIndex refused an index naming another id; this is the caller's.
	if err := checkIDs(ids); err != nil {
		return err
	}
	for _, id := range ids {
		if _, ok := ix.Tenants[id]; !ok {
			return fmt.Errorf("tenant %s is not in %s", id, s.To)
		}
	}
	for _, id := range ids {
		m, _, found, err := s.readManifest(ctx, id)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("tenant %s has no manifest in %s", id, s.To)
		}
		remote, err := s.remote(ctx, id, m, sortedKeys(m.Files))
		if err != nil {
			return err
		}
		if err := writeFolder(filepath.Join(dir, "tenants", id), remote); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s: %d %s\n", id, len(remote), files(len(remote)))
	}
	return nil
}

func writeFolder(root string, f Folder) error {
	for path := range f {
		if !filepath.IsLocal(filepath.FromSlash(path)) {
			return fmt.Errorf("manifest path %q leaves the tenant's folder", path)
		}
	}
	if old, err := readFolder(os.DirFS(root)); err == nil {
		for path := range old {
			if _, ok := f[path]; !ok {
				if err := os.Remove(filepath.Join(root, filepath.FromSlash(path))); err != nil {
					return err
				}
			}
		}
	}
	for path, data := range f {
		name := filepath.Join(root, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
