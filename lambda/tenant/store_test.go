package tenant_test

import (
	"io/fs"
	"slices"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

func TestEmbeddedTenants(t *testing.T) {
	all, err := tenant.NewStore(templates.FS).LoadAll()
	require.NoError(t, err)
	ids := make([]string, 0, len(all))
	for _, tn := range all {
		require.NoError(t, tn.Validate(), tn.ID)
		ids = append(ids, tn.ID)
	}
	assert.Contains(t, ids, tenant.DefaultID)

	folders, err := fs.Glob(templates.FS, "tenants/*/tenant.json")
	require.NoError(t, err)
	assert.Len(t, all, len(folders), "every embedded folder is a tenant")
}

func TestStoreGetCaches(t *testing.T) {
	spy := &spyFS{FS: tree(t, valid("acme"))}
	s := tenant.NewStore(spy)

	first, err := s.Get("acme")
	require.NoError(t, err)
	opened := len(spy.Opened())
	require.NotZero(t, opened)

	second, err := s.Get("acme")
	require.NoError(t, err)
	assert.Same(t, first, second)
	assert.Len(t, spy.Opened(), opened, "the second Get reads nothing")
}

func TestStoreGetCachesErrors(t *testing.T) {
	broken := valid("acme")
	broken.Links.Mode = "path"
	spy := &spyFS{FS: tree(t, broken)}
	s := tenant.NewStore(spy)

	_, err1 := s.Get("acme")
	require.Error(t, err1)
	opened := len(spy.Opened())
	_, err2 := s.Get("acme")
	assert.Equal(t, err1, err2)
	assert.Len(t, spy.Opened(), opened)
}

func TestStoreGetRejectsNonIDs(t *testing.T) {
	layer := tree(t, valid("default"))
	layer["tenants/Default/tenant.json"] = layer["tenants/default/tenant.json"]
	for _, id := range []string{"../default", "Default", "", "a/b", "default/", "./default", " default", "tenants/default"} {
		t.Run("case="+id, func(t *testing.T) {
			spy := &spyFS{FS: layer}
			got, err := tenant.NewStore(spy).Get(id)
			require.Error(t, err)
			assert.Nil(t, got)
			assert.Contains(t, err.Error(), "not a tenant id")
			assert.Empty(t, spy.Opened(), "the file system is not touched")
		})
	}
}

func TestStoreGetMissing(t *testing.T) {
	_, err := tenant.NewStore(tree(t, valid("acme"))).Get("beta")
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestStoreFolderMustMatchID(t *testing.T) {
	layer := tree(t)
	layer["tenants/acme/tenant.json"] = &fstest.MapFile{Data: encode(t, valid("beta"))}
	got, err := tenant.NewStore(layer).Get("acme")
	require.Error(t, err)
	assert.Nil(t, got)
	assert.Contains(t, err.Error(), `tenants/acme/tenant.json: id "beta" does not match its folder`)
}

func TestStoreLayers(t *testing.T) {
	embedded := tree(t, valid("default"), valid("beta"))
	embedded["tenants/default/locales/en.json"] = &fstest.MapFile{Data: []byte(`{"reset.subject": "embedded"}`)}
	embedded["tenants/default/reset.html.tmpl"] = &fstest.MapFile{Data: []byte(`embedded`)}
	embedded["tenants/beta/locales/de.json"] = &fstest.MapFile{Data: []byte(`{"reset.subject": "beta"}`)}

	mine := valid("default")
	mine.DisplayName = "Overlay"
	overlay := tree(t, mine, valid("zeta"))
	overlay["tenants/default/locales/fr.json"] = &fstest.MapFile{Data: []byte(`{"reset.subject": "overlay"}`)}
	overlay["tenants/README.md"] = &fstest.MapFile{Data: []byte(`not a tenant`)}

	s := tenant.NewStore(overlay, embedded)

	t.Run("case=overlay replaces a folder whole", func(t *testing.T) {
		d, err := s.Get(tenant.DefaultID)
		require.NoError(t, err)
		assert.Equal(t, "Overlay", d.DisplayName)
		got, err := fs.ReadFile(d.Files(), "locales/fr.json")
		require.NoError(t, err)
		assert.Equal(t, `{"reset.subject": "overlay"}`, string(got))
		for _, name := range []string{"locales/en.json", "reset.html.tmpl"} {
			_, err := fs.Stat(d.Files(), name)
			assert.ErrorIs(t, err, fs.ErrNotExist, "%s of the embedded folder is not merged in", name)
		}
	})
	t.Run("case=overlay adds a tenant", func(t *testing.T) {
		z, err := s.Get("zeta")
		require.NoError(t, err)
		assert.Equal(t, "zeta", z.ID)
	})
	t.Run("case=embedded tenant the overlay leaves alone", func(t *testing.T) {
		b, err := s.Get("beta")
		require.NoError(t, err)
		got, err := fs.ReadFile(b.Files(), "locales/de.json")
		require.NoError(t, err)
		assert.Equal(t, `{"reset.subject": "beta"}`, string(got))
	})
	t.Run("case=IDs is the sorted union", func(t *testing.T) {
		ids, err := s.IDs()
		require.NoError(t, err)
		assert.Equal(t, []string{"beta", "default", "zeta"}, ids)
	})
	t.Run("case=layer order matters", func(t *testing.T) {
		d, err := tenant.NewStore(embedded, overlay).Get(tenant.DefaultID)
		require.NoError(t, err)
		assert.Equal(t, "Acme", d.DisplayName)
	})
	t.Run("case=a layer without tenants", func(t *testing.T) {
		ids, err := tenant.NewStore(fstest.MapFS{}, embedded).IDs()
		require.NoError(t, err)
		assert.Equal(t, []string{"beta", "default"}, ids)
	})
}

func TestStoreOverlayOverEmbedded(t *testing.T) {
	embedded, err := tenant.NewStore(templates.FS).IDs()
	require.NoError(t, err)
	// A new id, whatever tenants an operator has added.
	fresh := "zeta"
	for slices.Contains(embedded, fresh) {
		fresh += "-new"
	}

	mine := valid(tenant.DefaultID)
	mine.Brand.ProductName = "Overlay"
	layer := tree(t, mine, valid(fresh))
	for _, id := range embedded {
		if id != tenant.DefaultID {
			layer["tenants/"+id+"/tenant.json"] = &fstest.MapFile{Data: encode(t, valid(id))}
		}
	}
	s := tenant.NewStore(layer, templates.FS)
	all, err := s.LoadAll()
	require.NoError(t, err)
	require.Len(t, all, len(embedded)+1)
	for _, tn := range all {
		t.Run("case="+tn.ID, func(t *testing.T) {
			if tn.ID == tenant.DefaultID {
				assert.Equal(t, "Overlay", tn.Brand.ProductName)
			} else {
				assert.Equal(t, "Acme", tn.Brand.ProductName)
			}
			names, err := fs.Glob(tn.Files(), "*")
			require.NoError(t, err)
			assert.Equal(t, []string{"tenant.json"}, names, "nothing of the embedded folder")
		})
	}
}

func TestStoreFilesAreTheTenantsOwn(t *testing.T) {
	layer := tree(t, valid("acme"), valid("beta"))
	layer["tenants/acme/locales/de.json"] = &fstest.MapFile{Data: []byte(`{"reset.subject": "Acme"}`)}
	layer["tenants/beta/locales/fr.json"] = &fstest.MapFile{Data: []byte(`{"reset.subject": "Beta"}`)}
	layer["locales/fr.json"] = &fstest.MapFile{Data: []byte(`{"reset.subject": "shared"}`)}

	acme, err := tenant.NewStore(layer).Get("acme")
	require.NoError(t, err)
	files := acme.Files()

	got, err := fs.ReadFile(files, "locales/de.json")
	require.NoError(t, err)
	assert.Equal(t, `{"reset.subject": "Acme"}`, string(got))

	_, err = fs.ReadFile(files, "locales/fr.json")
	assert.ErrorIs(t, err, fs.ErrNotExist, "neither beta's nor the shared catalog")
	_, err = fs.ReadFile(files, "../beta/locales/fr.json")
	assert.Error(t, err, "no way out of the folder")

	names, err := fs.Glob(files, "*")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"locales", "tenant.json"}, names)
}

