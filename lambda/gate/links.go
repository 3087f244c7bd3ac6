package gate

import (
	"fmt"
	"strings"
)

// checkLinks refuses, on AdminCreateUser, a placeholder in a URL (the code
// is the temporary password; {username} is substituted raw, unencoded). It
// matches the placeholder where Cognito substitutes it: literally, in the
// attribute as written. A percent-encoded placeholder, or characters of one
// elsewhere in the URL, are never filled in, so they leak nothing; an
// escaped placeholder that stands for one the template wrote is
// encodedOutside's.
func checkLinks(m Message, placeholders []string) []error {
	if m.TriggerSource != adminCreateUser {
		return nil
	}
	var errs []error
	var reported uint64 // bit i: placeholder i is reported, once
	eachHref(m.EmailMessage, func(raw string) {
		for i, p := range placeholders {
			if p != "" && reported&(1<<i) == 0 && strings.Contains(raw, p) {
				reported |= 1 << i
				errs = append(errs, fmt.Errorf("email: placeholder %s is inside a link on AdminCreateUser", p))
			}
		}
	})
	return errs
}

// encodedOutside reports whether body holds p percent-encoded, wholly
// (%7B%23%23%23%23%7D) or as html/template writes a template.URL
// (%7b####%7d), in any letter case and in any attribute or text, outside
// the copies of link (the caller's signed link, whose encoded parts are
// data). A link written without the renderer's own href (a tenant's
// template, an img src) is caught too: html/template escapes its
// placeholder, so it is no copy of link.
func encodedOutside(body, p, link string) bool {
	var spans [][2]int
	found := false
	for _, at := range encodedAt(body, p) {
		if !found && link != "" {
			spans, found = copies(body, link), true
		}
		if !within(spans, at) {
			return true
		}
	}
	return false
}

// encodedAt returns where body holds p percent-encoded, as start and end.
func encodedAt(body, p string) [][2]int {
	var at [][2]int
	for i := 0; ; i++ {
		j := strings.IndexByte(body[i:], '%')
		if j < 0 {
			return at
		}
		i += j
		n := encodedPrefix(body[i:], p, false)
		if n == 0 {
			n = encodedPrefix(body[i:], p, true)
		}
		if n > 0 {
			at = append(at, [2]int{i, i + n})
		}
	}
}

// encodedPrefix returns how many bytes of s, from its start, hold p with
// every byte percent-encoded (or only its braces, as html/template writes
// a template.URL), hex digits in either case; 0 if s does not begin so.
// It compares in place: this runs on every answer and every name.
func encodedPrefix(s, p string, bracesOnly bool) int {
	i := 0
	for k := 0; k < len(p); k++ {
		c := p[k]
		if bracesOnly && c != '{' && c != '}' {
			if i >= len(s) || s[i] != c {
				return 0
			}
			i++
			continue
		}
		if i+3 > len(s) || s[i] != '%' || !isHexOf(s[i+1], c>>4) || !isHexOf(s[i+2], c&15) {
			return 0
		}
		i += 3
	}
	return i
}

// isHexOf reports whether h is the hex digit of v (0–15), in either case.
func isHexOf(h, v byte) bool {
	const upper, lower = "0123456789ABCDEF", "0123456789abcdef"
	return h == upper[v] || h == lower[v]
}

func within(spans [][2]int, s [2]int) bool {
	for _, span := range spans {
		if span[0] <= s[0] && s[1] <= span[1] {
			return true
		}
	}
	return false
}

// copies returns where body holds s as HTML writes it: each of & < > " '
// and + in s either as itself or as the character reference that
// html.EscapeString or html/template writes for it.
func copies(body, s string) [][2]int {
	var spans [][2]int
	// Search for the part before the first character that may be escaped
	// (a link's "https://host/path"), then match the rest.
	head := s
	if i := strings.IndexAny(s, "&<>\"'+"); i >= 0 {
		head = s[:i]
	}
	for i := 0; i <= len(body); i++ {
		if head != "" {
			j := strings.Index(body[i:], head)
			if j < 0 {
				break
			}
			i += j
		}
		if n, ok := matchHTML(body[i:], s); ok {
			spans = append(spans, [2]int{i, i + n})
		}
	}
	return spans
}

// matchHTML reports whether b begins with s as HTML writes it, and how many
// bytes of b that takes.
func matchHTML(b, s string) (int, bool) {
	i := 0
	for j := 0; j < len(s); j++ {
		c := s[j]
		if i < len(b) && b[i] == '&' {
			if ref := refFor(b[i:], c); ref > 0 {
				i += ref
				continue
			}
		}
		if i >= len(b) || b[i] != c {
			return 0, false
		}
		i++
	}
	return i, true
}

// refFor returns the length of the character reference for c that b begins
// with, or 0.
func refFor(b string, c byte) int {
	for _, ref := range references[c] {
		if strings.HasPrefix(b, ref) {
			return len(ref)
		}
	}
	return 0
}

var references = map[byte][]string{
	'&': {"&amp;", "&#38;"}, '<': {"&lt;", "&#60;"}, '>': {"&gt;", "&#62;"},
	'"': {"&#34;", "&quot;"}, '\'': {"&#39;", "&apos;"}, '+': {"&#43;"},
}

// eachHref calls fn with the raw value of every quoted href attribute. A
// hand-written scan: this runs on every answer, and a regular expression
// over the whole body cost more than the rest of the gate.
func eachHref(body string, fn func(string)) {
	for i := 0; i < len(body); {
		j := indexHref(body[i:])
		if j < 0 {
			return
		}
		k := skipSpace(body, i+j+1)
		if k >= len(body) {
			return
		}
		if q := body[k]; q == '"' || q == '\'' {
			end := strings.IndexByte(body[k+1:], q)
			if end < 0 {
				return
			}
			fn(body[k+1 : k+1+end])
			i = k + 1 + end + 1
			continue
		}
		// An unquoted value runs to whitespace or '>'.
		end := k
		for end < len(body) && !isSpace(body[end]) && body[end] != '>' {
			end++
		}
		fn(body[k:end])
		i = end
	}
}

// indexHref finds the next attribute that carries a URL (href, src, action,
// background, poster), in any letter case. It hops from '=' to '=' (a fast
// byte search) and looks back for the attribute name, because a byte by byte
// search cost more than the rest of the gate. It returns where the value's
// '=' is.
func indexHref(s string) int {
	for from := 0; ; {
		eq := strings.IndexByte(s[from:], '=')
		if eq < 0 {
			return -1
		}
		eq += from
		end := eq
		for end > 0 && isSpace(s[end-1]) {
			end--
		}
		for _, name := range urlAttributes {
			if start := end - len(name); start >= 0 && strings.EqualFold(s[start:end], name) &&
				(start == 0 || isSpace(s[start-1]) || s[start-1] == ':') {
				return eq
			}
		}
		from = eq + 1
	}
}

var urlAttributes = []string{"href", "src", "action", "background", "poster"}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}
