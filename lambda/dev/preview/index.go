package preview

import (
	"bytes"
	_ "embed"
	"html/template"
	"strconv"
)

//go:embed gallery.tmpl
var galleryText string

var galleryPage = template.Must(template.New("gallery").Funcs(template.FuncMap{
	"thousands": thousands,
	"frag":      frag,
}).Parse(galleryText))

// Generator marks a gallery's index.html, so Write knows whose mail/ folder
// it may replace.
const Generator = "cogmail preview"

// The page's model: tenants, their languages, and each language's entries.
type (
	indexPage struct {
		Generator string
		*Gallery
		Tenants  []tenantSection
		Failures []Entry
	}
	tenantSection struct {
		ID, Name  string
		Failed    int
		Languages []langSection
	}
	langSection struct {
		Anchor, Tag string
		Failed      int
		Entries     []Entry
	}
)

func (g *Gallery) index() []byte {
	p := indexPage{Generator: Generator, Gallery: g}
	for _, e := range g.Entries {
		if n := len(p.Tenants); n == 0 || p.Tenants[n-1].ID != e.Tenant {
			p.Tenants = append(p.Tenants, tenantSection{ID: e.Tenant, Name: e.TenantName})
		}
		t := &p.Tenants[len(p.Tenants)-1]
		if n := len(t.Languages); n == 0 || t.Languages[n-1].Tag != e.Language {
			t.Languages = append(t.Languages, langSection{Anchor: e.LangAnchor(), Tag: e.Language})
		}
		l := &t.Languages[len(t.Languages)-1]
		l.Entries = append(l.Entries, e)
		if e.Failed() {
			l.Failed++
			t.Failed++
			p.Failures = append(p.Failures, e)
		}
	}
	var b bytes.Buffer
	if err := galleryPage.Execute(&b, p); err != nil {
		// The page's template is fixed and its data plain: only a bug here
		// can fail it, and a gallery that says so beats a half page.
		return []byte("<!DOCTYPE html><title>gallery failed</title><pre>" + template.HTMLEscapeString(err.Error()) + "</pre>")
	}
	return b.Bytes()
}

// thousands writes 12345 as 12,345, as the issue and README write sizes.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// frag links to an anchor. html/template would escape the anchors' "/" as
// %2f, which browsers do find but people cannot read; anchors are built from
// validated tenant ids, language tags and message kinds only, so writing
// them as they are is safe.
func frag(anchor string) template.URL { return template.URL("#" + anchor) }
