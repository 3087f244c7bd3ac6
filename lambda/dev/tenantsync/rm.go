package tenantsync

import (
	"context"
	"fmt"
	"io"
)

// Remove takes tenants out of S3: out of the index first (functions stop
// serving them from S3 on their next revalidation), then their manifests
// and files.
func (s *Sync) Remove(ctx context.Context, ids []string, out io.Writer) error {
	if err := checkIDs(ids); err != nil {
		return err
	}
	_, _, err := s.updateIndex(ctx, func(ix Index) (Index, error) {
		for _, id := range ids {
			if _, ok := ix.Tenants[id]; !ok {
				return Index{}, fmt.Errorf("tenant %s is not in %s", id, s.To)
			}
		}
		for _, id := range ids {
			delete(ix.Tenants, id)
		}
		return ix, nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.remove(ctx, s.To.manifest(id)); err != nil {
			return err
		}
		objects, err := s.list(ctx, s.To.folder(id))
		if err != nil {
			return err
		}
		for _, rel := range sortedKeys(objects) {
			if err := s.remove(ctx, s.To.folder(id)+rel); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "%s: removed (%d %s)\n", id, len(objects), files(len(objects)))
	}
	return nil
}
