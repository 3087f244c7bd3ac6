package tenantsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/cogmail/cogmail/lambda/dev/check"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/tenants3"
)

// ErrRefused is a push that uploaded nothing because DIR failed the check
// or claims what another tenant owns.
var ErrRefused = errors.New("refused: nothing was uploaded")

// PushOptions says how to push.
type PushOptions struct {
	DryRun bool
	Out    io.Writer // one line per tenant, and the index's
	// Getenv is the environment the check's handler is built with.
	Getenv func(string) string
}

// plan is what a push changes for one tenant.
type plan struct {
	id             string
	local          Folder
	put, del       []string          // paths relative to the folder
	etags          map[string]string // the files S3 holds already
	oldManifest    []byte
	inIndex        bool
	manifestIsSame bool
}

func (p plan) status() string {
	n := len(p.put) + len(p.del)
	switch {
	case !p.inIndex:
		return fmt.Sprintf("added (%d %s)", len(p.local), files(len(p.local)))
	case n == 0 && p.manifestIsSame:
		return "unchanged"
	}
	return fmt.Sprintf("changed (%d %s)", n, files(n))
}

func files(n int) string { return plural(n, "file", "files") }

func plural(n int, one, other string) string {
	if n == 1 {
		return one
	}
	return other
}

// Push uploads the tenants of dir (dir/tenants/<id>/) after they pass the
// check `cogmail check -templates dir` runs and claim nothing another tenant
// owns: each tenant's changed files, then its manifest, then the files it
// no longer has are deleted, and last the merged index, so a function
// never sees a tenant before all of its files are there. On any failure
// before the first upload nothing is uploaded (ErrRefused).
func (s *Sync) Push(ctx context.Context, dir string, o PushOptions) error {
	local, err := ReadLocal(dir)
	if err != nil {
		return err
	}
	if len(local) == 0 {
		return fmt.Errorf("%s has no tenants/<id>/ folder", dir)
	}
	rep, seen := Check(ctx, dir, o.Getenv)
	if rep.Failed() > 0 {
		check.Write(o.Out, rep, true)
		return fmt.Errorf("%d of %d messages failed the check: %w", rep.Failed(), len(rep.Rows), ErrRefused)
	}
	ix, oldIndex, err := s.ReadIndex(ctx)
	if err != nil {
		return err
	}
	pushed, embedded := map[string]tenant.Match{}, map[string]tenant.Match{}
	for id, f := range local {
		pushed[id] = f.Match()
	}
	for id, m := range seen {
		if _, ok := local[id]; !ok {
			embedded[id] = m
		}
	}
	if errs := conflicts(pushed, ix.Tenants, embedded); len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintln(o.Out, e)
		}
		return fmt.Errorf("a pushed tenant claims what another owns: %w", ErrRefused)
	}

	ids := make([]string, 0, len(local))
	for id := range local {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	plans := make([]plan, 0, len(ids))
	for _, id := range ids {
		p, err := s.plan(ctx, id, local[id], ix)
		if err != nil {
			return err
		}
		plans = append(plans, p)
	}
	for _, p := range plans {
		fmt.Fprintf(o.Out, "%s: %s%s\n", p.id, would(o.DryRun), p.status())
		if o.DryRun {
			for _, f := range p.put {
				fmt.Fprintf(o.Out, "  put %s\n", f)
			}
			for _, f := range p.del {
				fmt.Fprintf(o.Out, "  delete %s\n", f)
			}
			continue
		}
		if err := s.apply(ctx, p); err != nil {
			return err
		}
	}

	merge := func(ix Index) Index {
		next := Index{Format: Format, Tenants: map[string]tenant.Match{}}
		for id, m := range ix.Tenants {
			next.Tenants[id] = m
		}
		for id, m := range pushed {
			next.Tenants[id] = m
		}
		return next
	}
	if o.DryRun {
		next := merge(ix)
		if bytes.Equal(encode(next), oldIndex) {
			fmt.Fprintf(o.Out, "%s: unchanged\n", IndexKey)
		} else {
			n := len(next.Tenants)
			fmt.Fprintf(o.Out, "%s: %supdated (%d %s)\n", IndexKey, would(true), n, plural(n, "tenant", "tenants"))
		}
		return nil
	}
	// Merged into the index as it is when written, not as it was read: a
	// push or rm that ran meanwhile keeps its change (updateIndex).
	next, wrote, err := s.updateIndex(ctx, func(now Index) (Index, error) {
		if errs := conflicts(pushed, now.Tenants, embedded); len(errs) > 0 {
			for _, e := range errs {
				fmt.Fprintln(o.Out, e)
			}
			return Index{}, errors.New("since this push began, another added a tenant that claims what a pushed one does: the files are uploaded, the index is not changed")
		}
		return merge(now), nil
	})
	if err != nil {
		return err
	}
	if !wrote {
		fmt.Fprintf(o.Out, "%s: unchanged\n", IndexKey)
		return nil
	}
	n := len(next.Tenants)
	fmt.Fprintf(o.Out, "%s: updated (%d %s)\n", IndexKey, n, plural(n, "tenant", "tenants"))
	return nil
}

func would(dryRun bool) string {
	if dryRun {
		return "would be "
	}
	return ""
}

// plan compares a tenant's files with S3's listing of its folder.
func (s *Sync) plan(ctx context.Context, id string, local Folder, ix Index) (plan, error) {
	remote, err := s.list(ctx, s.To.folder(id))
	if err != nil {
		return plan{}, err
	}
	p := plan{id: id, local: local, etags: map[string]string{}}
	_, p.inIndex = ix.Tenants[id]
	for _, path := range local.Paths() {
		if etag, ok := remote[path]; ok && sameAsETag(local[path], etag) {
			p.etags[path] = etag
		} else {
			p.put = append(p.put, path)
		}
	}
	for path := range remote {
		if _, ok := local[path]; !ok {
			p.del = append(p.del, path)
		}
	}
	sort.Strings(p.del)
	_, p.oldManifest, _, err = s.readManifest(ctx, id)
	if err != nil {
		// A manifest of another format is replaced, not read.
		p.oldManifest = nil
	}
	p.manifestIsSame = len(p.put) == 0 && bytes.Equal(p.oldManifest, encode(p.manifest()))
	return p, nil
}

// manifest is the tenant's manifest once its files are uploaded; Push
// plans only after its check passed, so it always records the check.
func (p plan) manifest() Manifest {
	return Manifest{Format: Format, Tenant: p.id, Files: p.etags, Checked: tenants3.CheckedDigest(p.local)}
}

// apply uploads a tenant's changed files, then its manifest (with the
// ETags S3 gave them), then deletes the files it no longer has: a function
// reading the old manifest meanwhile still finds every file it lists.
func (s *Sync) apply(ctx context.Context, p plan) error {
	for _, path := range p.put {
		etag, err := s.put(ctx, s.To.file(p.id, path), p.local[path])
		if err != nil {
			return err
		}
		p.etags[path] = etag
	}
	if !p.manifestIsSame {
		if _, err := s.put(ctx, s.To.manifest(p.id), encode(p.manifest())); err != nil {
			return err
		}
	}
	for _, path := range p.del {
		if err := s.remove(ctx, s.To.file(p.id, path)); err != nil {
			return err
		}
	}
	return nil
}
