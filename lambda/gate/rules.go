package gate

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cogmail/cogmail/lambda/internal/ascii"
)

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

// Fits reports whether every character of s is inside Cognito's pattern
// and s is UTF-8: text that needs no cleaning.
func Fits(s string) bool {
	_, _, bad := firstOutsidePattern(s)
	return !bad
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
