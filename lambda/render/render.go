// Package render turns one message into the subject, HTML body and SMS text
// Cognito sends, in the tenant's brand and the user's language. Base
// templates and catalogs are parsed once at cold start; a tenant's overrides
// on its first message; each email's compiled form on its first use.
package render

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// MaxNameRunes bounds a name shown in a greeting: attributes are
// user-controlled and must never push a message over Cognito's limits.
const MaxNameRunes = 64

// Email is a rendered message.
type Email struct {
	Subject string
	HTML    string
	SMS     string
	// Lang is the language most of its text is written in: of the
	// catalogs' fallback chain, the language that supplied the most
	// characters. It is the lang attribute of <html>.
	Lang string
}

// Message is one email to render.
type Message struct {
	Kind   trigger.Kind
	Tenant *tenant.Tenant
	Locale language.Tag // the negotiated language; language.Und means the tenant's default
	Name   string       // the user's given name, if any; cleaned, cut or left out here (greetingName)
	Code   string       // Cognito's code placeholder, written verbatim
	// Username is Cognito's username placeholder, for invitations.
	Username string
	Link     string // the signed link, or "" when there is none
	// Expiry is how long the link lives; for invitations, how long the
	// temporary password does.
	Expiry time.Duration
}

// kind is what the renderer knows of each message.
type kind struct {
	links bool // the message can carry a link
	// codeValidity is what the code-only expiry line says; 0 for none.
	codeValidity time.Duration
}

var kinds = map[trigger.Kind]kind{
	trigger.Reset:  {links: true, codeValidity: time.Hour},
	trigger.Invite: {links: true},
	trigger.SignUp: {links: true, codeValidity: 24 * time.Hour},
	trigger.Resend: {links: true, codeValidity: 24 * time.Hour},
	trigger.Update: {codeValidity: 24 * time.Hour},
	trigger.Verify: {codeValidity: 24 * time.Hour},
	trigger.MFA:    {},
}

// Renderer holds the parsed base templates and catalogs and every tenant's
// prepared forms. It is safe for concurrent use.
type Renderer struct {
	sets map[trigger.Kind]*template.Template // per kind: layout, blocks and its content
	// pristine are never executed: html/template cannot clone a set after
	// it has run, and tenants' overrides are clones of these.
	pristine map[trigger.Kind]*template.Template
	catalogs map[language.Tag]*catalog // shipped catalogs and the pseudo-locale
	tenants  sync.Map                  // *tenant.Tenant → *tenantView
	compiled sync.Map                  // compiledKey → compileResult
	buffers  sync.Pool
}

