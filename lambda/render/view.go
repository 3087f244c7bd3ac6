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
	"sync"
	texttemplate "text/template"

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

	// The tenant's notice sets, when it has template files: made on its
	// first notice (or by CheckTenant), never by the Custom Message path.
	files       fs.FS
	folder      string
	tmpl        tenantTemplates
	noticesOnce sync.Once
	notices     map[trigger.Kind]noticeSet
	noticesErr  error
	// The tenant's text sets of the Custom Message kinds, for the Custom
	// Email Sender function: made on its first such message (or by
	// CheckTenant), never by the Custom Message path.
	textsOnce sync.Once
	texts     map[trigger.Kind]*texttemplate.Template
	textsErr  error
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

// notice is the pair of sets to execute for notice k.
func (v *tenantView) notice(k trigger.Kind) (noticeSet, error) {
	if v.files == nil {
		return v.base.notice(k)
	}
	if err := v.buildNotices(); err != nil {
		return noticeSet{}, err
	}
	if set, ok := v.notices[k]; ok {
		return set, nil
	}
	return noticeSet{}, fmt.Errorf("render: no template for %s", k)
}

// text is the text set to execute for Custom Message kind k.
func (v *tenantView) text(k trigger.Kind) (*texttemplate.Template, error) {
	if v.files == nil {
		return v.base.text(k)
	}
	if err := v.buildTexts(); err != nil {
		return nil, err
	}
	if set, ok := v.texts[k]; ok {
		return set, nil
	}
	return nil, fmt.Errorf("render: no text template for %s", k)
}

// buildTexts parses every Custom Message kind's text set for the tenant,
// once: the base files, then the tenant's *.txt.tmpl of no kind and its
// <kind>.txt.tmpl. A problem fails the tenant's emails in sender mode, not
// its Custom Message answers.
func (v *tenantView) buildTexts() error {
	v.textsOnce.Do(func() {
		v.texts = make(map[trigger.Kind]*texttemplate.Template, len(trigger.Kinds))
		var errs []error
		reported := map[string]bool{}
		for _, k := range trigger.Kinds {
			set, err := v.base.parseText(k)
			if err == nil {
				err = inFolderOnce(v.folder, overlayText(set, v.files, v.tmpl, k))
			}
			if err != nil {
				if !reported[err.Error()] {
					reported[err.Error()] = true
					errs = append(errs, err)
				}
				continue
			}
			v.texts[k] = set
		}
		v.textsErr = errors.Join(errs...)
	})
	return v.textsErr
}

// buildNotices parses every notice's sets for the tenant, once: the base
// files, then the tenant's. Its HTML files for every message (footer.tmpl)
// go into each notice's HTML, its <kind>.html.tmpl into that notice's; its
// *.txt.tmpl of no kind into each notice's text, its <kind>.txt.tmpl into
// that notice's. A problem fails the tenant's notices, not its Custom
// Message emails.
func (v *tenantView) buildNotices() error {
	v.noticesOnce.Do(func() {
		v.notices = make(map[trigger.Kind]noticeSet, len(trigger.Notices))
		var errs []error
		reported := map[string]bool{} // a shared file breaks every notice alike: say it once
		for _, k := range trigger.Notices {
			set, err := v.base.parseNotice(k)
			if err == nil {
				set, err = overlayNotice(set, v.files, v.tmpl, k)
				err = inFolderOnce(v.folder, err)
			}
			if err != nil {
				if !reported[err.Error()] {
					reported[err.Error()] = true
					errs = append(errs, err)
				}
				continue
			}
			v.notices[k] = set
		}
		v.noticesErr = errors.Join(errs...)
	})
	return v.noticesErr
}

// overlayNotice parses the tenant's files into a notice's fresh sets.
func overlayNotice(set noticeSet, files fs.FS, tmpl tenantTemplates, k trigger.Kind) (noticeSet, error) {
	html, err := overlay(set.html, files, tmpl.shared, tmpl.own[k])
	if err != nil {
		return noticeSet{}, err
	}
	if err := overlayText(set.text, files, tmpl, k); err != nil {
		return noticeSet{}, err
	}
	return noticeSet{html: html, text: set.text}, nil
}

