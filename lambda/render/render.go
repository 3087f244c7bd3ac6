package render

import (
	"bytes"
	"errors"
	"fmt"
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
	// Text is the plain-text part, written for people from its text
	// template (never stripped HTML): a notice's, and a Custom Message
	// kind's in sender mode (Message.Sent); "" in a Custom Message answer,
	// which has none.
	Text string
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
	// Code is Cognito's code placeholder, written verbatim; in sender
	// mode, the real code (for invitations, the temporary password).
	Code string
	// Username is Cognito's username placeholder, for invitations; in
	// sender mode, the real username.
	Username string
	Link     string // the signed link, or "" when there is none
	// Expiry is how long the link lives; for invitations, how long the
	// temporary password does.
	Expiry time.Duration
	// When is the time a notice tells of, and Zone the reader's time zone
	// it is written in (nil: UTC). Custom Message kinds ignore both.
	When time.Time
	Zone *time.Location
	// Sent is sender mode: the Custom Email Sender function sends the
	// email itself, through SES, with the real values in Code, Username
	// and Link, escaped in the HTML as any value, and a text part. The
	// HTML is what the same values would give in a Custom Message answer;
	// there is no SMS. Notices ignore it: they are always sent.
	Sent bool
}

// Renderer holds the base templates and catalogs and every tenant's
// prepared forms. It is safe for concurrent use.
type Renderer struct {
	templates *baseTemplates
	catalogs  *baseCatalogs
	tenants   sync.Map // *tenant.Tenant → viewResult
	compiled  sync.Map // compiledKey → compileResult
	buffers   sync.Pool
}

// Open returns a renderer that parses each template and catalog of fsys on
// its first use: what a cold start runs, where the first message parses the
// layout, its own template and its languages' catalogs, and nothing else.
// It is for templates already checked, the embedded ones, which tests and
// `cogmail check` parse and validate whole (New, Validate) before they can
// ship: a problem Open misses fails the messages that meet it, which then
// get the minimal email. Open itself reads only the catalogs' file names,
// and fails when one is no language tag or English is missing.
func Open(fsys fs.FS) (*Renderer, error) {
	catalogs, err := openCatalogs(fsys)
	if catalogs == nil {
		return nil, err
	}
	r := &Renderer{templates: newBaseTemplates(fsys), catalogs: catalogs}
	r.buffers.New = func() any { return new(bytes.Buffer) }
	return r, err
}

// New parses the layout, every message template and every catalog in fsys
// now, and reports every problem at once: for tests, `cogmail check`,
// previews and templates from disk.
func New(fsys fs.FS) (*Renderer, error) {
	r, err := Open(fsys)
	if r == nil {
		return nil, err
	}
	if err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

// Render writes m. The HTML comes from m's compiled form (compile.go); the
// first message of each form, and every message of a template that cannot
// be compiled, is executed instead. A notice (trigger.Notices) is executed
// every time, its text part too (notice.go): it has no SMS, code or
// username, and m.Link is its report link. So is a message in sender mode
// (m.Sent), whose text part comes from <kind>.txt.tmpl: the Custom Message
// path never parses a text template.
func (r *Renderer) Render(m Message) (Email, error) {
	if m.Tenant == nil {
		return Email{}, errors.New("render: no tenant")
	}
	k, ok := kinds[m.Kind]
	if !ok {
		return Email{}, fmt.Errorf("render: unknown message %q", m.Kind)
	}
	if m.Locale == language.Und {
		m.Locale = m.Tenant.DefaultLanguage()
	}
	m.Name = greetingName(m)
	switch {
	case k.notice:
		return r.notice(m)
	case m.Sent:
		return r.sent(m)
	}
	c, err := r.form(m)
	if err != nil {
		return Email{}, err
	}
	if c == nil || c.parts == nil {
		email, err := r.execute(m)
		if err != nil {
			return Email{}, err
		}
		email.SMS = m.sms(email.SMS)
		return email, nil
	}
	return Email{Subject: c.subject, HTML: c.fill(m), SMS: m.sms(c.sms), Lang: c.lang}, nil
}

// sms is the catalog's SMS text for m, filled and cleaned.
func (m Message) sms(text string) string {
	return cleanSMS(fill(text, []string{"product", m.Tenant.Brand.ProductName, "code", m.Code, "login", m.Username}))
}

// greetingName is the name m may greet by, cleaned and cut: none in a
// message to an address nobody has proven (anyone can sign up with a
// stranger's address and write "SECURITY ALERT: call …" as their name),
// and none that would carry one of m's placeholders into the body (Cognito
// would fill in the code there, or the gate refuse the email). Every path
// that shows a name (the rich email, previews, the check) comes through
// here; the minimal email shows none. A notice or a message in sender mode
// has no placeholders, and its gate refuses Cognito's anywhere
// (gate.CheckNotice, gate.CheckSent): a name holding one is left out of it
// too.
func greetingName(m Message) string {
	if !m.Kind.ProvenDestination() {
		return ""
	}
	name := truncate(cleanName(m.Name), MaxNameRunes)
	// As the body writes it: escaped for HTML, then cleaned.
	written := cleanHTML(escapeHTML(name))
	placeholders := [...]string{m.Code, m.Username}
	if m.Kind.Notice() || m.Sent {
		placeholders = [...]string{"{####}", "{username}"}
	}
	for _, p := range placeholders {
		if gate.Holds(name, p) || gate.Holds(written, p) {
			return ""
		}
	}
	return name
}

// Forget lets go of what the renderer prepared for t: a tenant version no
// longer served (replaced in S3, or evicted from the tenant cache), whose
// forms would otherwise stay for the life of the function.
func (r *Renderer) Forget(t *tenant.Tenant) {
	r.tenants.Delete(t)
	r.compiled.Range(func(k, _ any) bool {
		if k.(compiledKey).tenant == t {
			r.compiled.Delete(k)
		}
		return true
	})
}
