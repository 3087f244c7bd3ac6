// Package gate is the one check every answer passes before it goes back to
// Cognito, and the cleaning that lets translated text pass it.
//
// Cognito rejects, or silently swaps for its default, any message that breaks
// its rules: placeholders missing, body over 20,000 characters, subject outside
// 1–140, SMS over 140, or a character outside its documented pattern (letters,
// marks, symbols, numbers, punctuation and whitespace, where a no-break space
// has broken custom messages in practice). Lengths are counted in UTF-16 code
// units, as Cognito's Java back end counts a String: never fewer than runes.
package gate

import (
	"errors"
	"fmt"
	"github.com/cogmail/cogmail/lambda/internal/ascii"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Cognito's limits.
const (
	MaxEmailBody = 20000
	MaxSubject   = 140
	MaxSMS       = 140
)

// Trigger sources whose messages must carry the username placeholder too.
const adminCreateUser = "CustomMessage_AdminCreateUser"

// Message is one answer as Cognito will read it.
type Message struct {
	TriggerSource     string
	CodeParameter     string // "{####}"
	UsernameParameter string // "{username}" on AdminCreateUser
	EmailSubject      string
	EmailMessage      string
	SMSMessage        string
	// Link is the signed link the caller built, as a URL, or "". Its code
	// placeholder stands literal where the caller put it, and anything
	// percent-encoded in it is the user's data (a username such as
	// "{####}" is written %7B%23%23%23%23%7D): an escaped placeholder
	// inside a copy of it is not one the caller meant Cognito to fill in.
	Link string
}

// Length counts as Cognito does: UTF-16 code units.
func Length(s string) int {
	n, i := 0, 0
	for i < len(s) {
		// Runs of ASCII, most of every email, count a byte each, eight
		// bytes at a time.
		start := i
		for i+8 <= len(s) && ascii.AllASCII(ascii.Word(s, i)) {
			i += 8
		}
		for i < len(s) && s[i] < utf8.RuneSelf {
			i++
		}
		n += i - start
		if i == len(s) {
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		n += utf16.RuneLen(r)
		i += size
	}
	return n
}

// Allowed reports whether Cognito's message pattern admits r: a letter, mark,
// symbol, number or punctuation, or ASCII whitespace. Space separators other
// than U+0020 (no-break space, ideographic space), line and paragraph
// separators, and format characters (zero-width joiners, bidi marks, BOM) are
// outside it.
func Allowed(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.S, unicode.N, unicode.P)
}

// Check returns every rule m breaks, joined, or nil.
func Check(m Message) error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	required := []string{m.CodeParameter}
	if m.TriggerSource == adminCreateUser {
		required = append(required, m.UsernameParameter)
	}
	for _, p := range required {
		if p == "" {
			fail("placeholder: the event gave no placeholder to insert")
			continue
		}
		if !strings.Contains(m.EmailMessage, p) {
			fail("email: placeholder %s missing", p)
		}
		if !strings.Contains(m.SMSMessage, p) {
			fail("sms: placeholder %s missing", p)
		}
	}

	if n := Length(m.EmailMessage); n > MaxEmailBody {
		fail("email: %d characters, over Cognito's %d", n, MaxEmailBody)
	}
	if n := Length(m.EmailSubject); n < 1 || n > MaxSubject {
		fail("subject: %d characters, outside Cognito's 1–%d", n, MaxSubject)
	}
	if strings.ContainsAny(m.EmailSubject, "\t\n\v\f\r") {
		fail("subject: must be one line, with no whitespace but spaces")
	}
	for _, p := range required {
		if p != "" && strings.Contains(m.EmailSubject, p) {
			fail("subject: holds %s, which Cognito does not substitute in subjects", p)
		}
	}
	if n := Length(m.SMSMessage); n > MaxSMS {
		fail("sms: %d characters, over %d", n, MaxSMS)
	}

	for _, part := range []struct{ name, text string }{
		{"subject", m.EmailSubject}, {"email", m.EmailMessage}, {"sms", m.SMSMessage},
	} {
		if r, at, ok := firstOutsidePattern(part.text); ok {
			fail("%s: character %U at byte %d is outside Cognito's message pattern", part.name, r, at)
		}
	}

	errs = append(errs, checkLinks(m, required)...)
	for _, p := range required {
		if p != "" && encodedOutside(m.EmailMessage, p, m.Link) {
			fail("email: placeholder %s is URL-escaped (percent-encoded), so Cognito cannot substitute it", p)
		}
	}
	return errors.Join(errs...)
}

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

