package tenants3_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// storeServes: a shipped tenant folder (templates/tenants/acme) uploaded
// as push does is served by a tenant.Store through the remote, so the
// in-memory folder is one the strict parser reads. With no folder layer,
// only S3 can have answered. (The Store's own behaviour over S3 is the
// lead's end-to-end tests'.)
func storeServes(t *testing.T, b bucketS3, endpoint string) {
	dir := filepath.Join("..", "..", "templates", "tenants", "acme")
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	}))
	b.push("store/", "acme", files)
	b.putJSON("store/_index.json", map[string]any{"format": 1, "tenants": map[string]any{"acme": map[string]any{}}})

	store := tenant.NewStore()
	store.SetRemote(tenant.RemoteOptions{Remote: remote(t, endpoint, "store/"), Timeout: patience.For(time.Second)})
	got, err := store.Get("acme")
	require.NoError(t, err)
	assert.Equal(t, "acme", got.ID)
}