// overlayText parses the tenant's text files for k into text, a fresh
// text set: those of no kind, then k's own.
func overlayText(text *texttemplate.Template, files fs.FS, tmpl tenantTemplates, k trigger.Kind) error {
	names := tmpl.sharedText
	if own := tmpl.ownText[k]; own != "" {
		names = append(append([]string(nil), names...), own)
	}
	for _, name := range names {
		data, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		if _, err := text.New(path.Base(name)).Parse(string(data)); err != nil {
			return &fileError{name, err}
		}
	}
	return nil
}

// inFolderOnce is inFolder for an error that may be nil.
func inFolderOnce(folder string, err error) error {
	if err == nil {
		return nil
	}
	return inFolder(folder, err)
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
// does, its notices' templates, as its first notice does, and its text
// templates, as its first message in sender mode does, and reports what is
// wrong with them: each file once, by its path. Every message of t (or,
// for a problem of the notices' templates only, every notice; of the text
// templates only, every message in sender mode) fails with this very
// error, or with one of the errors it joins, so `cogmail check` can say it
// once.
func (r *Renderer) CheckTenant(t *tenant.Tenant) error {
	view, err := r.tenantView(t)
	if err != nil {
		return err
	}
	if view.files == nil {
		return nil
	}
	return joinOnce(view.buildNotices(), view.buildTexts())
}

// joinOnce joins a and b, leaving out each of b's problems that a already
// states: a shared text file (footer.txt.tmpl) breaks notices and texts
// alike. One of them alone is returned as it is.
func joinOnce(a, b error) error {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	said := map[string]bool{}
	for _, e := range unjoin(a) {
		said[e.Error()] = true
	}
	errs := []error{a}
	for _, e := range unjoin(b) {
		if !said[e.Error()] {
			errs = append(errs, e)
		}
	}
	if len(errs) == 1 {
		return a
	}
	return errors.Join(errs...)
}

// unjoin lists the errors err joins, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
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
	tmpl, err := templateFiles(files)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", strings.TrimSuffix(folder, "/"), err))
	}
	shared, perKind := tmpl.shared, tmpl.own
	if tmpl.any() {
		view.files, view.folder, view.tmpl = files, folder, tmpl
	}
	if len(shared) > 0 || tmpl.ownCustom() {
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

// tenantTemplates are a tenant's *.tmpl files, sorted by what they are for.
type tenantTemplates struct {
	shared []string                // HTML for every message and notice: footer.tmpl
	own    map[trigger.Kind]string // <kind>.html.tmpl, for one message or notice
	// sharedText is text for every text part (footer.txt.tmpl), ownText
	// a notice's or a Custom Message kind's own (<kind>.txt.tmpl). Only
	// the Custom Email Sender function sends a Custom Message kind's text
	// part: the Custom Message function reads none of these.
	sharedText []string
	ownText    map[trigger.Kind]string
}

func (t tenantTemplates) any() bool {
	return len(t.shared)+len(t.own)+len(t.sharedText)+len(t.ownText) > 0
}

// ownCustom reports whether one of the files is a Custom Message kind's own.
func (t tenantTemplates) ownCustom() bool {
	for k := range t.own {
		if k.Valid() {
			return true
		}
	}
	return false
}

// templateFiles sorts a tenant's *.tmpl files into those for every message
// and those for one, HTML and text.
func templateFiles(files fs.FS) (tenantTemplates, error) {
	names, err := fs.Glob(files, "*.tmpl")
	if err != nil {
		return tenantTemplates{}, err
	}
	t := tenantTemplates{own: map[trigger.Kind]string{}, ownText: map[trigger.Kind]string{}}
	for _, name := range names {
		if base, ok := strings.CutSuffix(name, ".txt.tmpl"); ok {
			if k := trigger.Kind(base); k.Notice() || k.Valid() {
				t.ownText[k] = name
			} else {
				t.sharedText = append(t.sharedText, name)
			}
			continue
		}
		k := trigger.Kind(strings.TrimSuffix(name, ".html.tmpl"))
		if strings.HasSuffix(name, ".html.tmpl") && (k.Valid() || k.Notice()) {
			t.own[k] = name
			continue
		}
		t.shared = append(t.shared, name)
	}
	return t, nil
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
