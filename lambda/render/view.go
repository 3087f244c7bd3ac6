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

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// tenantView is a tenant's templates and catalogs: the base ones, with the
// tenant's overrides on top. Built on the tenant's first message and kept.
// An overlay tenant's files are checked here, on that first message (and
// by CheckTenant): every message of a broken one gets the minimal email.
type tenantView struct {
	base *baseTemplates
	// sets are the tenant's own sets, one per kind, when it overrides a
	// template; nil: the base ones.
	sets     map[trigger.Kind]*template.Template
	catalogs map[language.Tag]*catalog // the tenant's own keys; partial
}

// set is the template set to execute for kind k.
func (v *tenantView) set(k trigger.Kind) (*template.Template, error) {
	if v.sets == nil {
		return v.base.set(k)
	}
	if s := v.sets[k]; s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("render: no template for %s", k)
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

// CheckTenant reads t's own catalogs and templates, as its first message
// does, and reports what is wrong with them: each file once, by its path.
// Every message of t fails with this very error, so `cogmail check` can say
// it once.
func (r *Renderer) CheckTenant(t *tenant.Tenant) error {
	_, err := r.tenantView(t)
	return err
}

// buildView reads a tenant's overrides. In the tenant's folder,
// <kind>.html.tmpl replaces that message's "content"; any other *.tmpl is
// parsed into every message after the base templates, so that it can
// redefine one block ("button", "footer"…) or the whole layout.
func (r *Renderer) buildView(t *tenant.Tenant) (*tenantView, error) {
	view := &tenantView{base: r.templates}
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
	if len(view.catalogs) > 0 {
		en, err := r.catalogs.get(language.English)
		if err != nil {
			errs = append(errs, err)
		}
		for _, tag := range slices.SortedFunc(maps.Keys(view.catalogs), func(a, b language.Tag) int { return strings.Compare(a.String(), b.String()) }) {
			// A tenant's catalog may hold any subset of the keys, each
			// shaped and tokened as in English; a key English lacks
			// would do nothing.
			if c := view.catalogs[tag]; en != nil {
				errs = append(errs, compareCatalog(c.file, c, en, false)...)
			}
		}
	}
	shared, perKind, err := templateFiles(files)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", strings.TrimSuffix(folder, "/"), err))
	}
	if len(shared) > 0 || len(perKind) > 0 {
		view.sets = make(map[trigger.Kind]*template.Template, len(trigger.Kinds))
		reported := map[string]bool{} // a shared file breaks every message alike: say it once
		report := func(err error) {
			if !reported[err.Error()] {
				reported[err.Error()] = true
				errs = append(errs, err)
			}
		}
		for _, k := range trigger.Kinds {
			pristine, err := r.templates.pristine(k)
			if err != nil {
				report(err) // the base template's own problem
				continue
			}
			set, err := overlay(pristine, files, shared, perKind[k])
			if err != nil {
				report(inFolder(folder, err))
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

// overlay parses the tenant's files into set, a fresh copy of the base
// templates, after them.
func overlay(set *template.Template, files fs.FS, shared []string, own string) (*template.Template, error) {
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