// Holds reports whether text s, written into a body, would carry placeholder
// p: literally (Cognito would fill it in, and it would stand in for a
// placeholder the template left out), percent-encoded as the gate refuses
// it, or at one of its ends, where the text beside it could complete it (s
// ends with the start of p, or starts with its end). Values the body shows
// from user data that may hold one (a name, a username written as text) are
// left out instead.
func Holds(s, p string) bool {
	if p == "" || s == "" {
		return false
	}
	if strings.Contains(s, p) || len(encodedAt(s, p)) > 0 {
		return true
	}
	for n := 1; n < len(p); n++ {
		if strings.HasSuffix(s, p[:n]) || strings.HasPrefix(s, p[len(p)-n:]) {
			return true
		}
	}
	return false
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

// firstOutsidePattern finds the first character Cognito's pattern rejects,
// or a byte that is not UTF-8. Printable ASCII, most of every email, is
// checked a byte at a time.
func firstOutsidePattern(s string) (rune, int, bool) {
	for i := 0; i < len(s); {
		if i+8 <= len(s) && printable(ascii.Word(s, i)) {
			i += 8
			continue
		}
		if c := s[i]; c < utf8.RuneSelf {
			if !plainASCII[c] {
				return rune(c), i, true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !Allowed(r) {
			return r, i, true
		}
		i += size
	}
	return 0, 0, false
}

// printable reports whether all eight bytes of x are printable ASCII
// (0x20–0x7E). A line break fails it; the byte loop then decides.
func printable(x uint64) bool {
	return ascii.AllASCII(x) && !ascii.AnyBelow(x, 0x20) && !ascii.Contains(x, 0x7f)
}

// plainASCII marks the ASCII bytes inside Cognito's pattern: printable
// characters and ASCII whitespace.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range "\t\n\r\v\f" {
		t[c] = true
	}
	return t
}()

// CleanHTML writes every character outside Cognito's pattern as a numeric
// character reference, so a translator's no-break space still renders as
// one and the body still passes. It must run on finished HTML only: it never
// touches markup, whose characters are all inside the pattern.
func CleanHTML(s string) string {
	if _, _, bad := firstOutsidePattern(s); !bad {
		return s
	}
	// Invalid UTF-8 becomes U+FFFD below, as ranging over a string reads it.
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		if Allowed(r) {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "&#x%X;", r)
	}
	return b.String()
}

// CleanLine makes text fit a one-line field (subject, names in greetings):
// any kind of space or line break becomes one ASCII space, other characters
// outside the pattern are dropped, and the ends are trimmed.
func CleanLine(s string) string {
	return clean(s, true)
}

// CleanName cleans a person's name for a greeting like CleanLine, but keeps
// the zero-width joiner and non-joiner: they shape Persian and Indic names
// and join emoji, and in HTML CleanHTML writes them as references Cognito
// accepts. Bidi controls and other format characters still go.
func CleanName(s string) string {
	return cleanKeeping(s, true, "\u200c\u200d")
}

// CleanSMS keeps line breaks (SMS may have several lines) but otherwise
// cleans like CleanLine.
func CleanSMS(s string) string {
	return clean(s, false)
}

func clean(s string, oneLine bool) string { return cleanKeeping(s, oneLine, "") }

func cleanKeeping(s string, oneLine bool, keep string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r > ' ' && r < 0x7f:
			// Printable ASCII other than space: kept, and cheap to see.
		case r == '\r' && !oneLine:
			continue // \r\n and \n are one line break in an SMS
		case r == '\n' && !oneLine:
			b.WriteRune(r)
			space = false
			continue
		case unicode.IsSpace(r) || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp):
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		case keep != "" && strings.ContainsRune(keep, r):
		case !Allowed(r):
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// Truncate cuts s to at most n runes, ending with an ellipsis when it cut, so
// that no attribute can push a message over Cognito's limits.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	count := 0
	for i := range s {
		if count == n-1 {
			rest := s[i:]
			if len([]rune(rest)) <= 1 {
				return s
			}
			return s[:i] + "…"
		}
		count++
	}
	return s
}
