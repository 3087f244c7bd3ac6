package render

import (
	"fmt"
	"html/template"
	"io/fs"
	"sync"

	"github.com/cogmail/cogmail/lambda/trigger"
)

// baseTemplates are the layout and each message's template, parsed on the
// first message of each kind: a cold start parses the layout and the one
// template it renders, nothing else.
type baseTemplates struct {
	fsys  fs.FS
	kinds map[trigger.Kind]*kindTemplates
}

// kindTemplates is one message's set: its layout, blocks and content.
type kindTemplates struct {
	once sync.Once
	run  *template.Template // the one executed
	err  error
	// pristine is parsed again, for the first tenant that overrides a
	// template, and never executed: html/template cannot clone a set that
	// has run, and each such tenant's set is a clone of it.
	pristineOnce sync.Once
	pristine     *template.Template
	pristineErr  error
}

const layoutFile = "layout.html.tmpl"

func newBaseTemplates(fsys fs.FS) *baseTemplates {
	b := &baseTemplates{fsys: fsys, kinds: make(map[trigger.Kind]*kindTemplates, len(trigger.Kinds))}
	for _, k := range trigger.Kinds {
		b.kinds[k] = &kindTemplates{}
	}
	return b
}

// set returns kind k's set to execute, parsing it on first use.
func (b *baseTemplates) set(k trigger.Kind) (*template.Template, error) {
	kt, ok := b.kinds[k]
	if !ok {
		return nil, fmt.Errorf("render: no template for %s", k)
	}
	kt.once.Do(func() { kt.run, kt.err = b.parse(k) })
	return kt.run, kt.err
}

// pristine returns a fresh copy of kind k's set, for a tenant's overrides
// to be parsed into. A cold start, whose tenant overrides no template,
// never parses it.
func (b *baseTemplates) pristine(k trigger.Kind) (*template.Template, error) {
	kt, ok := b.kinds[k]
	if !ok {
		return nil, fmt.Errorf("render: no template for %s", k)
	}
	kt.pristineOnce.Do(func() { kt.pristine, kt.pristineErr = b.parse(k) })
	if kt.pristineErr != nil {
		return nil, kt.pristineErr
	}
	return kt.pristine.Clone()
}

// parse reads the layout, then k's template, which may redefine its
// blocks ("content").
func (b *baseTemplates) parse(k trigger.Kind) (*template.Template, error) {
	layout, err := b.layout()
	if err != nil {
		return nil, err
	}
	if _, err := layout.ParseFS(b.fsys, string(k)+".html.tmpl"); err != nil {
		return nil, fmt.Errorf("%s: %w", k, err)
	}
	return layout, nil
}

func (b *baseTemplates) layout() (*template.Template, error) {
	return template.New("layout").Funcs(funcs).ParseFS(b.fsys, layoutFile)
}

// load parses every template and returns every problem: the layout's once,
// else each message's.
func (b *baseTemplates) load() []error {
	if _, err := b.layout(); err != nil {
		return []error{err}
	}
	var errs []error
	for _, k := range trigger.Kinds {
		if _, err := b.set(k); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Mail clients honour Outlook's conditional comments; html/template strips
// comments written in a template, so they come from these functions.
var funcs = template.FuncMap{
	"ifMSO":       func() template.HTML { return "<!--[if mso]>" },
	"endIfMSO":    func() template.HTML { return "<![endif]-->" },
	"ifNotMSO":    func() template.HTML { return "<!--[if !mso]><!-->" },
	"endIfNotMSO": func() template.HTML { return "<!--<![endif]-->" },
}
