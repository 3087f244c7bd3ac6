// The CSS side of Extract: rules, nested rules, at-rules with their media
// features, and declarations.

package csslint

import (
	"regexp"
	"strings"
)

// rules reads a list of rules and at-rules. keyframes: the rules are
// keyframe selectors (from, to, 50%), not selectors.
func (x *extractor) rules(css, ctx string, within []string, aud Audience, keyframes bool) {
	for i := 0; i < len(css); {
		i = skipSpace(css, i)
		if strings.HasPrefix(css[i:], "<!--") || strings.HasPrefix(css[i:], "-->") { // CDO, CDC
			i += 3 + btoi(css[i] == '<')
			continue
		}
		if i >= len(css) {
			return
		}
		if css[i] == '}' || css[i] == ';' { // stray
			i++
			continue
		}
		end, found := scanTo(css, i, "{;")
		prelude := strings.TrimSpace(css[i:end])
		if !found || css[end] == ';' { // a statement: "@import url(…);" or junk
			if strings.HasPrefix(prelude, "@") {
				x.atRule(prelude, "", ctx, within, aud)
			}
			i = end + 1
			continue
		}
		close := matchBrace(css, end)
		block := css[end+1 : close]
		i = close + 1
		if strings.HasPrefix(prelude, "@") {
			x.atRule(prelude, block, ctx, within, aud)
			continue
		}
		ruleCtx := ctx + " " + clip(oneLine(prelude), 60)
		if !keyframes {
			for _, name := range selectorFeatures(prelude) {
				x.add(Use{Name: name, Decl: oneLine(prelude), Context: ruleCtx, Within: within, Audience: aud})
			}
		}
		x.block(block, ruleCtx, within, aud)
	}
}

// block reads a rule's declarations and, with CSS nesting, its nested rules.
func (x *extractor) block(css, ctx string, within []string, aud Audience) {
	for i := 0; i < len(css); {
		end, found := scanTo(css, i, ";{")
		if !found || css[end] == ';' {
			x.declarations(css[i:end], ctx, within, aud)
			i = end + 1
			continue
		}
		// "a:b; .nested { … }": what precedes the brace after the last ";"
		// is a nested selector.
		head := css[i:end]
		x.add(Use{Name: nameNesting, Decl: oneLine(head) + " { … }", Context: ctx, Within: within, Audience: aud})
		close := matchBrace(css, end)
		x.rules(head+"{"+css[end+1:close]+"}", ctx+" {", within, aud, false)
		i = close + 1
	}
}

var mediaFeature = regexp.MustCompile(`\(\s*([-a-zA-Z]+)\s*(?::[^)]*)?\)`)

// atRule records an at-rule and reads its block.
func (x *extractor) atRule(prelude, block, ctx string, within []string, aud Audience) {
	keyword, rest, _ := strings.Cut(prelude[1:], " ")
	if k, r, ok := strings.Cut(prelude[1:], "("); ok && len(k) < len(keyword) { // "@media(…)"
		keyword, rest = k, "("+r
	}
	keyword = strings.ToLower(strings.TrimSpace(keyword))
	base := stripVendor(keyword)
	decl := oneLine(prelude)
	atCtx := ctx + " " + clip(decl, 60)
	if base == "charset" {
		return
	}
	at := "@" + base
	x.add(Use{Name: at, Decl: decl, Context: ctx, Within: within, Audience: aud})
	inner := append(append([]string(nil), within...), at)
	switch base {
	case "media":
		seen := map[string]bool{}
		for _, m := range mediaFeature.FindAllStringSubmatch(rest, -1) {
			name := mediaFeatureName(m[1])
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			x.add(Use{Name: name, Decl: decl, Context: ctx, Within: within, Audience: aud})
			inner = append(inner, name)
		}
		x.rules(block, atCtx+" {", inner, aud, false)
	case "supports", "document", "layer", "container", "scope":
		x.rules(block, atCtx+" {", inner, aud, false)
	case "keyframes":
		x.rules(block, atCtx+" {", inner, aud, true)
	}
	// @font-face, @page and the like hold descriptors, not properties.
}

// mediaFeatureName names a media feature's use. Widths and heights are
// what caniemail's @media tests query, so "@media" stands for them; a
// feature of its own gets "@media (name)" without its min-/max- prefix.
func mediaFeatureName(f string) string {
	f = strings.ToLower(f)
	bare := strings.TrimPrefix(strings.TrimPrefix(f, "min-"), "max-")
	switch bare {
	case "width", "height", "device-width", "device-height":
		return ""
	}
	if strings.HasPrefix(f, "-webkit-") && strings.HasSuffix(f, "device-pixel-ratio") {
		return "@media (-webkit-device-pixel-ratio)"
	}
	return "@media (" + bare + ")"
}

var important = regexp.MustCompile(`(?i)!\s*important\s*$`)

// declarations reads "a: b; c: d !important".
func (x *extractor) declarations(css, ctx string, within []string, aud Audience) {
	for _, d := range splitTop(css, ';') {
		name, value, ok := strings.Cut(d, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" {
			continue
		}
		value = strings.TrimSpace(value)
		decl := name + ":" + value
		use := func(n string) {
			x.add(Use{Name: n, Decl: clip(oneLine(decl), 100), Context: ctx, Within: within, Audience: aud})
		}
		loc := important.FindStringIndex(value)
		if loc != nil {
			value = strings.TrimSpace(value[:loc[0]])
		}
		switch {
		case strings.HasPrefix(name, "--"):
			use(nameCustom)
		case name == "display" && displayValue(value) != "":
			use("display:" + displayValue(value))
		default:
			use(name)
		}
		if loc != nil {
			use(nameImportant)
		}
		if isMSO(name) {
			continue // Outlook's own vocabulary
		}
		for _, v := range valueFeatures(value) {
			use(v)
		}
	}
}

// displayValue is the display value that caniemail tests on its own.
func displayValue(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "none":
		return "none"
	case "flex", "inline-flex":
		return "flex"
	case "grid", "inline-grid":
		return "grid"
	}
	return ""
}
