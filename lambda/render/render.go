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
	"strings"
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
	p := r.page(m.Tenant, m.Name, m.Code, m.Link, m.LinkExpiry)
	p.ButtonText = p.T("reset.button")
	p.Subject = p.T("reset.subject", "product", m.Tenant.Brand.ProductName)
	p.Preheader = p.T("reset.preheader")
	sms := p.T("reset.sms", "product", m.Tenant.Brand.ProductName, "code", m.Code)
	return r.execute("reset", p, sms)
}

// Invite renders an invitation email.
func (r *Renderer) Invite(m Invite) (Email, error) {
	p := r.page(m.Tenant, m.Name, m.Code, m.Link, m.LinkExpiry)
	p.Username = m.Username
	p.ButtonText = p.T("invite.button")
	p.Subject = p.T("invite.subject", "product", m.Tenant.Brand.ProductName)
	p.Preheader = p.T("invite.preheader")
	sms := p.T("invite.sms", "product", m.Tenant.Brand.ProductName, "login", m.Username, "code", m.Code)
	return r.execute("invite", p, sms)
}

func (r *Renderer) page(t *tenant.Tenant, name, code, link string, expiry time.Duration) *page {
	p := &page{
		catalog: r.catalog,
		Lang:    r.catalog.tag.String(),
		Dir:     direction(r.catalog.tag),
		Align:   "left",
		Brand:   t.Brand,
		Name:    gate.Truncate(gate.CleanLine(name), MaxNameRunes),
		Code:    code,
		Link:    link,
		expiry:  expiry,
	}
	if p.Dir == "rtl" {
		p.Align = "right"
	}
	if link != "" {
		// The link goes in as a whole attribute: html/template would
		// percent-encode the placeholder inside an href, even as template.URL,
		// and Cognito would then never find it. The link is built from the
		// tenant's validated https URL and encoded parameters; escaping it for
		// an attribute is all it needs.
		p.Href = template.HTMLAttr(`href="` + html.EscapeString(link) + `"`)
	}
	return p
}

func (r *Renderer) execute(name string, p *page, sms string) (Email, error) {
	t, ok := r.templates[name]
	if !ok {
		return Email{}, fmt.Errorf("render: no template %q", name)
	}
	buf := r.buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.buffers.Put(buf)
	if err := t.Execute(buf, p); err != nil {
		return Email{}, fmt.Errorf("render %s: %w", name, err)
	}
	return Email{
		Subject: gate.CleanLine(p.Subject),
		HTML:    gate.CleanHTML(buf.String()),
		SMS:     gate.CleanSMS(sms),
	}, nil
}

// page is what templates see.
type page struct {
	catalog *catalog
	expiry  time.Duration

	Lang, Dir, Align   string
	Subject, Preheader string
	Brand              tenant.Brand
	Name               string
	Code, Username     string
	Link               string
	Href               template.HTMLAttr
	ButtonText         string
}

// T returns the catalog text for key, with {name} arguments given as pairs.
func (p *page) T(key string, args ...any) string { return p.catalog.text(key, args...) }

// Expiry says how long the link lives, in the largest whole unit:
// prefix+".days", ".hours" or ".minutes", with CLDR plural forms.
func (p *page) Expiry(prefix string) string {
	d := p.expiry
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return p.catalog.count(prefix+".days", int(d/(24*time.Hour)))
	case d >= time.Hour && d%time.Hour == 0:
		return p.catalog.count(prefix+".hours", int(d/time.Hour))
	default:
		return p.catalog.count(prefix+".minutes", int((d+time.Minute-1)/time.Minute))
	}
}

// credential is one labelled value for the "credential" template.
type credential struct{ Label, Value string }

// Credential pairs a catalog label with a placeholder for the "credential"
// template.
func (p *page) Credential(labelKey, value string) credential {
	return credential{Label: p.T(labelKey), Value: value}
}

// Languages of the right-to-left scripts the catalogs may carry.
var rtl = map[string]bool{"ar": true, "he": true, "fa": true, "ur": true}

func direction(tag language.Tag) string {
	base, _ := tag.Base()
	if rtl[strings.ToLower(base.String())] {
		return "rtl"
	}
	return "ltr"
}
