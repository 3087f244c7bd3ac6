package tenantsync

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Diff compares dir's tenants with S3's (as the index and manifests say)
// and writes one line per difference: "only-local: ID/" or "only-in-S3:
// ID/" for a whole tenant, the same with ID/PATH for a file, and
// "differs: ID/PATH" followed by a short line diff (-S3, +local). It
// reports whether anything differs.
func (s *Sync) Diff(ctx context.Context, dir string, out io.Writer) (bool, error) {
	local, err := ReadLocal(dir)
	if err != nil {
		return false, err
	}
	ix, _, err := s.ReadIndex(ctx)
	if err != nil {
		return false, err
	}
	ids := map[string]bool{}
	for id := range local {
		ids[id] = true
	}
	for id := range ix.Tenants {
		ids[id] = true
	}
	differs := false
	for _, id := range sortedKeys(ids) {
		l, inLocal := local[id]
		_, inS3 := ix.Tenants[id]
		switch {
		case !inS3:
			fmt.Fprintf(out, "only-local: %s/\n", id)
			differs = true
			continue
		case !inLocal:
			fmt.Fprintf(out, "only-in-S3: %s/\n", id)
			differs = true
			continue
		}
		m, _, found, err := s.readManifest(ctx, id)
		if err != nil {
			return differs, err
		}
		if !found {
			return differs, fmt.Errorf("tenant %s has no manifest in %s", id, s.To)
		}
		paths := map[string]bool{}
		for p := range l {
			paths[p] = true
		}
		for p := range m.Files {
			paths[p] = true
		}
		for _, p := range sortedKeys(paths) {
			etag, inS3 := m.Files[p]
			data, inLocal := l[p]
			switch {
			case !inS3:
				fmt.Fprintf(out, "only-local: %s/%s\n", id, p)
			case !inLocal:
				fmt.Fprintf(out, "only-in-S3: %s/%s\n", id, p)
			case sameAsETag(data, etag):
				continue
			default:
				remote, err := s.remote(ctx, id, m, []string{p})
				if err != nil {
					return true, err
				}
				fmt.Fprintf(out, "differs: %s/%s\n", id, p)
				for _, line := range lineDiff(string(remote[p]), string(data), 10) {
					fmt.Fprintf(out, "  %s\n", line)
				}
			}
			differs = true
		}
	}
	return differs, nil
}

// lineDiff is a short diff of a and b by lines (longest common
// subsequence): at most limit lines of "-a line" and "+b line", then "…".
func lineDiff(a, b string, limit int) []string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(x)*len(y) > 4_000_000 { // tenant files are small; a huge one gets a summary
		return []string{fmt.Sprintf("(%d lines in S3, %d here)", len(x), len(y))}
	}
	// lcs[i][j]: the common subsequence's length of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	add := func(s string) bool {
		if len(out) == limit {
			out = append(out, "…")
			return false
		}
		out = append(out, s)
		return true
	}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case i == len(x) || j < len(y) && lcs[i][j+1] > lcs[i+1][j]:
			if !add("+" + y[j]) {
				return out
			}
			j++
		default:
			if !add("-" + x[i]) {
				return out
			}
			i++
		}
	}
	return out
}
