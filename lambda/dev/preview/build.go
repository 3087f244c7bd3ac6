package preview

import (
	"path"
	"strings"

	"github.com/cogmail/cogmail/lambda/dev/check"
	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// Entry is one email of the gallery: check's row, plus what it looks like.
type Entry struct {
	check.Row
	Subject string
	Dir     string // "ltr" or "rtl", as written on <html>
	HasDark bool   // the email has prefers-color-scheme: dark styles
	// Light is the email as delivered and Dark its dark twin, as paths
	// relative to the gallery's root; both "" when no email goes out
	// (the tenant leaves the message to Cognito, or the event passes through).
	Light, Dark string
	// TextPart is the text part of a notice or of a message in sender
	// mode, as a path like Light; "" for Custom Message answers, which have
	// none. The index shows the text itself (Row.Text) beside the HTML.
	TextPart string
}

// SentBy says which function sends the email, and in which mode.
func (e Entry) SentBy() string {
	switch {
	case e.Variant == check.Sender:
		return "the sender function, through SES (custom-email-sender mode)"
	case e.Kind == trigger.Takeover:
		return "the sender function, through SES (custom-email-sender mode only)"
	case e.Kind.Notice():
		return "the notifier, through SES"
	}
	return "Cognito, as the Custom Message trigger wrote it (custom-message mode)"
}

// Anchor is the entry's id in index.html: tenant/language/message, the
// message with its variant ("recovered-nolink"). Tenant ids and language
// tags never hold a "/", so anchors cannot collide.
func (e Entry) Anchor() string { return e.Tenant + "/" + e.Language + "/" + e.Name() }

// LangAnchor is the id of the entry's language section.
func (e Entry) LangAnchor() string { return e.Tenant + "/" + e.Language }

// Margin is what is left of Cognito's 20,000 characters.
func (e Entry) Margin() int { return gate.MaxEmailBody - e.Chars }

// Result says what the gate made of the email, on one line.
func (e Entry) Result() string {
	switch {
	case e.Outcome == "cognito-default":
		return "left to Cognito"
	case e.Failed():
		s := "FAIL " + e.Outcome
		if e.Err != nil {
			s += ": " + strings.Join(strings.Fields(e.Err.Error()), " ")
		}
		return s
	case e.Off:
		return "ok (the tenant does not send it: notifications.kinds)"
	}
	return "ok"
}

// Gallery is every entry and the files that show them, by slash-separated
// path: index.html and mail/<tenant>/<language>/<message>[-dark].html.
type Gallery struct {
	Entries []Entry
	// InputErr is what is wrong with the templates, catalogs or tenants
	// themselves (check.Run's error), shown above the entries.
	InputErr error
	// Source says where the templates came from, for the page's heading.
	Source string
	files  map[string][]byte
}

// Build renders the matrix check.Run renders, in its order, through h.
func Build(h *handler.Handler, source string) *Gallery {
	rows, inputErr := check.Run(h)
	g := &Gallery{Source: source, InputErr: inputErr, files: map[string][]byte{}}
	for _, r := range rows {
		e := Entry{Row: r, Subject: r.Message.EmailSubject}
		if r.Message.EmailMessage != "" {
			g.addEmail(&e, r.Message.EmailMessage)
		}
		if r.Text != "" {
			e.TextPart = path.Join("mail", e.Tenant, e.Language, e.Name()+".txt")
			g.files[e.TextPart] = []byte(r.Text)
		}
		g.Entries = append(g.Entries, e)
	}
	g.files["index.html"] = g.index()
	return g
}

// addEmail files the email and its dark twin under the entry.
func (g *Gallery) addEmail(e *Entry, body string) {
	e.Dir = htmlAttr(body, "dir")
	dir := path.Join("mail", e.Tenant, e.Language)
	e.Light, e.Dark = path.Join(dir, e.Name()+".html"), path.Join(dir, e.Name()+"-dark.html")
	twin, hasDark := DarkTwin(body)
	e.HasDark = hasDark
	g.files[e.Light], g.files[e.Dark] = []byte(body), []byte(twin)
}

// File returns one of the gallery's files by its slash-separated path.
func (g *Gallery) File(name string) ([]byte, bool) {
	b, ok := g.files[name]
	return b, ok
}

// Failed counts the entries that would not reach a user as the rich email.
func (g *Gallery) Failed() int {
	n := 0
	for _, e := range g.Entries {
		if e.Failed() {
			n++
		}
	}
	return n
}

// htmlAttr reads an attribute of the email's <html> start tag, which the
// layout writes as <html lang="…" dir="…">.
func htmlAttr(body, name string) string {
	_, rest, ok := strings.Cut(body, "<html")
	if !ok {
		return ""
	}
	tag, _, _ := strings.Cut(rest, ">")
	_, v, ok := strings.Cut(tag, " "+name+`="`)
	if !ok {
		return ""
	}
	v, _, _ = strings.Cut(v, `"`)
	return v
}
