// Package render turns one message (a reset, an invitation) into the subject,
// HTML body and SMS text Cognito sends, from the embedded templates and
// catalogs. Everything is parsed once, at cold start.
package render

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"path"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// MaxNameRunes bounds a name shown in a greeting: attributes are
// user-controlled and must never push a message over Cognito's limits.
const MaxNameRunes = 64

// Email is a rendered message.
type Email struct {
	Subject string
	HTML    string
	SMS     string
}

// Reset is a password-reset email.
type Reset struct {
	Tenant     *tenant.Tenant
	Name       string        // the user's given name, if any; cleaned and cut here
	Code       string        // Cognito's code placeholder, written verbatim
	Link       string        // the signed link, or "" when none could be signed
	LinkExpiry time.Duration // how long the link lives
}

// Invite is an invitation to an account created by an administrator.
type Invite struct {
	Tenant     *tenant.Tenant
	Name       string
	Username   string // Cognito's username placeholder, written verbatim
	Code       string // the temporary password's placeholder: never in a URL
	Link       string
	LinkExpiry time.Duration
}

// messages lists each message's template file; each defines "content".
var messages = []string{"reset", "invite"}

// Renderer holds the parsed templates and catalogs. It is safe for
// concurrent use.
type Renderer struct {
	templates map[string]*template.Template
	catalog   *catalog
	buffers   sync.Pool
	cache     cache // compiledKey → compileResult
}

// New parses the layout, every message template and the catalog in fsys, and
// reports every problem at once.
func New(fsys fs.FS) (*Renderer, error) {
	var errs []error
	r := &Renderer{templates: make(map[string]*template.Template, len(messages))}
	r.buffers.New = func() any { return new(bytes.Buffer) }

	layout, err := template.New("layout").Funcs(funcs).ParseFS(fsys, "layout.html.tmpl")
	if err != nil {
		errs = append(errs, err)
	}
	for _, name := range messages {
		if layout == nil {
			break
		}
		t, err := layout.Clone()
		if err == nil {
			_, err = t.ParseFS(fsys, name+".html.tmpl")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		r.templates[name] = t.Lookup("layout")
	}

	data, err := fs.ReadFile(fsys, path.Join("locales", "en.json"))
	if err == nil {
		r.catalog, err = parseCatalog(language.English, data)
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("locales/en.json: %w", err))
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

// Reset renders a password-reset email.
func (r *Renderer) Reset(m Reset) (Email, error) {
	return r.render(message{kind: "reset", tenant: m.Tenant, expiry: m.LinkExpiry,
		name: m.Name, code: m.Code, link: m.Link})
}

// Invite renders an invitation email.
func (r *Renderer) Invite(m Invite) (Email, error) {
	return r.render(message{kind: "invite", tenant: m.Tenant, expiry: m.LinkExpiry,
		name: m.Name, code: m.Code, username: m.Username, link: m.Link})
}

// message is what every kind of email is rendered from.
type message struct {
	kind                       string
	tenant                     *tenant.Tenant
	expiry                     time.Duration
	name, code, username, link string
	href                       string // the link for the href attribute; link when empty
}

// render fills the message's compiled form; only when a template cannot be
// compiled (see compile.go) does it execute the template for this message.
func (r *Renderer) render(m message) (Email, error) {
	if m.tenant == nil {
		return Email{}, errNoTenant
	}
	m.name = gate.Truncate(gate.CleanLine(m.name), MaxNameRunes)
	sms := gate.CleanSMS(r.catalog.text(m.kind+".sms",
		"product", m.tenant.Brand.ProductName, "code", m.code, "login", m.username))
	c, err := r.compiled(m)
	if err != nil {
		email, err := r.execute(m)
		email.SMS = sms
		return email, err
	}
	return Email{Subject: c.subject, HTML: c.fill(m), SMS: sms}, nil
}

// page is the view of m that templates see.
func (r *Renderer) page(m message) *page {
	p := &page{
		catalog:  r.catalog,
		expiry:   m.expiry,
		Lang:     r.catalog.tag.String(),
		Dir:      direction(r.catalog.tag),
		Align:    "left",
		Brand:    m.tenant.Brand,
		Name:     m.name,
		Code:     m.code,
		Username: m.username,
		Link:     m.link,
	}
	if p.Dir == "rtl" {
		p.Align = "right"
	}
	if m.link != "" {
		// The link goes in as a whole attribute: html/template would
		// percent-encode the placeholder inside an href, even as template.URL,
		// and Cognito would then never find it. The link is built from the
		// tenant's validated https URL and encoded parameters; escaping it for
		// an attribute is all it needs. At compile time href is a sentinel,
		// already safe.
		href := m.href
		if href == "" {
			href = html.EscapeString(m.link)
		}
		p.Href = template.HTMLAttr(`href="` + href + `"`)
	}
	p.ButtonText = p.T(m.kind + ".button")
	p.Subject = p.T(m.kind+".subject", "product", m.tenant.Brand.ProductName)
	p.Preheader = p.T(m.kind + ".preheader")
	return p
}

// execute runs the template for m: at compile time, and for templates that
// cannot be compiled.
func (r *Renderer) execute(m message) (Email, error) {
	t, ok := r.templates[m.kind]
	if !ok {
		return Email{}, fmt.Errorf("render: no template %q", m.kind)
	}
	p := r.page(m)
	buf := r.buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.buffers.Put(buf)
	if err := t.Execute(buf, p); err != nil {
		return Email{}, fmt.Errorf("render %s: %w", m.kind, err)
	}
	return Email{Subject: gate.CleanLine(p.Subject), HTML: gate.CleanHTML(buf.String())}, nil
}
