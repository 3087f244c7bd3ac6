package render

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// kind is what the renderer knows of each message.
type kind struct {
	// notice: the notifier's message, with a text part (notice.go).
	notice bool
	links  bool // the message can carry a link
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

	trigger.Recovered:  {notice: true, links: true},
	trigger.Changed:    {notice: true, links: true},
	trigger.AdminSet:   {notice: true, links: true},
	trigger.AdminReset: {notice: true},
	trigger.Welcome:    {notice: true},
	trigger.Takeover:   {notice: true, links: true},
}

// execute runs m's template: at compile time, for the first message of
// each form, and for templates that cannot be compiled. Its SMS is the
// catalog's text, unfilled.
func (r *Renderer) execute(m Message) (Email, error) {
	view, err := r.tenantView(m.Tenant)
	if err != nil {
		return Email{}, err
	}
	set, err := view.set(m.Kind)
	if err != nil {
		return Email{}, err
	}
	w, err := r.words(view, m.Locale, m.Tenant.DefaultLanguage())
	if err != nil {
		return Email{}, err
	}
	html, p, err := r.write(set, w, m)
	if err != nil {
		return Email{}, err
	}
	// The SMS text is the catalog's, unfilled: Render fills it.
	return Email{Subject: cleanLine(p.Subject), HTML: html, Lang: p.Lang,
		SMS: p.words.raw(string(m.Kind) + ".sms")}, nil
}

// write executes an email's HTML set for m with the words w, and returns
// the HTML, cleaned, and the page it was written from.
func (r *Renderer) write(set *template.Template, w *words, m Message) (string, *page, error) {
	buf := r.buffers.Get().(*bytes.Buffer)
	defer r.buffers.Put(buf)
	// <html lang> comes before the texts: the first pass assumes the
	// chain's first language with a catalog; if most of the text came from
	// another (a fallback), the email is written again, saying that one.
	p := r.page(w, m, language.Und)
	for pass := 0; ; pass++ {
		buf.Reset()
		if err := set.ExecuteTemplate(buf, "layout", p); err != nil {
			return "", nil, fmt.Errorf("render %s: %w", m.Kind, err)
		}
		if mostly := p.words.mostly(); pass == 0 && mostly.String() != p.Lang {
			w.used = make([]int, len(w.chain))
			p = r.page(w, m, mostly)
			continue
		}
		return cleanHTML(buf.String()), p, nil
	}
}

// page is the view of m that templates see, written in lang (language.Und:
// the first language of the chain with a catalog), with the words of m's
// chain.
func (r *Renderer) page(w *words, m Message, lang language.Tag) *page {
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
	if m.Kind.Notice() {
		p.When = p.when(m.When, m.Zone)
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
	case m.Kind.Notice():
		if m.Link == "" {
			return ""
		}
		return p.count("notice.expires", m.Expiry)
	case m.Kind == trigger.Invite:
		return p.count(string(m.Kind)+".expires", m.Expiry)
	case m.Link != "":
		return p.count(string(m.Kind)+".expires", m.Expiry)
	case kinds[m.Kind].codeValidity > 0:
		return p.count("code.expires", kinds[m.Kind].codeValidity)
	}
	return ""
}

// page is what templates see.
type page struct {
	words *words
	kind  trigger.Kind

	Lang, Dir, Align   string
	Subject, Preheader string
	ExpiryText         string
	Brand              tenant.Brand
	Name               string
	Code, Username     string
	Link               string
	Href               template.HTMLAttr
	// When is the time a notice tells of, as notice.when writes it.
	When string
}

// ShowsLinkText reports whether the link is also written out as text, for
// clients that drop buttons. Only in mail to a proven address: the link
// carries the username, which in pools with free-form usernames is text a
// stranger chose when signing up with someone else's address.
func (p *page) ShowsLinkText() bool { return p.Link != "" && p.kind.ProvenDestination() }

// TextExpiry is ExpiryText for a text part, which writes the link out only
// where ShowsLinkText: without it, the line says how long the code lives,
// not "the link and the code".
func (p *page) TextExpiry() string {
	if p.Link == "" || p.ShowsLinkText() || p.kind.Notice() {
		return p.ExpiryText
	}
	if v := kinds[p.kind].codeValidity; v > 0 {
		return p.count("code.expires", v)
	}
	return ""
}

// Reportable reports whether the message is a notice of a changed
// password or an unusual sign-in, which tells the reader what to do if it
// was not them.
func (p *page) Reportable() bool { return p.kind.Reportable() }

// Button is the button's label: the message's own, or every notice's.
func (p *page) Button() string {
	if p.kind.Notice() {
		return p.T("notice.button")
	}
	return p.K("button")
}

// when writes t in zone (nil: UTC) as notice.when does: the year in four
// digits, month, day, hour and minute in two, and the zone's IANA name
// ("UTC" for UTC).
func (p *page) when(t time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	t = t.In(zone)
	two := func(n int) string { return fmt.Sprintf("%02d", n) }
	return p.T("notice.when", "year", fmt.Sprintf("%04d", t.Year()), "month", two(int(t.Month())), "day", two(t.Day()),
		"hour", two(t.Hour()), "minute", two(t.Minute()), "zone", zone.String())
}

// T returns the catalog text for key, with {name} arguments given as pairs.
func (p *page) T(key string, args ...string) string { return p.words.text(key, args...) }

// K returns the text of this message's key: .K "heading" in a reset is
// reset.heading.
func (p *page) K(suffix string, args ...string) string {
	return p.words.text(string(p.kind)+"."+suffix, args...)
}

// count says a duration in its largest whole unit: prefix+".days", ".hours"
// or ".minutes", with the plural form of the language the key is found in.
func (p *page) count(prefix string, d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return p.words.count(prefix+".days", int(d/(24*time.Hour)))
	case d >= time.Hour && d%time.Hour == 0:
		return p.words.count(prefix+".hours", int(d/time.Hour))
	default:
		return p.words.count(prefix+".minutes", int((d+time.Minute-1)/time.Minute))
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
var rtl = map[string]bool{"ar": true, "he": true, "fa": true, "ur": true, "yi": true}

func direction(tag language.Tag) string {
	base, _ := tag.Base()
	if rtl[base.String()] {
		return "rtl"
	}
	return "ltr"
}

// escapeHTML escapes exactly as html/template does in text and quoted
// attribute values, so that a compiled email is byte for byte the one the
// template would write (compile.go checks it).
func escapeHTML(s string) string {
	if !strings.ContainsAny(s, "\x00\"&'+<>") {
		return s
	}
	return htmlReplacer.Replace(s)
}

var htmlReplacer = strings.NewReplacer(
	"\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;",
)
