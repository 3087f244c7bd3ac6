package render

import (
	"html/template"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/tenant"
)

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
func (p *page) T(key string, args ...string) string { return p.catalog.text(key, args...) }

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
