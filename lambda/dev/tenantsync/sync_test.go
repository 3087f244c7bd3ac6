package tenantsync

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A pushed folder comes back whole from a pull, and pushing it again
// changes no object (same ETags, same modification times).
func TestPushPullRoundTrip(t *testing.T) {
	s := bucket(t)
	dir := templatesDir(t, map[string]func(map[string]any){"globex": nil, "initech": nil})

	out, err := push(t, s, dir, false)
	require.NoError(t, err, out)
	assert.Equal(t, "globex: added (3 files)\ninitech: added (3 files)\n_index.json: updated (2 tenants)\n", out)

	pulled := t.TempDir()
	var log bytes.Buffer
	require.NoError(t, s.Pull(context.Background(), pulled, nil, &log))
	want, err := ReadLocal(dir)
	require.NoError(t, err)
	got, err := ReadLocal(pulled)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	ix, _, err := s.ReadIndex(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"globex-users"}, ix.Tenants["globex"].TenantAttributeValues)

	before := objects(t, s)
	time.Sleep(1100 * time.Millisecond) // S3's modification times have whole seconds
	out, err = push(t, s, dir, false)
	require.NoError(t, err, out)
	assert.Equal(t, "globex: unchanged\ninitech: unchanged\n_index.json: unchanged\n", out)
	assert.Equal(t, before, objects(t, s))

	t.Run("case=pull one tenant", func(t *testing.T) {
		one := t.TempDir()
		require.NoError(t, s.Pull(context.Background(), one, []string{"initech"}, &log))
		got, err := ReadLocal(one)
		require.NoError(t, err)
		assert.Equal(t, want["initech"], got["initech"])
		assert.NotContains(t, got, "globex")
	})
	t.Run("case=pull an unknown tenant", func(t *testing.T) {
		err := s.Pull(context.Background(), t.TempDir(), []string{"hooli"}, &log)
		assert.ErrorContains(t, err, "tenant hooli is not in s3://cogmail-tenants/tenants/")
	})
}

// A changed and a removed file: a dry run says so and changes nothing; the
// push uploads the one, deletes the other, and the manifest follows.
func TestPushChanges(t *testing.T) {
	s := bucket(t)
	dir := templatesDir(t, map[string]func(map[string]any){"globex": nil})
	_, err := push(t, s, dir, false)
	require.NoError(t, err)

	folder := filepath.Join(dir, "tenants", "globex")
	require.NoError(t, os.WriteFile(filepath.Join(folder, "footer.tmpl"), []byte(`{{define "footer"}}Globex{{end}}`), 0o644))
	require.NoError(t, os.Remove(filepath.Join(folder, "locales", "de.json")))
	before := objects(t, s)

	out, err := push(t, s, dir, true)
	require.NoError(t, err, out)
	assert.Equal(t, "globex: would be changed (2 files)\n  put footer.tmpl\n  delete locales/de.json\n_index.json: unchanged\n", out)
	assert.Equal(t, before, objects(t, s), "a dry run changes nothing")

	out, err = push(t, s, dir, false)
	require.NoError(t, err, out)
	assert.Equal(t, "globex: changed (2 files)\n_index.json: unchanged\n", out)
	after := objects(t, s)
	assert.NotContains(t, after, "tenants/globex/locales/de.json")
	assert.NotEqual(t, before["tenants/globex/footer.tmpl"], after["tenants/globex/footer.tmpl"])

	m, _, found, err := s.readManifest(context.Background(), "globex")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, []string{"footer.tmpl", "tenant.json"}, sortedKeys(m.Files))
	assert.Equal(t, strings.Fields(after["tenants/globex/footer.tmpl"])[0], m.Files["footer.tmpl"], "the manifest holds S3's ETag")

	var diff bytes.Buffer
	differs, err := s.Diff(context.Background(), dir, &diff)
	require.NoError(t, err)
	assert.False(t, differs, diff.String())
}