func TestLoadAll(t *testing.T) {
	badMode := valid("bad-mode")
	badMode.Links.Mode = "path"
	layer := tree(t, valid("default"), valid("acme"), badMode)
	layer["tenants/bad-json/tenant.json"] = &fstest.MapFile{Data: []byte(`{"id": "bad-json",`)}
	layer["tenants/moved/tenant.json"] = &fstest.MapFile{Data: encode(t, valid("acme"))}
	layer["tenants/Upper/tenant.json"] = &fstest.MapFile{Data: encode(t, valid("upper"))}
	layer["tenants/empty/locales/en.json"] = &fstest.MapFile{Data: []byte(`{}`)}

	all, err := tenant.NewStore(layer).LoadAll()
	require.Error(t, err)

	var ids []string
	for _, tn := range all {
		ids = append(ids, tn.ID)
	}
	assert.Equal(t, []string{"acme", "default"}, ids, "good tenants are still returned")

	got := problems(err)
	wants := []string{
		`tenant id "Upper": not a tenant id`,
		"tenants/bad-json/tenant.json: unexpected EOF",
		"tenants/bad-mode/tenant.json: links.mode",
		"tenants/empty: a folder without tenant.json",
		`tenants/moved/tenant.json: id "acme" does not match its folder`,
	}
	require.Len(t, got, len(wants), "%v", err)
	for i, want := range wants {
		assert.Contains(t, got[i].Error(), want, "problem %d", i)
	}
	assert.NotContains(t, err.Error(), `no "default" tenant`)
}

