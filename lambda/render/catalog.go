package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

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
	entries map[string]entry
}

var formNames = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

// loadCatalogs reads every <dir>/<tag>.json in fsys.
func loadCatalogs(fsys fs.FS, dir string) (map[language.Tag]*catalog, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	catalogs := make(map[language.Tag]*catalog, len(names))
	var errs []error
	for _, name := range names {
		tag, err := language.Parse(strings.TrimSuffix(path.Base(name), ".json"))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: the file name is not a BCP 47 language tag", name))
			continue
		}
		var c *catalog
		data, err := fs.ReadFile(fsys, name)
		if err == nil {
			c, err = parseCatalog(tag, data)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		catalogs[tag] = c
	}
	return catalogs, errors.Join(errs...)
}

func parseCatalog(tag language.Tag, data []byte) (*catalog, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	c := &catalog{tag: tag, entries: make(map[string]entry, len(raw))}
	for key, value := range raw {
		var text string
		if json.Unmarshal(value, &text) == nil {
			c.entries[key] = entry{text: text}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(value, &forms); err != nil {
			return nil, fmt.Errorf("%s: must be text or an object of plural forms", key)
		}
		e := entry{forms: make(map[plural.Form]string, len(forms))}
		for name, text := range forms {
			form, ok := formNames[name]
			if !ok {
				return nil, fmt.Errorf("%s: unknown plural form %q", key, name)
			}
			e.forms[form] = text
		}
		if _, ok := e.forms[plural.Other]; !ok {
			return nil, fmt.Errorf("%s: plural forms need \"other\"", key)
		}
		c.entries[key] = e
	}
	return c, nil
}

// text returns the message for key with {name} arguments filled in. A missing
// key shows as the key itself, so it is visible in tests, never a panic.
func (w *words) text(key string, args ...string) string {
	e, _, ok := w.lookup(key)
	if !ok {
		return key
	}
	return fill(e.text, args)
}

// raw returns the unfilled text of key.
func (w *words) raw(key string) string {
	e, _, ok := w.lookup(key)
	if !ok {
		return key
	}
	return e.text
}

// count returns the plural form of key for n, chosen by the rules of the
// language the key was found in, with {n} filled in.
func (w *words) count(key string, n int, args ...string) string {
	e, tag, ok := w.lookup(key)
	if !ok || e.forms == nil {
		return key
	}
	form := plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)
	text, ok := e.forms[form]
	if !ok {
		text = e.forms[plural.Other]
	}
	return fill(text, append(args, "n", strconv.Itoa(n)))
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
