package render

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/locale"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// tenantView is a tenant's templates and catalogs: the base ones, with the
// tenant's overrides on top. Built on the tenant's first message and kept.
type tenantView struct {
	sets     map[trigger.Kind]*template.Template
	catalogs map[language.Tag]*catalog // the tenant's own keys; partial
}

type viewResult struct {
	view *tenantView
	err  error
}

func (r *Renderer) tenantView(t *tenant.Tenant) (*tenantView, error) {
	if v, ok := r.tenants.Load(t); ok {
		res := v.(viewResult)
		return res.view, res.err
	}
	view, err := r.buildView(t)
	v, _ := r.tenants.LoadOrStore(t, viewResult{view, err})
	res := v.(viewResult)
	return res.view, res.err
}

// buildView reads a tenant's overrides. In the tenant's folder,
// <kind>.html.tmpl replaces that message's "content"; any other *.tmpl is
// parsed into every message after the base templates, so that it can
// redefine one block ("button", "footer"…) or the whole layout.
func (r *Renderer) buildView(t *tenant.Tenant) (*tenantView, error) {
	view := &tenantView{sets: r.sets}
	files := t.Files()
	if files == nil {
		return view, nil
	}
	var errs []error
	var err error
	view.catalogs, err = loadCatalogs(files, "locales")
	if err != nil {
		errs = append(errs, fmt.Errorf("tenant %s: %w", t.ID, err))
	}
	for tag, c := range view.catalogs {
		// A tenant's catalog may hold any subset of the keys, each shaped
		// and tokened as in English; a key English lacks would do nothing.
		errs = append(errs, compareCatalog(fmt.Sprintf("tenant %s: locales/%s.json", t.ID, tag), c, r.catalogs[language.English], false)...)
	}
	shared, perKind, err := templateFiles(files)
	if err != nil {
		errs = append(errs, fmt.Errorf("tenant %s: %w", t.ID, err))
	}
	if len(shared) > 0 || len(perKind) > 0 {
		view.sets = make(map[trigger.Kind]*template.Template, len(r.sets))
		for k, base := range r.pristine {
			set, err := overlay(base, files, shared, perKind[k])
			if err != nil {
				errs = append(errs, fmt.Errorf("tenant %s: %s: %w", t.ID, k, err))
				continue
			}
			view.sets[k] = set
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return view, nil
}

// templateFiles sorts a tenant's *.tmpl files into those for every message
// and those for one.
func templateFiles(files fs.FS) (shared []string, perKind map[trigger.Kind]string, err error) {
	names, err := fs.Glob(files, "*.tmpl")
	if err != nil {
		return nil, nil, err
	}
	perKind = map[trigger.Kind]string{}
	for _, name := range names {
		k := trigger.Kind(strings.TrimSuffix(name, ".html.tmpl"))
		if strings.HasSuffix(name, ".html.tmpl") && k.Valid() {
			perKind[k] = name
			continue
		}
		shared = append(shared, name)
	}
	return shared, perKind, nil
}

func overlay(base *template.Template, files fs.FS, shared []string, own string) (*template.Template, error) {
	set, err := base.Clone()
	if err != nil {
		return nil, err
	}
	names := shared
	if own != "" {
		names = append(append([]string(nil), shared...), own)
	}
	for _, name := range names {
		data, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, err
		}
		if _, err := set.New(path.Base(name)).Parse(string(data)); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// words is the catalog view of one (tenant, language): each key is looked up
// along the chain language → parents → tenant default → English, the
// tenant's own catalog before the base one at each step.
type words struct {
	chain []language.Tag
	view  *tenantView
	base  map[language.Tag]*catalog
	lang  language.Tag // the first language of the chain that has a catalog
}

func (r *Renderer) words(view *tenantView, tag, tenantDefault language.Tag) *words {
	w := &words{chain: locale.Chain(tag, tenantDefault), view: view, base: r.catalogs, lang: language.English}
	for _, t := range w.chain {
		if r.catalogs[t] != nil || view.catalogs[t] != nil {
			w.lang = t
			break
		}
	}
	return w
}

// lookup finds key along the chain, with the language it was found in (its
// plural rules apply).
func (w *words) lookup(key string) (entry, language.Tag, bool) {
	for _, t := range w.chain {
		for _, c := range [...]*catalog{w.view.catalogs[t], w.base[t]} {
			if c == nil {
				continue
			}
			if e, ok := c.entries[key]; ok {
				return e, t, true
			}
		}
	}
	return entry{}, language.Und, false
}
