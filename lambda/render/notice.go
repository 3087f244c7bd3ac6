package render

import (
	"fmt"
	"strings"
)

// notice writes a notice (trigger.Notices), which the notifier sends
// through SES: its HTML part from the HTML layout and the notice's
// template, as any email, and its text part from the text layout and the
// notice's text template, with the same words. Both are executed every
// time: the notifier is not on Cognito's clock, and nothing is compiled.
// The email's language is the HTML part's.
func (r *Renderer) notice(m Message) (Email, error) {
	view, err := r.tenantView(m.Tenant)
	if err != nil {
		return Email{}, err
	}
	set, err := view.notice(m.Kind)
	if err != nil {
		return Email{}, err
	}
	w, err := r.words(view, m.Locale, m.Tenant.DefaultLanguage())
	if err != nil {
		return Email{}, err
	}
	html, p, err := r.write(set.html, w, m)
	if err != nil {
		return Email{}, err
	}
	var text strings.Builder
	if err := set.text.ExecuteTemplate(&text, "layout", p); err != nil {
		return Email{}, fmt.Errorf("render %s text: %w", m.Kind, err)
	}
	return Email{Subject: cleanLine(p.Subject), HTML: html, Text: cleanText(text.String()), Lang: p.Lang}, nil
}
