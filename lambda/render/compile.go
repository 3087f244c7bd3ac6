package render

import (
	"errors"
	"fmt"
	"html"
	"strings"
	"sync"
	"time"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// Executing html/template costs far more than Cognito's budget for a warm
// invocation allows (hundreds of allocations), yet in one tenant's email of
// one kind only four values change between users: the name, the code and
// username placeholders and the link. So each (tenant, kind, expiry, which
// values are present) is executed once with sentinel values and cut into
// static parts and slots; an invocation escapes its values and joins the
// parts.
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
	tenant           *tenant.Tenant
	kind             string
	expiry           time.Duration
	hasName, hasLink bool
}

type compiled struct {
	subject string
	parts   []string // static HTML; a slot stands between parts[i] and parts[i+1]
	slots   []slot
	static  int // total length of parts
}

type compileResult struct {
	c   *compiled
	err error
}

// compiled returns m's compiled form, compiling it on first use; a template
// that cannot be compiled is remembered as such.
func (r *Renderer) compiled(m message) (*compiled, error) {
	key := compiledKey{m.tenant, m.kind, m.expiry, m.name != "", m.link != ""}
	if v, ok := r.cache.Load(key); ok {
		res := v.(compileResult)
		return res.c, res.err
	}
	c, err := r.compile(m.kind, key)
	r.cache.Store(key, compileResult{c, err})
	return c, err
}

func (r *Renderer) compile(kind string, key compiledKey) (*compiled, error) {
	m := message{kind: kind, tenant: key.tenant, expiry: key.expiry,
		code: sentinels[slotCode], username: sentinels[slotUsername]}
	if key.hasName {
		m.name = sentinels[slotName]
	}
	if key.hasLink {
		m.link = sentinels[slotLink]
		m.href = sentinels[slotHref]
	}
	email, err := r.execute(m)
	if err != nil {
		return nil, err
	}
	c := split(email.HTML)
	c.subject = email.Subject

	probe := message{kind: kind, tenant: key.tenant, expiry: key.expiry,
		code: `{#<&'"+>#}`, username: `{us<er>&"na'me+}`}
	if key.hasName {
		probe.name = `Ana <b>"O'Neil" & +Zoë`
	}
	if key.hasLink {
		probe.link = `https://probe.example/p?a=1&b=<x>"'+y`
	}
	want, err := r.execute(probe)
	if err != nil {
		return nil, err
	}
	if got := c.fill(probe); got != want.HTML {
		return nil, fmt.Errorf("render %s: a value stands where escaping differs from HTML text; the template is executed per message", kind)
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
func (c *compiled) fill(m message) string {
	var values [slotCount]string
	for s, v := range [...]string{m.name, m.code, m.username, m.link} {
		values[s] = gate.CleanHTML(escapeHTML(v))
	}
	values[slotHref] = gate.CleanHTML(html.EscapeString(m.link))
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

var errNoTenant = errors.New("render: no tenant")

// cache holds compiled forms; see compiled.
type cache = sync.Map
