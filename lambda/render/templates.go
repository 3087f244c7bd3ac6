package render

import (
	"fmt"
	"html/template"
	"io/fs"
	"sync"
	texttemplate "text/template"

	"github.com/cogmail/cogmail/lambda/trigger"
)

// baseTemplates are the layout and each message's template, parsed on the
// first message of each kind: a cold start parses the layout and the one
// template it renders, nothing else.
type baseTemplates struct {
	fsys  fs.FS
	kinds map[trigger.Kind]*kindTemplates
	// notices are made on the first notice: the Custom Message function
	// never renders one, and its cold start makes none.
	noticesOnce sync.Once
	notices     map[trigger.Kind]*noticeTemplates
	// texts are the Custom Message kinds' text parts, which only the
	// Custom Email Sender function sends (Message.Sent): made on its first
	// message, never by the Custom Message function.
	textsOnce sync.Once
	texts     map[trigger.Kind]*textTemplates
}

// textTemplates is one Custom Message kind's base text set, parsed on
// first use.
type textTemplates struct {
	once sync.Once
	set  *texttemplate.Template
	err  error
}

// noticeSet is a notice's two sets: its HTML part's and its text part's.
type noticeSet struct {
	html *template.Template
	text *texttemplate.Template
}

// noticeTemplates is one notice's base sets, parsed on first use.
type noticeTemplates struct {
	once sync.Once
	set  noticeSet
	err  error
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

const (
	layoutFile = "layout.html.tmpl"
	// noticeBlocksFile holds the HTML blocks only notices use ("notice",
	// "never"): kept out of the layout, which every Custom Message email
	// parses on its cold start.
	noticeBlocksFile = "notice-blocks.html.tmpl"
	textLayoutFile   = "layout.txt.tmpl"
)

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
	return b.parseOwn(layout, k)
}

// parseOwn reads k's own template into set, after its blocks.
func (b *baseTemplates) parseOwn(set *template.Template, k trigger.Kind) (*template.Template, error) {
	if _, err := set.ParseFS(b.fsys, string(k)+".html.tmpl"); err != nil {
		return nil, fmt.Errorf("%s: %w", k, err)
	}
	return set, nil
}

func (b *baseTemplates) layout() (*template.Template, error) {
	return template.New("layout").Funcs(funcs).ParseFS(b.fsys, layoutFile)
}

// noticeLayout is the layout with the notices' blocks.
func (b *baseTemplates) noticeLayout() (*template.Template, error) {
	layout, err := b.layout()
	if err != nil {
		return nil, err
	}
	return layout.ParseFS(b.fsys, noticeBlocksFile)
}

// notice returns notice k's sets to execute, parsing them on first use.
func (b *baseTemplates) notice(k trigger.Kind) (noticeSet, error) {
	b.noticesOnce.Do(func() {
		b.notices = make(map[trigger.Kind]*noticeTemplates, len(trigger.Notices))
		for _, k := range trigger.Notices {
			b.notices[k] = &noticeTemplates{}
		}
	})
	nt, ok := b.notices[k]
	if !ok {
		return noticeSet{}, fmt.Errorf("render: no template for %s", k)
	}
	nt.once.Do(func() { nt.set, nt.err = b.parseNotice(k) })
	return nt.set, nt.err
}

// parseNotice parses notice k's two sets afresh: the HTML layout, the
// notices' blocks and <k>.html.tmpl, the text layout and <k>.txt.tmpl. A
// tenant's overrides are parsed into fresh sets (view.go); notices are few,
// and not on Cognito's clock.
func (b *baseTemplates) parseNotice(k trigger.Kind) (noticeSet, error) {
	layout, err := b.noticeLayout()
	if err != nil {
		return noticeSet{}, err
	}
	html, err := b.parseOwn(layout, k)
	if err != nil {
		return noticeSet{}, err
	}
	text, err := b.parseText(k)
	if err != nil {
		return noticeSet{}, err
	}
	return noticeSet{html: html, text: text}, nil
}

// text returns Custom Message kind k's text set to execute, parsing it on
// first use.
func (b *baseTemplates) text(k trigger.Kind) (*texttemplate.Template, error) {
	b.textsOnce.Do(func() {
		b.texts = make(map[trigger.Kind]*textTemplates, len(trigger.Kinds))
		for _, k := range trigger.Kinds {
			b.texts[k] = &textTemplates{}
		}
	})
	tt, ok := b.texts[k]
	if !ok {
		return nil, fmt.Errorf("render: no text template for %s", k)
	}
	tt.once.Do(func() { tt.set, tt.err = b.parseText(k) })
	return tt.set, tt.err
}

// parseText parses k's text set afresh: the text layout and <k>.txt.tmpl.
func (b *baseTemplates) parseText(k trigger.Kind) (*texttemplate.Template, error) {
	text, err := b.textLayout()
	if err != nil {
		return nil, err
	}
	if _, err := text.ParseFS(b.fsys, string(k)+".txt.tmpl"); err != nil {
		return nil, fmt.Errorf("%s: %w", k, err)
	}
	return text, nil
}

func (b *baseTemplates) textLayout() (*texttemplate.Template, error) {
	return texttemplate.New("layout").ParseFS(b.fsys, textLayoutFile)
}

// load parses every template and returns every problem: each layout's
// (and the notices' blocks') once, else each message's, HTML and text.
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
	if _, err := b.noticeLayout(); err != nil {
		return append(errs, err)
	}
	if _, err := b.textLayout(); err != nil {
		return append(errs, err)
	}
	for _, k := range trigger.Notices {
		if _, err := b.notice(k); err != nil {
			errs = append(errs, err)
		}
	}
	for _, k := range trigger.Kinds {
		if _, err := b.text(k); err != nil {
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
