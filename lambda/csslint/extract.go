package csslint

import (
	"html"
	"regexp"
	"strings"
)

// Use is one CSS feature used by an email.
type Use struct {
	// Name is what templates/css-fallbacks.json keys: a property as written
	// ("border-radius", "-webkit-text-size-adjust", "mso-hide"), an at-rule
	// ("@media"), a media feature ("@media (prefers-color-scheme)"), a value
	// feature ("display:none", "!important", "rgba()", "rem unit",
	// "system-ui"), a selector feature ("Class selector", ":hover"),
	// "<style>" or "CSS comments".
	Name string
	// Decl is the declaration, rule or prelude it was found in, as written:
	// "border-radius:8px", "@media (prefers-color-scheme: dark)".
	Decl string
	// Context is where: `<td style="…">`, `<style> .cm-body`, `<style>
	// @media (prefers-color-scheme: dark) { .cm-body }`.
	Context string
	// Within lists the features this use takes effect only through, outermost
	// first: "<style>", "@media", "@media (prefers-color-scheme)". A client
	// that supports none of one of them never applies this use, so Check does
	// not hold it to that client.
	Within []string
	// Audience is who renders it, from Outlook's conditional comments.
	Audience Audience
	// Source names the email, for messages; Extract leaves it empty.
	Source string
}

// Audience is which clients render a piece of HTML.
type Audience int

const (
	// Everyone renders it.
	Everyone Audience = iota
	// OnlyMSO: inside <!--[if mso]>…<![endif]-->, which only Outlook for
	// Windows renders; every other client reads a comment.
	OnlyMSO
	// NotMSO: inside <!--[if !mso]><!-->…<!--<![endif]-->, which every client
	// but Outlook for Windows renders.
	NotMSO
	// Nobody: hidden from Outlook for Windows inside a block only it reads.
	Nobody
)

func (a Audience) sees(client string) bool {
	switch a {
	case OnlyMSO:
		return client == MSO
	case NotMSO:
		return client != MSO
	case Nobody:
		return false
	}
	return true
}

func (a Audience) within(inner Audience) Audience {
	switch {
	case a == Everyone:
		return inner
	case inner == Everyone || inner == a:
		return a
	}
	return Nobody
}

// Extract lists the CSS features used by an HTML email: in style attributes
// and in <style> elements, with where each came from. Comments are skipped,
// except Outlook's conditional ones, whose content counts for the clients
// that render it.
func Extract(doc string) []Use {
	var x extractor
	x.html(doc, Everyone)
	return x.uses
}

type extractor struct{ uses []Use }

func (x *extractor) add(u Use) { x.uses = append(x.uses, u) }

// Elements whose content is text, not markup, up to their end tag.
var rawText = map[string]bool{"style": true, "script": true, "textarea": true, "title": true, "xmp": true}

var conditionalStart = regexp.MustCompile(`(?is)^<!--\[if([^\]]*)\]>(<!-->)?`)

const (
	revealedEnd = "<!--<![endif]-->"
	hiddenEnd   = "<![endif]-->"
)

