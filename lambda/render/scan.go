package render

import (
	"unicode/utf8"

	"golang.org/x/text/feature/plural"
)

// scanCatalog reads a well-formed catalog in one pass, with no reflection:
// an object whose values are text or objects of plural forms, each key once,
// every form one CLDR names, "other" among them, strings valid UTF-8 without
// surrogate escapes. It gives up (false) on anything else, and parseCatalog
// then decodes with encoding/json, which words the errors: so scanCatalog
// never needs to be right about a broken file, only to agree with
// encoding/json about a good one (scan_test.go checks it does).
func scanCatalog(data []byte) (map[string]entry, bool) {
	// One copy of the file for every key and text to share: a string each
	// would cost a cold start two allocations a key.
	s := scanner{data: data, text: string(data)}
	s.space()
	if !s.take('{') {
		return nil, false
	}
	entries := make(map[string]entry, 256)
	s.space()
	if !s.take('}') {
		for {
			key, ok := s.str()
			if !ok || !s.colon() {
				return nil, false
			}
			if _, dup := entries[key]; dup {
				return nil, false
			}
			var e entry
			if s.peek() == '{' {
				e.forms, ok = s.forms()
			} else {
				e.text, ok = s.str()
			}
			if !ok {
				return nil, false
			}
			entries[key] = e
			if s.space(); s.take('}') {
				break
			}
			if !s.take(',') {
				return nil, false
			}
			s.space()
		}
	}
	s.space()
	return entries, s.i == len(s.data)
}

type scanner struct {
	data []byte
	text string // data as a string: each string without escapes is a slice of it
	i    int
}

func (s *scanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	if s.i < len(s.data) {
		return s.data[s.i]
	}
	return 0
}

func (s *scanner) take(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// colon takes the ':' after a key and the space around it.
func (s *scanner) colon() bool {
	s.space()
	ok := s.take(':')
	s.space()
	return ok
}

// forms reads an object of plural forms.
func (s *scanner) forms() (map[formKey]string, bool) {
	s.i++ // '{'
	forms := make(map[formKey]string, 6)
	s.space()
	for {
		name, ok := s.str()
		if !ok || !s.colon() {
			return nil, false
		}
		form, known := formNames[name]
		if _, dup := forms[form]; !known || dup {
			return nil, false
		}
		if forms[form], ok = s.str(); !ok {
			return nil, false
		}
		if s.space(); s.take('}') {
			break
		}
		if !s.take(',') {
			return nil, false
		}
		s.space()
	}
	_, other := forms[plural.Other]
	return forms, other
}

// str reads a JSON string.
func (s *scanner) str() (string, bool) {
	if !s.take('"') {
		return "", false
	}
	start := s.i
	// Most strings have no escape: one slice of the input.
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '"':
			raw := s.text[start:s.i]
			s.i++
			return raw, utf8.ValidString(raw)
		case c == '\\':
			return s.escaped(start)
		case c < 0x20:
			return "", false
		}
		s.i++
	}
	return "", false
}

// escaped reads the rest of a string that has escapes, from its first.
func (s *scanner) escaped(start int) (string, bool) {
	out := append(make([]byte, 0, s.i-start+16), s.data[start:s.i]...)
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '"':
			s.i++
			return string(out), utf8.Valid(out)
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.data) {
			return "", false
		}
		esc := s.data[s.i+1]
		s.i += 2
		switch esc {
		case '"', '\\', '/':
			out = append(out, esc)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok || 0xd800 <= r && r < 0xe000 { // surrogates: encoding/json's rules
				return "", false
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return "", false
}

func (s *scanner) hex4() (rune, bool) {
	if s.i+4 > len(s.data) {
		return 0, false
	}
	var r rune
	for _, c := range s.data[s.i : s.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	s.i += 4
	return r, true
}