// New parses the layout, every message template and every catalog in fsys,
// and reports every problem at once.
func New(fsys fs.FS) (*Renderer, error) {
	r := &Renderer{
		sets:     make(map[trigger.Kind]*template.Template, len(kinds)),
		pristine: make(map[trigger.Kind]*template.Template, len(kinds)),
	}
	r.buffers.New = func() any { return new(bytes.Buffer) }
	var errs []error

	layout, err := template.New("layout").Funcs(funcs).ParseFS(fsys, "layout.html.tmpl")
	if err != nil {
		errs = append(errs, err)
	}
	for _, k := range trigger.Kinds {
		if layout == nil {
			break
		}
		set, err := layout.Clone()
		if err == nil {
			_, err = set.ParseFS(fsys, string(k)+".html.tmpl")
		}
		var run *template.Template
		if err == nil {
			run, err = set.Clone()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
			continue
		}
		r.pristine[k], r.sets[k] = set, run
	}

	var err2 error
	r.catalogs, err2 = loadCatalogs(fsys, "locales", "")
	if err2 != nil {
		errs = append(errs, err2)
	}
	if en, ok := r.catalogs[language.English]; ok {
		r.catalogs[pseudo] = pseudoCatalog(en)
	} else if err2 == nil {
		errs = append(errs, errors.New("locales/en.json: missing; every chain ends in English"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// Mail clients honour Outlook's conditional comments; html/template strips
// comments written in a template, so they come from these functions.
var funcs = template.FuncMap{
	"ifMSO":       func() template.HTML { return "<!--[if mso]>" },
	"endIfMSO":    func() template.HTML { return "<![endif]-->" },
	"ifNotMSO":    func() template.HTML { return "<!--[if !mso]><!-->" },
	"endIfNotMSO": func() template.HTML { return "<!--<![endif]-->" },
}

// Render writes m. The HTML comes from m's compiled form; only a template
// that cannot be compiled (see compile.go) is executed per message.
func (r *Renderer) Render(m Message) (Email, error) {
	if m.Tenant == nil {
		return Email{}, errors.New("render: no tenant")
	}
	if _, ok := kinds[m.Kind]; !ok {
		return Email{}, fmt.Errorf("render: unknown message %q", m.Kind)
	}
	if m.Locale == language.Und {
		m.Locale = m.Tenant.DefaultLanguage()
	}
	m.Name = greetingName(m)
	c, err := r.compiledFor(m)
	if c == nil {
		return Email{}, err
	}
	sms := gate.CleanSMS(fill(c.sms, []string{"product", m.Tenant.Brand.ProductName, "code", m.Code, "login", m.Username}))
	if err != nil { // the template cannot be compiled: execute it for m
		email, err := r.execute(m)
		email.SMS = sms
		return email, err
	}
	return Email{Subject: c.subject, HTML: c.fill(m), SMS: sms, Lang: c.lang}, nil
}

// greetingName is the name m may greet by, cleaned and cut: none in a
// message to an address nobody has proven (anyone can sign up with a
// stranger's address and write "SECURITY ALERT: call …" as their name),
// and none that would carry one of m's placeholders into the body (Cognito
// would fill in the code there, or the gate refuse the email). Every path
// that shows a name (the rich email, previews, the check) comes through
// here; the minimal email shows none.
func greetingName(m Message) string {
	if !m.Kind.ProvenDestination() {
		return ""
	}
	name := gate.Truncate(gate.CleanName(m.Name), MaxNameRunes)
	// As the body writes it: escaped for HTML, then cleaned.
	written := gate.CleanHTML(escapeHTML(name))
	for _, p := range [...]string{m.Code, m.Username} {
		if gate.Holds(name, p) || gate.Holds(written, p) {
			return ""
		}
	}
	return name
}

// execute runs m's template: at compile time, and for templates that cannot
// be compiled.
func (r *Renderer) execute(m Message) (Email, error) {
	view, err := r.tenantView(m.Tenant)
	if err != nil {
		return Email{}, err
	}
	buf := r.buffers.Get().(*bytes.Buffer)
	defer r.buffers.Put(buf)
	// <html lang> comes before the texts: the first pass assumes the
	// chain's first language with a catalog; if most of the text came from
	// another (a fallback), the email is written again, saying that one.
	p := r.page(view, m, language.Und)
	for pass := 0; ; pass++ {
		buf.Reset()
		if err := view.sets[m.Kind].ExecuteTemplate(buf, "layout", p); err != nil {
			return Email{}, fmt.Errorf("render %s: %w", m.Kind, err)
		}
		if mostly := p.words.mostly(); pass == 0 && mostly.String() != p.Lang {
			p = r.page(view, m, mostly)
			continue
		}
		return Email{Subject: gate.CleanLine(p.Subject), HTML: gate.CleanHTML(buf.String()), Lang: p.Lang}, nil
	}
}

// page is the view of m that templates see, written in lang (language.Und:
// the first language of the chain with a catalog).
func (r *Renderer) page(view *tenantView, m Message, lang language.Tag) *page {
	w := r.words(view, m.Locale, m.Tenant.DefaultLanguage())
	if lang == language.Und {
		lang = w.lang
	}
	p := &page{
		words:    w,
		kind:     m.Kind,
		Lang:     lang.String(),
		Dir:      direction(lang),
		Align:    "left",
		Brand:    m.Tenant.Brand,
		Name:     m.Name,
		Code:     m.Code,
		Username: m.Username,
		Link:     m.Link,
	}
	if p.Dir == "rtl" {
		p.Align = "right"
	}
	if m.Link != "" {
		// The link goes in as a whole attribute: html/template would
		// percent-encode the placeholder inside an href, even as template.URL,
		// and Cognito would then never find it. The link is built from the
		// tenant's validated https URL and encoded parameters; escaping it for
		// an attribute is all it needs. At compile time it is a sentinel.
		p.Href = template.HTMLAttr(`href="` + html.EscapeString(m.Link) + `"`)
	}
	product := m.Tenant.Brand.ProductName
	p.Subject = p.K("subject", "product", product)
	p.Preheader = p.K("preheader", "product", product)
	p.ExpiryText = r.expiryText(p, m)
	return p
}

// expiryText is the line saying how long the message's link or code lives.
func (r *Renderer) expiryText(p *page, m Message) string {
	switch {
	case m.Kind == trigger.Invite:
		return p.count(string(m.Kind)+".expires", m.Expiry)
	case m.Link != "":
		return p.count(string(m.Kind)+".expires", m.Expiry)
	case kinds[m.Kind].codeValidity > 0:
		return p.count("code.expires", kinds[m.Kind].codeValidity)
	}
	return ""
}