// html scans markup, keeping track of conditional comments.
func (x *extractor) html(doc string, aud Audience) {
	stack := []Audience{aud}
	cur := func() Audience { return stack[len(stack)-1] }
	for i := 0; i < len(doc); {
		lt := strings.IndexByte(doc[i:], '<')
		if lt < 0 {
			return
		}
		i += lt
		rest := doc[i:]
		switch {
		case strings.HasPrefix(rest, revealedEnd):
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			i += len(revealedEnd)
		case strings.HasPrefix(rest, "<!--"):
			if m := conditionalStart.FindStringSubmatch(rest); m != nil {
				cond := conditionAudience(m[1])
				if m[2] != "" {
					// <!--[if !mso]><!--> … <!--<![endif]-->: markup to every
					// client but the one the condition keeps out; with a
					// positive condition, markup to all.
					next := cur()
					if cond == NotMSO {
						next = next.within(NotMSO)
					}
					stack = append(stack, next)
					i += len(m[0])
					continue
				}
				// <!--[if mso]> … <![endif]-->: a comment, except to Outlook for Windows.
				body := rest[len(m[0]):]
				end := strings.Index(body, hiddenEnd)
				if end < 0 {
					end = len(body)
				}
				if cond == OnlyMSO {
					x.html(body[:end], cur().within(OnlyMSO))
				}
				i += len(m[0]) + min(end+len(hiddenEnd), len(body))
				continue
			}
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return
			}
			i += 4 + end + 3
		case strings.HasPrefix(rest, "<!") || strings.HasPrefix(rest, "</") || strings.HasPrefix(rest, "<?"):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return
			}
			i += end + 1
		case len(rest) > 1 && isLetter(rest[1]):
			name, attrs, n := startTag(rest)
			i += n
			if style, ok := attrs["style"]; ok && cur() != Nobody {
				x.inline(name, style, cur())
			}
			if rawText[name] {
				end := indexFold(doc[i:], "</"+name)
				if end < 0 {
					end = len(doc) - i
				}
				if name == "style" && cur() != Nobody {
					x.styleSheet(doc[i:i+end], cur())
				}
				i += end
			}
		default:
			i++
		}
	}
}

// conditionAudience reads a conditional comment's condition: Outlook for
// Windows evaluates it; every other client treats the block as a comment
// (hidden form) or ignores the condition (revealed form).
func conditionAudience(cond string) Audience {
	c := strings.ToLower(strings.Join(strings.Fields(cond), " "))
	if strings.Contains(c, "!mso") || strings.Contains(c, "! mso") || strings.Contains(c, "not mso") {
		return NotMSO
	}
	return OnlyMSO
}

// startTag reads "<name attr=… >" at s[0]: the lower-case name, the
// attributes (entity-decoded) and the tag's length.
func startTag(s string) (name string, attrs map[string]string, n int) {
	i := 1
	for i < len(s) && !isSpace(s[i]) && s[i] != '>' && s[i] != '/' {
		i++
	}
	name = strings.ToLower(s[1:i])
	attrs = map[string]string{}
	for i < len(s) {
		for i < len(s) && (isSpace(s[i]) || s[i] == '/') {
			i++
		}
		if i >= len(s) || s[i] == '>' {
			break
		}
		start := i
		for i < len(s) && !isSpace(s[i]) && s[i] != '>' && s[i] != '/' && s[i] != '=' {
			i++
		}
		if i == start { // a stray character
			i++
			continue
		}
		key := strings.ToLower(s[start:i])
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		value := ""
		if i < len(s) && s[i] == '=' {
			i++
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			if i < len(s) && (s[i] == '"' || s[i] == '\'') {
				q := s[i]
				end := strings.IndexByte(s[i+1:], q)
				if end < 0 {
					end = len(s) - i - 1
				}
				value = s[i+1 : i+1+end]
				i += end + 2
			} else {
				start := i
				for i < len(s) && !isSpace(s[i]) && s[i] != '>' {
					i++
				}
				value = s[start:i]
			}
		}
		if _, dup := attrs[key]; !dup { // HTML keeps the first
			attrs[key] = html.UnescapeString(value)
		}
	}
	return name, attrs, min(i+1, len(s))
}

func (x *extractor) inline(tag, style string, aud Audience) {
	ctx := "<" + tag + ` style="` + clip(oneLine(style), 80) + `">`
	css, comments := stripComments(style)
	if comments {
		x.add(Use{Name: nameComments, Decl: clip(oneLine(style), 80), Context: ctx, Audience: aud})
	}
	x.declarations(css, ctx, nil, aud)
}

// styleSheet reads a <style> element's text.
func (x *extractor) styleSheet(text string, aud Audience) {
	x.add(Use{Name: nameStyle, Decl: "<style>", Context: "<style>", Audience: aud})
	css, comments := stripComments(text)
	if comments {
		x.add(Use{Name: nameComments, Decl: "/* … */", Context: "<style>", Within: []string{nameStyle}, Audience: aud})
	}
	x.rules(css, "<style>", []string{nameStyle}, aud, false)
}

