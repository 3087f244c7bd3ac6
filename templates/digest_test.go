package templates

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
)

// The digest covers every template and catalog but no tenant's file, and
// tells apart what the framing must (a byte moved between two files).
func TestDigest(t *testing.T) {
	base := func() fstest.MapFS {
		return fstest.MapFS{
			"layout.html.tmpl":          {Data: []byte("layout")},
			"locales/en.json":           {Data: []byte(`{"a":"b"}`)},
			"tenants/acme/tenant.json":  {Data: []byte(`{"id":"acme"}`)},
			"pages/link.html.tmpl":      {Data: []byte("page")},
			"tenants/acme/locales/de.j": {Data: []byte(`{}`)},
		}
	}
	want := digestFS(base())
	assert.Len(t, want, 64)

	for _, tc := range []struct {
		name string
		edit func(fstest.MapFS)
		same bool
	}{
		{"a tenant's file changed", func(m fstest.MapFS) { m["tenants/acme/tenant.json"] = &fstest.MapFile{Data: []byte(`{"id":"x"}`)} }, true},
		{"a tenant added", func(m fstest.MapFS) { m["tenants/globex/tenant.json"] = &fstest.MapFile{Data: []byte(`{}`)} }, true},
		{"a catalog changed", func(m fstest.MapFS) { m["locales/en.json"] = &fstest.MapFile{Data: []byte(`{"a":"c"}`)} }, false},
		{"a template added", func(m fstest.MapFS) { m["reset.html.tmpl"] = &fstest.MapFile{} }, false},
		{"a page removed", func(m fstest.MapFS) { delete(m, "pages/link.html.tmpl") }, false},
		{"a byte moved between files", func(m fstest.MapFS) {
			m["layout.html.tmpl"] = &fstest.MapFile{Data: []byte("layou")}
			m["locales/en.json"] = &fstest.MapFile{Data: []byte(`t{"a":"b"}`)}
		}, false},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			m := base()
			tc.edit(m)
			if tc.same {
				assert.Equal(t, want, digestFS(m))
			} else {
				assert.NotEqual(t, want, digestFS(m))
			}
		})
	}
	t.Run("case=embedded", func(t *testing.T) {
		assert.Equal(t, digestFS(FS), Digest())
		assert.Equal(t, Digest(), Digest())
	})
}

// BenchmarkDigest is Digest's one-time cost, paid by a function's first
// tenant read from S3 (about 0.6 ms on a 2-core machine).
func BenchmarkDigest(b *testing.B) {
	for b.Loop() {
		digestFS(FS)
	}
}
