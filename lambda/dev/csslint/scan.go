// Low-level CSS scanning: comments, strings, brackets and top-level
// separators.

package csslint

import (
	"strings"
)

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
