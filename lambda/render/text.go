package render

import (
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// What catalogs hold: entries of text or of plural forms, and the {tokens}
// their texts are filled at. The ground floor of the package: every file
// above reads these, and this file calls none of them.

// entry is one message: plain text, or CLDR plural forms ("one", "few",
// "other"…) chosen by a count.
type entry struct {
	text  string
	forms map[formKey]string
}

type formKey = plural.Form

// catalog holds one language's messages.
type catalog struct {
	tag     language.Tag
	file    string // as errors name it: locales/de.json, tenants/acme/locales/de.json
	entries map[string]entry
}

var formNames = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

// size is how much text e holds, in characters: its text, or its longest form.
func (e entry) size() int {
	n := utf8.RuneCountInString(e.text)
	for _, text := range e.forms {
		n = max(n, utf8.RuneCountInString(text))
	}
	return n
}

// nextToken splits text at its first {token}: the text before it, the token
// with its braces, and the rest; ok is false when no token is left. The one
// reading of {tokens} for filling, validating and the pseudo-locale.
func nextToken(text string) (before, token, rest string, ok bool) {
	open := strings.IndexByte(text, '{')
	if open < 0 {
		return text, "", "", false
	}
	end := strings.IndexByte(text[open:], '}')
	if end < 0 {
		return text, "", "", false
	}
	return text[:open], text[open : open+end+1], text[open+end+1:], true
}

// fill replaces each {name} with the value that follows "name" in args;
// unknown names stay as written. Values are plain text: html/template escapes
// them where they land.
func fill(text string, args []string) string {
	if len(args) == 0 || !strings.Contains(text, "{") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 32)
	for {
		before, token, rest, ok := nextToken(text)
		b.WriteString(before)
		if !ok {
			return b.String()
		}
		value := token
		for i := 0; i+1 < len(args); i += 2 {
			if args[i] == token[1:len(token)-1] {
				value = args[i+1]
				break
			}
		}
		b.WriteString(value)
		text = rest
	}
}

// tokens lists a text's {tokens}, sorted, as one string.
func tokens(text string) string {
	var found []string
	for {
		_, token, rest, ok := nextToken(text)
		if !ok {
			break
		}
		found = append(found, token)
		text = rest
	}
	sort.Strings(found)
	return "[" + strings.Join(found, " ") + "]"
}
