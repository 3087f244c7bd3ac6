// The selector features of a rule: kinds of selector, combinators and
// pseudo-classes and -elements.

package csslint

import (
	"strings"
)

// selectorFeatures lists the selector features of a rule's selector list.
func selectorFeatures(sel string) []string {
	var out distinct
	group := splitTop(sel, ',')
	if len(group) > 1 {
		out.add("Grouping selectors")
	}
	for _, s := range group {
		for _, f := range complexSelector(strings.TrimSpace(s)) {
			out.add(f)
		}
	}
	return out.list
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
