package render

import (
	"fmt"
	"html/template"
	"strings"
	texttemplate "text/template"
)

// What cogmail sends itself, through SES: notices, which the notifier (and,
// for takeover, the Custom Email Sender function) sends, and the Custom
// Message kinds in sender mode. Each has an HTML part from the HTML layout
// and its template, as any email, and a text part from the text layout and
// its text template, with the same words. Both are executed every time:
// neither function is on the Custom Message trigger's clock, and nothing
// is compiled. The email's language is the HTML part's.

// notice writes a notice (trigger.Notices).
func (r *Renderer) notice(m Message) (Email, error) {
	view, err := r.tenantView(m.Tenant)
	if err != nil {
		return Email{}, err
	}
	set, err := view.notice(m.Kind)
	if err != nil {
		return Email{}, err
	}
	return r.twoParts(view, set.html, set.text, m)
}

// sent writes a Custom Message kind in sender mode (m.Sent): the HTML the
// Custom Message trigger would write with the same values, and the text
// part of <kind>.txt.tmpl.
func (r *Renderer) sent(m Message) (Email, error) {
	view, err := r.tenantView(m.Tenant)
	if err != nil {
		return Email{}, err
	}
	html, err := view.set(m.Kind)
	if err != nil {
		return Email{}, err
	}
	text, err := view.text(m.Kind)
	if err != nil {
		return Email{}, err
	}
	return r.twoParts(view, html, text, m)
}

// twoParts executes an email's HTML set, then its text set with the page
// the HTML was written from.
func (r *Renderer) twoParts(view *tenantView, htmlSet *template.Template, textSet *texttemplate.Template, m Message) (Email, error) {
	w, err := r.words(view, m.Locale, m.Tenant.DefaultLanguage())
	if err != nil {
		return Email{}, err
	}
	html, p, err := r.write(htmlSet, w, m)
	if err != nil {
		return Email{}, err
	}
	var text strings.Builder
	if err := textSet.ExecuteTemplate(&text, "layout", p); err != nil {
		return Email{}, fmt.Errorf("render %s text: %w", m.Kind, err)
	}
	return Email{Subject: cleanLine(p.Subject), HTML: html, Text: cleanText(text.String()), Lang: p.Lang}, nil
}
