package event

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// The scanner walks JSON text that json.Valid has accepted, so it checks
// little of the grammar. It still bounds-checks every index: on any input it
// returns without panicking and always moves forward.

// span is the half-open byte range [start, end) of a value in the payload.
// The zero span stands for "absent".
type span struct{ start, end int }

func (v span) ok() bool { return v.end > v.start }

// member is one name/value pair of an object; key includes its quotes.
type member struct{ key, value span }

// members iterates over the members of an object without allocating.
type members struct {
	s string
	i int
}

// objectAt starts iterating the object spanned by v, and reports whether v
// is an object at all.
func objectAt(s string, v span) (members, bool) {
	if !v.ok() || v.end > len(s) || s[v.start] != '{' {
		return members{}, false
	}
	return members{s: s[:v.end], i: v.start + 1}, true
}

// next returns the next member, or false after the last one (or at anything
// that is not a member).
func (m *members) next() (member, bool) {
	s := m.s
	i := skipSpace(s, m.i)
	if i < len(s) && s[i] == ',' {
		i = skipSpace(s, i+1)
	}
	if i >= len(s) || s[i] != '"' {
		return member{}, false
	}
	keyEnd := skipString(s, i)
	j := skipSpace(s, keyEnd)
	if j >= len(s) || s[j] != ':' {
		return member{}, false
	}
	j = skipSpace(s, j+1)
	end := skipValue(s, j)
	if end <= j {
		return member{}, false
	}
	m.i = end
	return member{key: span{i, keyEnd}, value: span{j, end}}, true
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string starting at s[i] == '"'
// (len(s) when it is not terminated).
func skipString(s string, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s)
}

// skipValue returns the index just past the value starting at s[i].
func skipValue(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '"':
				i = skipString(s, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(s)
	}
	// A number or a literal: up to the next delimiter.
	for i < len(s) {
		switch s[i] {
		case ',', '}', ']', ':', '"', '{', '[', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// plain reports whether the contents of a JSON string (without its quotes)
// decode to themselves: no escapes, no invalid UTF-8 (which encoding/json
// turns into U+FFFD), no control characters.
func plain(raw string) bool {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '\\' || c == '"' || c < 0x20 {
			return false
		}
		if c >= utf8.RuneSelf {
			rest := raw[i:]
			return utf8.ValidString(rest) && !strings.ContainsAny(rest, "\\\"") && !hasControl(rest)
		}
	}
	return true
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return true
		}
	}
	return false
}

// unquote decodes the JSON string raw (with its quotes) as encoding/json
// does. A plain string is sliced, without allocating; one with escapes goes
// through encoding/json. Anything else reads as "".
func unquote(raw string) string {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return ""
	}
	if inner := raw[1 : len(raw)-1]; plain(inner) {
		return inner
	}
	var s string
	if json.Unmarshal([]byte(raw), &s) != nil {
		return ""
	}
	return s
}

// text reads a value as cogmail reads attributes: a string unquoted, a
// number or boolean as its literal text, anything else as "".
func text(s string, v span) string {
	if !v.ok() || v.end > len(s) {
		return ""
	}
	raw := s[v.start:v.end]
	switch raw[0] {
	case '"':
		return unquote(raw)
	case 't', 'f', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return raw
	}
	return ""
}

// str reads a value that counts only as a JSON string.
func str(s string, v span) string {
	if !v.ok() || v.end > len(s) || s[v.start] != '"' {
		return ""
	}
	return unquote(s[v.start:v.end])
}

// key returns a member's name, decoded.
func key(s string, m member) string {
	return unquote(s[m.key.start:m.key.end])
}

// lookup returns the value of the last member called name in the object
// spanned by obj (encoding/json keeps the last of duplicate names).
func lookup(s string, obj span, name string) span {
	it, ok := objectAt(s, obj)
	if !ok {
		return span{}
	}
	var found span
	for m, ok := it.next(); ok; m, ok = it.next() {
		if key(s, m) == name {
			found = m.value
		}
	}
	return found
}