// Nothing is uploaded for a tenant that fails the check, nor for one that
// claims what another tenant owns; what S3 had stays.
func TestPushRefused(t *testing.T) {
	s := bucket(t)
	_, err := push(t, s, templatesDir(t, map[string]func(map[string]any){"initech": nil}), false)
	require.NoError(t, err)
	before := objects(t, s)

	for _, c := range []struct {
		name string
		edit func(map[string]any)
		want string
	}{
		{"unreadable button", func(doc map[string]any) {
			doc["brand"].(map[string]any)["buttonTextColor"] = doc["brand"].(map[string]any)["primaryColor"]
		}, "failed the check"},
		{"an unknown field", func(doc map[string]any) { doc["colour"] = "red" }, "failed the check"},
		{"a pool an S3 tenant owns", func(doc map[string]any) {
			doc["match"] = map[string]any{"userPoolIds": []string{"eu-west-1_initech"}}
		}, `match.userPoolIds "eu-west-1_initech" is claimed by tenants [globex initech]`},
		{"an embedded tenant's attribute value", func(doc map[string]any) {
			doc["match"] = map[string]any{"tenantAttributeValues": []string{"acme-rockets"}}
		}, `match.tenantAttributeValues "acme-rockets" is claimed by tenants [acme globex]`},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			dir := templatesDir(t, map[string]func(map[string]any){"globex": c.edit, "hooli": nil})
			out, err := push(t, s, dir, false)
			require.ErrorIs(t, err, ErrRefused)
			assert.Contains(t, out+err.Error(), c.want)
			assert.Equal(t, before, objects(t, s), "nothing uploaded, hooli's files included")
		})
	}
}

// Diff says what differs, file by file, and whether anything does.
func TestDiff(t *testing.T) {
	s := bucket(t)
	dir := templatesDir(t, map[string]func(map[string]any){"globex": nil, "initech": nil})
	_, err := push(t, s, dir, false)
	require.NoError(t, err)

	var out bytes.Buffer
	differs, err := s.Diff(context.Background(), dir, &out)
	require.NoError(t, err)
	assert.False(t, differs)
	assert.Empty(t, out.String())

	folder := filepath.Join(dir, "tenants", "globex")
	require.NoError(t, os.WriteFile(filepath.Join(folder, "footer.tmpl"), []byte("changed\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(folder, "extra.tmpl"), []byte("new\n"), 0o644))
	require.NoError(t, os.Remove(filepath.Join(folder, "locales", "de.json")))
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "tenants", "initech")))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "tenants", "hooli"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tenants", "hooli", "tenant.json"), []byte("{}"), 0o644))

	out.Reset()
	differs, err = s.Diff(context.Background(), dir, &out)
	require.NoError(t, err)
	assert.True(t, differs)
	got := out.String()
	for _, line := range []string{
		"only-local: globex/extra.tmpl\n",
		"differs: globex/footer.tmpl\n",
		"  +changed\n",
		"only-in-S3: globex/locales/de.json\n",
		"only-local: hooli/\n",
		"only-in-S3: initech/\n",
	} {
		assert.Contains(t, got, line)
	}

	// An index of another format is refused, never guessed at.
	_, err = s.put(context.Background(), s.To.index(), []byte(`{"format":2,"tenants":{}}`))
	require.NoError(t, err)
	_, err = s.Diff(context.Background(), dir, &out)
	assert.ErrorContains(t, err, "format 2, not 1: refused")
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "tenants", "hooli"))) // passes the check
	before := objects(t, s)
	_, err = push(t, s, dir, false)
	assert.ErrorContains(t, err, "format 2, not 1: refused")
	assert.Equal(t, before, objects(t, s))
}

// Remove takes a tenant out of the index, then its manifest and files.
func TestRemove(t *testing.T) {
	s := bucket(t)
	dir := templatesDir(t, map[string]func(map[string]any){"globex": nil, "initech": nil})
	_, err := push(t, s, dir, false)
	require.NoError(t, err)

	var out bytes.Buffer
	require.NoError(t, s.Remove(context.Background(), []string{"globex"}, &out))
	assert.Equal(t, "globex: removed (3 files)\n", out.String())
	ix, _, err := s.ReadIndex(context.Background())
	require.NoError(t, err)
	assert.NotContains(t, ix.Tenants, "globex")
	assert.Contains(t, ix.Tenants, "initech")
	for key := range objects(t, s) {
		assert.NotContains(t, key, "globex")
	}
	assert.ErrorContains(t, s.Remove(context.Background(), []string{"globex"}, &out), "not in")
}
