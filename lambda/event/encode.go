package event

import (
	"unicode/utf8"

	"github.com/cogmail/cogmail/lambda/internal/ascii"
)

// appendQuoted appends s as a JSON string. Unlike encoding/json it leaves
// <, > and & alone, so that answers and golden files read as the HTML they
// carry. It escapes '"', '\\', control characters (\n, \r and \t short,
// the others as \u00XX) and U+2028/U+2029, which some JavaScript parsers
// take for line ends; each byte of invalid UTF-8 becomes U+FFFD, as
// encoding/json does.
func appendQuoted(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainWord(ascii.Word(s, i)) {
			i += 8
			continue
		}
		c := s[i]
		if unescaped[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// plainWord reports whether none of x's eight bytes needs escaping.
func plainWord(x uint64) bool {
	return ascii.AllASCII(x) && !ascii.AnyBelow(x, 0x20) && !ascii.Contains(x, '"') && !ascii.Contains(x, '\\')
}

// quotedLen is len(appendQuoted(nil, s)), without writing anything.
func quotedLen(s string) int {
	n := 2 + len(s)
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainWord(ascii.Word(s, i)) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			n += int(asciiExtra[c])
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 2 // one byte becomes three
		case r == '\u2028' || r == '\u2029':
			n += 3 // three bytes become six
		}
		i += size
	}
	return n
}

// asciiExtra is how many bytes escaping adds to each ASCII byte.
var asciiExtra = func() (t [utf8.RuneSelf]uint8) {
	for c := range 0x20 {
		t[c] = 5 // \u00XX
	}
	for _, c := range "\"\\\n\r\t" {
		t[c] = 1
	}
	return t
}()

// unescaped marks the bytes written as they are: printable ASCII but '"' and
// '\\'. Emails are mostly such runs, which a table lookup skips fastest.
var unescaped = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
