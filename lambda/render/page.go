package render

import (
	"html/template"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

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
