package tenantsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/tenants3"
)

// A pushed tenant's manifest records its check, and the functions' reader
// (tenants3) trusts it: its Folder says PushChecked.
func TestPushRecordsCheck(t *testing.T) {
	s := bucket(t)
	dir := templatesDir(t, map[string]func(map[string]any){"globex": nil})
	out, err := push(t, s, dir, false)
	require.NoError(t, err, out)

	local, err := ReadLocal(dir)
	require.NoError(t, err)
	m, _, found, err := s.readManifest(context.Background(), "globex")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, tenants3.CheckedDigest(local["globex"]), m.Checked)

	env := map[string]string{
		tenants3.EnvURL: s.To.String(), "AWS_ENDPOINT_URL_S3": aws.ToString(s.S3.Options().BaseEndpoint),
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
	}
	r, err := tenants3.New(func(k string) string { return env[k] })
	require.NoError(t, err)
	fsys, _, err := r.Folder(context.Background(), "globex", "")
	require.NoError(t, err)
	pc, ok := fsys.(interface{ PushChecked() bool })
	require.True(t, ok, "the fs.FS of a Folder has PushChecked")
	assert.True(t, pc.PushChecked())
}

// An index naming something that is not a tenant id (written by hand or
// by another tool) is refused before any id names a folder or an object:
// pull never writes outside DIR, rm never deletes outside the prefix.
func TestIndexIDsRefused(t *testing.T) {
	s := bucket(t)
	ctx := context.Background()
	_, err := s.put(ctx, s.To.index(), []byte(`{"format":1,"tenants":{"../../x":{}}}`))
	require.NoError(t, err)
	_, err = s.put(ctx, s.To.manifest("../../x"), []byte(`{"format":1,"tenant":"../../x","files":{}}`))
	require.NoError(t, err)

	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	var out bytes.Buffer
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"read", func() error { _, _, err := s.ReadIndex(ctx); return err }},
		{"pull all", func() error { return s.Pull(ctx, dir, nil, &out) }},
		{"pull named", func() error { return s.Pull(ctx, dir, []string{"../../x"}, &out) }},
		{"rm", func() error { return s.Remove(ctx, []string{"../../x"}, &out) }},
		{"diff", func() error {
			_, err := s.Diff(ctx, templatesDir(t, map[string]func(map[string]any){"globex": nil}), &out)
			return err
		}},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			assert.ErrorContains(t, tc.run(), `"../../x" is not a tenant id`)
		})
	}
	t.Run("case=a named id checked before the index is", func(t *testing.T) {
		assert.ErrorContains(t, checkIDs([]string{"acme", "-x"}), `"-x" is not a tenant id`)
		assert.NoError(t, checkIDs([]string{"acme", "a-1"}))
	})
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "nothing written beside DIR")
	_, err = os.Stat(filepath.Join(root, "x"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, objects(t, s), s.To.index(), "the index is left as it was")
}

// The index is written only if it is still the one read: a second writer
// meanwhile makes the first read again, not overwrite.
func TestIndexConditionalWrite(t *testing.T) {
	s := bucket(t)
	ctx := context.Background()

	// None yet: If-None-Match "*".
	require.NoError(t, s.putIndex(ctx, encode(Index{Format: Format}), ""))
	err := s.putIndex(ctx, encode(Index{Format: Format}), "")
	if err == nil {
		t.Skip("this moto_server does not honour conditional PUTs (If-None-Match); putIndex still sends them")
	}
	assert.ErrorIs(t, err, errIndexChanged)
	_, _, etag, err := s.readIndex(ctx)
	require.NoError(t, err)
	assert.ErrorIs(t, s.putIndex(ctx, []byte(`{"format":1,"tenants":{}}`), `"0123456789abcdef0123456789abcdef"`), errIndexChanged)
	require.NoError(t, s.putIndex(ctx, []byte(`{"format":1,"tenants":{}}`), etag))

	t.Run("case=changed once meanwhile: read again, both changes kept", func(t *testing.T) {
		calls := 0
		_, wrote, err := s.updateIndex(ctx, func(ix Index) (Index, error) {
			calls++
			if calls == 1 { // another push, between this read and this write
				other := Index{Format: Format, Tenants: map[string]tenant.Match{"initech": {}}}
				require.NoError(t, s.putIndex(ctx, encode(other), mustETag(t, s)))
			}
			ix.Tenants["globex"] = tenant.Match{}
			return ix, nil
		})
		require.NoError(t, err)
		assert.True(t, wrote)
		assert.Equal(t, 2, calls)
		ix, _, err := s.ReadIndex(ctx)
		require.NoError(t, err)
		assert.Contains(t, ix.Tenants, "initech")
		assert.Contains(t, ix.Tenants, "globex")
	})
	t.Run("case=changed at every try: a clear error", func(t *testing.T) {
		calls := 0
		_, _, err := s.updateIndex(ctx, func(ix Index) (Index, error) {
			calls++
			other := Index{Format: Format, Tenants: map[string]tenant.Match{fmt.Sprintf("other-%d", calls): {}}}
			require.NoError(t, s.putIndex(ctx, encode(other), mustETag(t, s)))
			ix.Tenants["pied-piper"] = tenant.Match{}
			return ix, nil
		})
		assert.True(t, errors.Is(err, errIndexChanged))
		assert.ErrorContains(t, err, "another push or rm")
		assert.Equal(t, 2, calls, "read again once, then given up")
	})
}

func mustETag(t *testing.T, s *Sync) string {
	t.Helper()
	_, _, etag, err := s.readIndex(context.Background())
	require.NoError(t, err)
	return etag
}