// Names of the uses that are not properties.
const (
	nameStyle     = "<style>"
	nameComments  = "CSS comments"
	nameImportant = "!important"
	nameNesting   = "CSS nesting"
	nameCustom    = "--*"
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

var (
	function = regexp.MustCompile(`(-?[a-zA-Z][-a-zA-Z]*)\(`)
	number   = regexp.MustCompile(`(?:^|[^-\w#.])[-+]?(?:\d*\.\d+|\d+)([a-zA-Z]+|%)?`)
	word     = regexp.MustCompile(`[-a-zA-Z]+`)
)

// Value features caniemail tests apart from the property they are used in.
var (
	units = map[string]bool{"px": true, "%": true, "em": true, "rem": true, "ex": true, "ch": true,
		"vw": true, "vh": true, "vmin": true, "vmax": true, "cm": true, "mm": true, "in": true, "pt": true, "pc": true}
	keywords = map[string]string{
		"initial": "initial", "system-ui": "system-ui", "ui-serif": "system-ui", "ui-sans-serif": "system-ui",
		"ui-rounded": "system-ui", "ui-monospace": "system-ui",
		"fit-content": "fit-content", "min-content": "fit-content", "max-content": "fit-content",
	}
)

// valueFeatures lists the functions, units and keywords of a value that
// caniemail tests on their own: "rgba()", "rem unit", "system-ui".
func valueFeatures(v string) []string {
	v = blankStrings(v)
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, m := range function.FindAllStringSubmatch(v, -1) {
		f := strings.ToLower(m[1])
		if f == "url" {
			continue
		}
		add(f + "()")
	}
	v = blankURLs(v)
	for _, m := range number.FindAllStringSubmatch(v, -1) {
		if u := strings.ToLower(m[1]); units[u] {
			add(u + " unit")
		}
	}
	for _, w := range word.FindAllString(v, -1) {
		if k := keywords[strings.ToLower(w)]; k != "" {
			add(k)
		}
	}
	return out
}

// selectorFeatures lists the selector features of a rule's selector list.
func selectorFeatures(sel string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	group := splitTop(sel, ',')
	if len(group) > 1 {
		add("Grouping selectors")
	}
	for _, s := range group {
		for _, f := range complexSelector(strings.TrimSpace(s)) {
			add(f)
		}
	}
	return out
}

// complexSelector reads "td.cm-a > a:hover" into its features.
func complexSelector(s string) []string {
	var out []string
	classes := 0 // in the current compound selector
	pendingSpace := false
	compound := false // a compound selector precedes
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isSpace(c):
			pendingSpace = compound
			i++
			continue
		case c == '>' || c == '+' || c == '~':
			out = append(out, map[byte]string{'>': "Child combinator", '+': "Adjacent sibling combinator", '~': "General sibling combinator"}[c])
			pendingSpace, compound, classes = false, false, 0
			i++
			continue
		}
		if pendingSpace {
			out = append(out, "Descendant combinator")
			pendingSpace, classes = false, 0
		}
		compound = true
		switch {
		case c == '.':
			n := identEnd(s, i+1)
			out = append(out, "Class selector")
			if classes++; classes == 2 {
				out = append(out, "Chaining selectors")
			}
			i = n
		case c == '#':
			out = append(out, "ID selector")
			i = identEnd(s, i+1)
		case c == '*':
			out = append(out, "Universal selector *")
			i++
		case c == '[':
			out = append(out, "Attribute selector")
			end, _ := scanTo(s, i+1, "]")
			i = end + 1
		case c == ':':
			j := i + 1
			element := j < len(s) && s[j] == ':'
			if element {
				j++
			}
			n := identEnd(s, j)
			name := strings.ToLower(s[j:n])
			switch name {
			case "before", "after", "first-line", "first-letter":
				element = true
			}
			i = n
			if i < len(s) && s[i] == '(' {
				close := matchParen(s, i)
				switch name {
				case "not", "is", "where", "has":
					out = append(out, selectorFeatures(s[i+1:close])...)
				}
				i = close + 1
			}
			if element {
				out = append(out, "::"+name)
			} else {
				out = append(out, ":"+name)
			}
		case isLetter(c) || c == '-' || c == '_' || c == '\\':
			out = append(out, "Type selector")
			i = identEnd(s, i)
		default:
			i++
		}
	}
	return out
}

