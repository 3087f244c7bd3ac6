// The mapping from a Use.Name to the caniemail feature it is checked as.

package csslint

import (
	"strings"
)

// Lookup says which caniemail feature a Use.Name is checked as. mso is true
// for Outlook's own mso- properties, which pass by definition.
func Lookup(d *Data, name string) (slug, how string, mso bool) {
	if isMSO(name) {
		return "", "an Outlook-only mso- property", true
	}
	for _, c := range candidates(name) {
		if _, ok := d.Features[c.slug]; ok {
			return c.slug, c.how, false
		}
	}
	return "", "", false
}

type candidate struct{ slug, how string }

// candidates are the slugs a name may be checked as, best first.
func candidates(name string) []candidate {
	var out []candidate
	add := func(slug, how string) { out = append(out, candidate{slug, how}) }
	if slug, ok := fixedFeatures[name]; ok {
		add(slug, "")
		return out
	}
	switch {
	case strings.HasPrefix(name, "@media ("):
		f := strings.TrimSuffix(strings.TrimPrefix(name, "@media ("), ")")
		if slug, ok := mediaFeatures[f]; ok {
			add(slug, "")
		}
		add("css-at-media-"+f, "")
	case strings.HasPrefix(name, "@"):
		add("css-at-"+name[1:], "")
	case strings.HasSuffix(name, " unit"):
		u := strings.TrimSuffix(name, " unit")
		if u == "%" {
			u = "percent"
		}
		add("css-unit-"+u, "")
	case strings.HasSuffix(name, "()"):
		f := strings.TrimSuffix(name, "()")
		how := ""
		if bare := stripVendor(f); bare != f {
			f, how = bare, "as its unprefixed "+bare+"()"
		}
		if slug, ok := functionFeatures[f]; ok {
			add(slug, how)
		}
		add("css-function-"+f, how)
		add("css-"+f, how)
	case strings.HasPrefix(name, "::"):
		add("css-pseudo-element-"+name[2:], "")
	case strings.HasPrefix(name, ":"):
		add("css-pseudo-class-"+name[1:], "")
	default: // a property
		for _, p := range []string{name, stripVendor(name)} {
			how := ""
			if p != name {
				how = "as its unprefixed " + p
			}
			add("css-"+p, how)
			if slug, ok := propertyFeatures[p]; ok {
				add(slug, strings.TrimPrefix(how+", a longhand of "+slug, ", "))
			}
			for prefix, slug := range prefixFeatures {
				if strings.HasPrefix(p, prefix) {
					add(slug, strings.TrimPrefix(how+", a longhand of "+slug, ", "))
				}
			}
		}
	}
	return out
}

// Names that are not properties, and the features they are.
var fixedFeatures = map[string]string{
	nameStyle: "html-style", nameComments: "css-comments", nameImportant: "css-important",
	nameNesting: "css-nesting", nameCustom: "css-variables",
	"display:none": "css-display-none", "display:flex": "css-display-flex", "display:grid": "css-display-grid",
	"initial": "css-unit-initial", "system-ui": "css-sytem-ui", "fit-content": "css-intrinsic-size",
	"Grouping selectors": "css-selector-grouping", "Class selector": "css-selector-class",
	"ID selector": "css-selector-id", "Type selector": "css-selector-type",
	"Universal selector *": "css-selector-universal", "Attribute selector": "css-selector-attribute",
	"Descendant combinator": "css-selector-descendant", "Child combinator": "css-selector-child",
	"Adjacent sibling combinator": "css-selector-adjacent-sibling",
	"General sibling combinator":  "css-selector-general-sibling", "Chaining selectors": "css-selector-chaining",
}

var mediaFeatures = map[string]string{
	"hover": "css-at-media-hover", "any-hover": "css-at-media-hover",
	"-webkit-device-pixel-ratio": "css-at-media-device-pixel-ratio",
}

var functionFeatures = map[string]string{
	"calc": "css-unit-calc", "var": "css-variables",
	"lch": "css-modern-color", "oklch": "css-modern-color", "lab": "css-modern-color", "oklab": "css-modern-color",
}

// propertyFeatures maps the properties caniemail tests under another
// feature's name (from each feature's own list of the properties it covers).
var propertyFeatures = func() map[string]string {
	m := map[string]string{}
	for slug, props := range map[string]string{
		"css-border": "border-width border-style border-color border-top border-right border-bottom border-left " +
			"border-top-width border-top-style border-top-color border-right-width border-right-style border-right-color " +
			"border-bottom-width border-bottom-style border-bottom-color border-left-width border-left-style border-left-color",
		"css-border-radius":         "border-top-left-radius border-top-right-radius border-bottom-left-radius border-bottom-right-radius",
		"css-border-radius-logical": "border-start-start-radius border-start-end-radius border-end-start-radius border-end-end-radius",
		"css-border-inline-block":   "border-inline border-block",
		"css-border-inline-block-individual": "border-inline-color border-block-color border-inline-style border-block-style " +
			"border-inline-width border-block-width border-inline-start border-inline-end border-block-start border-block-end",
		"css-border-inline-block-longhand": "border-inline-start-color border-block-start-color border-inline-start-style " +
			"border-block-start-style border-inline-start-width border-block-start-width border-inline-end-color " +
			"border-block-end-color border-inline-end-style border-block-end-style border-inline-end-width border-block-end-width",
		"css-margin":                   "margin-top margin-right margin-bottom margin-left",
		"css-padding":                  "padding-top padding-right padding-bottom padding-left",
		"css-margin-inline-block":      "margin-inline margin-block",
		"css-margin-inline-start-end":  "margin-inline-start margin-inline-end",
		"css-margin-block-start-end":   "margin-block-start margin-block-end",
		"css-padding-inline-block":     "padding-inline padding-block",
		"css-padding-inline-start-end": "padding-inline-start padding-inline-end",
		"css-padding-block-start-end":  "padding-block-start padding-block-end",
		"css-left-right-top-bottom":    "left right top bottom",
		"css-inset":                    "inset-block inset-inline inset-inline-start inset-inline-end inset-block-start inset-block-end",
		"css-block-inline-size":        "block-size",
		"css-gap":                      "gap row-gap column-gap",
		"css-column-layout-properties": "columns column-fill column-rule column-rule-color column-rule-style column-rule-width column-span column-width",
		"css-grid-template":            "grid-template-areas grid-template-columns grid-template-rows",
		"css-overflow":                 "overflow-x overflow-y overflow-block overflow-inline",
		"css-background-position":      "background-position-x background-position-y",
		"css-text-emphasis":            "text-emphasis-color text-emphasis-style",
	} {
		for _, p := range strings.Fields(props) {
			m[p] = slug
		}
	}
	return m
}()

// prefixFeatures: longhands named by their shorthand's prefix.
var prefixFeatures = map[string]string{
	"animation-": "css-animation", "transition-": "css-transition", "scroll-snap-": "css-scroll-snap",
}