func TestLoadAllNeedsDefault(t *testing.T) {
	all, err := tenant.NewStore(tree(t, valid("acme"))).LoadAll()
	require.Error(t, err)
	assert.Len(t, all, 1)
	assert.Contains(t, err.Error(), `no "default" tenant`)

	_, err = tenant.NewStore(fstest.MapFS{}).LoadAll()
	assert.ErrorContains(t, err, `no "default" tenant`)
}

func TestLoadAllReportsBrokenDefaultOnce(t *testing.T) {
	broken := valid(tenant.DefaultID)
	broken.Brand.PrimaryColor = "blue"
	_, err := tenant.NewStore(tree(t, broken)).LoadAll()
	require.Error(t, err)
	got := problems(err)
	require.Len(t, got, 1, "%v", err)
	assert.Contains(t, got[0].Error(), "tenants/default/tenant.json: brand.primaryColor")
}

func TestStoreConcurrentGet(t *testing.T) {
	spy := &spyFS{FS: tree(t, valid("acme"))}
	s := tenant.NewStore(spy)

	const n = 50
	got := make([]*tenant.Tenant, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			got[i], errs[i] = s.Get("acme")
		})
	}
	close(start)
	wg.Wait()

	for i := range n {
		require.NoError(t, errs[i])
		require.NotNil(t, got[i])
		assert.Same(t, got[0], got[i], "goroutine %d", i)
	}
	later, err := s.Get("acme")
	require.NoError(t, err)
	assert.Same(t, got[0], later)
}

// Store's documentation says an overlay's tenant folder replaces the same
// id's folder in a later layer whole. An overlay folder without tenant.json
// (say, someone drops in only locales/fr.json to adjust the French text) is
// instead skipped: the embedded tenant is served, the overlay's files are
// never read, and LoadAll (`cogmail check`) reports nothing. Whatever Get
// does with such a folder, LoadAll must say it is not used.
func TestLoadAllReportsOverlayFolderWithoutTenantJSON(t *testing.T) {
	overlay := fstest.MapFS{"tenants/default/locales/fr.json": {Data: []byte(`{"reset.subject": "Réinitialiser"}`)}}
	s := tenant.NewStore(overlay, tree(t, valid(tenant.DefaultID)))

	// The overlay's folder replaces the embedded one whole; without its
	// tenant.json it is an error, never silently skipped.
	_, err := s.Get(tenant.DefaultID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a folder without tenant.json")

	_, err = s.LoadAll()
	require.Error(t, err, "an overlay folder that is silently ignored must be reported")
	assert.Contains(t, err.Error(), "tenants/default")
}