func identEnd(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i += 2
			continue
		}
		if !(isLetter(c) || c >= '0' && c <= '9' || c == '-' || c == '_' || c >= 0x80) {
			break
		}
		i++
	}
	return i
}

// stripComments removes /* … */ outside strings and says whether any was.
func stripComments(css string) (string, bool) {
	if !strings.Contains(css, "/*") {
		return css, false
	}
	var b strings.Builder
	found := false
	for i := 0; i < len(css); {
		switch c := css[i]; {
		case c == '"' || c == '\'':
			end := stringEnd(css, i)
			b.WriteString(css[i:end])
			i = end
		case c == '/' && i+1 < len(css) && css[i+1] == '*':
			found = true
			end := strings.Index(css[i+2:], "*/")
			if end < 0 {
				return b.String(), true
			}
			b.WriteByte(' ')
			i += 2 + end + 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), found
}

// stringEnd is the index just past the string that opens at s[i].
func stringEnd(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return len(s)
}

// scanTo finds the first of stops at depth zero (outside strings, parentheses
// and brackets) from i, and whether it found one; else len(s).
func scanTo(s string, i int, stops string) (int, bool) {
	depth := 0
	for j := i; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '"' || c == '\'':
			j = stringEnd(s, j) - 1
		case c == '\\':
			j++
		case c == '(' || c == '[':
			depth++
		case (c == ')' || c == ']') && depth > 0:
			depth--
		case depth == 0 && strings.IndexByte(stops, c) >= 0:
			return j, true
		}
	}
	return len(s), false
}

// matchBrace finds the '}' closing the '{' at s[open], or len(s).
func matchBrace(s string, open int) int {
	depth := 0
	for j := open; j < len(s); j++ {
		switch s[j] {
		case '"', '\'':
			j = stringEnd(s, j) - 1
		case '\\':
			j++
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return j
			}
		}
	}
	return len(s)
}

func matchParen(s string, open int) int {
	depth := 0
	for j := open; j < len(s); j++ {
		switch s[j] {
		case '"', '\'':
			j = stringEnd(s, j) - 1
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return j
			}
		}
	}
	return len(s) - 1
}

// splitTop splits s at sep outside strings, parentheses and brackets.
func splitTop(s string, sep byte) []string {
	var parts []string
	for i := 0; i <= len(s); {
		end, _ := scanTo(s, i, string(sep))
		if p := strings.TrimSpace(s[i:end]); p != "" {
			parts = append(parts, p)
		}
		i = end + 1
	}
	return parts
}

// blankStrings replaces quoted strings with "" so that a font name holds no
// function or unit.
func blankStrings(v string) string {
	if !strings.ContainsAny(v, `"'`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); {
		if c := v[i]; c == '"' || c == '\'' {
			end := stringEnd(v, i)
			b.WriteString(`""`)
			i = end
			continue
		}
		b.WriteByte(v[i])
		i++
	}
	return b.String()
}

// blankURLs empties url(…) so that a file name holds no unit.
func blankURLs(v string) string {
	for {
		i := indexFold(v, "url(")
		if i < 0 {
			return v
		}
		close := matchParen(v, i+3)
		v = v[:i] + "URL" + v[min(close+1, len(v)):]
	}
}

func stripVendor(s string) string {
	for _, p := range []string{"-webkit-", "-moz-", "-ms-", "-o-"} {
		if strings.HasPrefix(s, p) {
			return s[len(p):]
		}
	}
	return s
}

func isMSO(property string) bool { return strings.HasPrefix(property, "mso-") }

func indexFold(s, sub string) int { return strings.Index(strings.ToLower(s), strings.ToLower(sub)) }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
