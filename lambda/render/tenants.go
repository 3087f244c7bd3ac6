package render

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

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
	folder := "tenants/" + t.ID + "/"
	view.catalogs, err = loadCatalogs(files, "locales", folder)
	if err != nil {
		errs = append(errs, err)
	}
	for _, tag := range slices.SortedFunc(maps.Keys(view.catalogs), func(a, b language.Tag) int { return strings.Compare(a.String(), b.String()) }) {
		// A tenant's catalog may hold any subset of the keys, each shaped
		// and tokened as in English; a key English lacks would do nothing.
		c := view.catalogs[tag]
		errs = append(errs, compareCatalog(c.file, c, r.catalogs[language.English], false)...)
	}
	shared, perKind, err := templateFiles(files)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", strings.TrimSuffix(folder, "/"), err))
	}
	if len(shared) > 0 || len(perKind) > 0 {
		view.sets = make(map[trigger.Kind]*template.Template, len(r.sets))
		reported := map[string]bool{} // a shared file breaks every message alike: say it once
		for _, k := range trigger.Kinds {
			set, err := overlay(r.pristine[k], files, shared, perKind[k])
			if err != nil {
				if err = inFolder(folder, err); !reported[err.Error()] {
					reported[err.Error()] = true
					errs = append(errs, err)
				}
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

// fileError is a template file that does not parse.
type fileError struct {
	name string
	err  error
}

func (e *fileError) Error() string { return e.name + ": " + e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// inFolder names a template's problem by its path in the tenant's folder,
// with html/template's line as file:line.
func inFolder(folder string, err error) error {
	var fe *fileError
	if !errors.As(err, &fe) {
		return fmt.Errorf("%s: %w", strings.TrimSuffix(folder, "/"), err)
	}
	if rest, ok := strings.CutPrefix(fe.err.Error(), "template: "+fe.name+":"); ok {
		return fmt.Errorf("%s%s:%s", folder, fe.name, rest)
	}
	return fmt.Errorf("%s%w", folder, err)
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
			return nil, &fileError{name, err}
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
	// used counts, per language of the chain, the characters of the texts
	// found in it: which language a message is mostly written in.
	used []int
}

func (r *Renderer) words(view *tenantView, tag, tenantDefault language.Tag) *words {
	w := &words{chain: locale.Chain(tag, tenantDefault), view: view, base: r.catalogs, lang: language.English}
	w.used = make([]int, len(w.chain))
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
	for i, t := range w.chain {
		for _, c := range [...]*catalog{w.view.catalogs[t], w.base[t]} {
			if c == nil {
				continue
			}
			if e, ok := c.entries[key]; ok {
				w.used[i] += e.size()
				return e, t, true
			}
		}
	}
	return entry{}, language.Und, false
}

// size is how much text e holds, in characters: its text, or its longest form.
func (e entry) size() int {
	n := utf8.RuneCountInString(e.text)
	for _, text := range e.forms {
		n = max(n, utf8.RuneCountInString(text))
	}
	return n
}

// mostly is the language of the chain that supplied the most characters of
// the texts looked up so far (the earlier one on a tie); before any lookup,
// the first language of the chain with a catalog. A tenant's sv.json with
// one key leaves an email mostly in the tenant's default language, and the
// email must say so in its lang attribute.
func (w *words) mostly() language.Tag {
	best := -1
	for i, n := range w.used {
		if n > 0 && (best < 0 || n > w.used[best]) {
			best = i
		}
	}
	if best < 0 {
		return w.lang
	}
	return w.chain[best]
}

// CheckTenant reads t's own catalogs and templates, as its first message
// does, and reports what is wrong with them: each file once, by its path.
// Every message of t fails with this very error, so `cogmail check` can say
// it once.
func (r *Renderer) CheckTenant(t *tenant.Tenant) error {
	_, err := r.tenantView(t)
	return err
}
