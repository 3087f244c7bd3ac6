package render

import (
	"fmt"
	"html"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// Executing html/template costs far more than Cognito's budget for a warm
// invocation allows (hundreds of allocations), yet in one tenant's email of
// one kind and language only a few values change between users: the name,
// the placeholders and the link. So each such email is executed once with
// sentinel values and cut into static parts and slots; an invocation escapes
// its values and joins the parts.
//
// A compiled form is used only if filling it with probe values that need
// escaping gives exactly what executing the template gives: a template that
// puts a value where other escaping applies (a URL, a style) is executed
// every time instead. Templates may test these values for emptiness only.

type slot int

const (
	slotName slot = iota
	slotCode
	slotUsername
	slotLink // the link as text
	slotHref // the link in the href attribute the renderer writes itself
	slotCount
)

// Sentinels are letters only, which no escaper in html/template changes.
var sentinels = [slotCount]string{
	"QzxCogmailSlotNameQzx", "QzxCogmailSlotCodeQzx", "QzxCogmailSlotUsernameQzx", "QzxCogmailSlotLinkQzx",
	"QzxCogmailSlotHrefQzx",
}

type compiledKey struct {
	tenant *tenant.Tenant
	kind   trigger.Kind
	locale language.Tag
	expiry time.Duration
	// Templates may test each per-user value for emptiness, so each
	// combination of present values is its own compiled form.
	hasName, hasLink, hasCode, hasUsername bool
}

type compiled struct {
	subject string
	sms     string // the catalog's SMS text, unfilled
	lang    string
	parts   []string // static HTML; a slot stands between parts[i] and parts[i+1]
	slots   []slot
	static  int // total length of parts
}

type compileResult struct {
	c   *compiled
	err error
}

// firstUse marks a form whose first message has been executed.
type firstUse struct{}

// form returns m's compiled form, compiling it for the second message that
// needs it: compiling executes the template twice (with sentinels, then
// with probes), and the first message, on a cold start as a rule, is
// sooner written by executing the template once with its own values. nil
// and no error: execute m. A form without parts: the template cannot be
// compiled, execute m.
func (r *Renderer) form(m Message) (*compiled, error) {
	key := keyOf(m)
	v, seen := r.compiled.Load(key)
	if res, ok := v.(compileResult); ok {
		return res.form()
	}
	if !seen {
		if _, seen = r.compiled.LoadOrStore(key, firstUse{}); !seen {
			return nil, nil
		}
	}
	return r.compileAndStore(key).form()
}

// compiledFor returns m's compiled form, compiling it now if it is not yet.
// A template that cannot be compiled gives a form with no parts (its
// subject, SMS and language are still good) and the reason.
func (r *Renderer) compiledFor(m Message) (*compiled, error) {
	key := keyOf(m)
	if v, ok := r.compiled.Load(key); ok {
		if res, ok := v.(compileResult); ok {
			return res.c, res.err
		}
	}
	res := r.compileAndStore(key)
	return res.c, res.err
}

func keyOf(m Message) compiledKey {
	return compiledKey{m.Tenant, m.Kind, m.Locale, m.Expiry, m.Name != "", m.Link != "", m.Code != "", m.Username != ""}
}

func (r *Renderer) compileAndStore(key compiledKey) compileResult {
	c, err := r.compile(key)
	res := compileResult{c, err}
	r.compiled.Store(key, res)
	return res
}

// form is what Render needs of a result: the form, and an error only when
// there is none (a template that cannot be compiled is executed instead).
func (res compileResult) form() (*compiled, error) {
	if res.c == nil {
		return nil, res.err
	}
	return res.c, nil
}

func (r *Renderer) compile(key compiledKey) (*compiled, error) {
	m := Message{Kind: key.kind, Tenant: key.tenant, Locale: key.locale, Expiry: key.expiry}
	if key.hasCode {
		m.Code = sentinels[slotCode]
	}
	if key.hasUsername {
		m.Username = sentinels[slotUsername]
	}
	if key.hasName {
		m.Name = sentinels[slotName]
	}
	if key.hasLink {
		m.Link = sentinels[slotLink]
	}
	email, err := r.execute(m)
	if err != nil {
		return nil, err
	}
	if key.hasLink {
		// The renderer wrote the href itself, escaped as an attribute.
		email.HTML = strings.ReplaceAll(email.HTML, `href="`+sentinels[slotLink]+`"`, `href="`+sentinels[slotHref]+`"`)
	}
	c := split(email.HTML)
	c.subject, c.lang, c.sms = email.Subject, email.Lang, email.SMS

	probe := Message{Kind: key.kind, Tenant: key.tenant, Locale: key.locale, Expiry: key.expiry}
	if key.hasCode {
		probe.Code = `{#<&'"+>#}`
	}
	if key.hasUsername {
		probe.Username = `{us<er>&"na'me+}`
	}
	if key.hasName {
		probe.Name = `Ana <b>"O'Neil" & +Zoë`
	}
	if key.hasLink {
		probe.Link = `https://probe.example/p?a=1&b=<x>"'+y`
	}
	want, err := r.execute(probe)
	if err != nil {
		return nil, err
	}
	if got := c.fill(probe); got != want.HTML {
		return &compiled{subject: c.subject, sms: c.sms, lang: c.lang},
			fmt.Errorf("render %s: a value stands where escaping differs from HTML text; the template is executed per message", key.kind)
	}
	return c, nil
}

// split cuts html at every sentinel.
func split(html string) *compiled {
	c := &compiled{}
	for {
		at, which := -1, slot(0)
		for s, sentinel := range sentinels {
			if i := strings.Index(html, sentinel); i >= 0 && (at < 0 || i < at) {
				at, which = i, slot(s)
			}
		}
		if at < 0 {
			c.parts = append(c.parts, html)
			c.static += len(html)
			return c
		}
		c.parts = append(c.parts, html[:at])
		c.static += at
		c.slots = append(c.slots, which)
		html = html[at+len(sentinels[which]):]
	}
}

// fill joins the parts with m's values, escaped and cleaned as the template
// and the renderer would.
func (c *compiled) fill(m Message) string {
	var values [slotCount]string
	for s, v := range [...]string{m.Name, m.Code, m.Username, m.Link} {
		values[s] = cleanHTML(escapeHTML(v))
	}
	values[slotHref] = cleanHTML(html.EscapeString(m.Link))
	n := c.static
	for _, s := range c.slots {
		n += len(values[s])
	}
	var b strings.Builder
	b.Grow(n)
	for i, part := range c.parts {
		if i > 0 {
			b.WriteString(values[c.slots[i-1]])
		}
		b.WriteString(part)
	}
	return b.String()
}
