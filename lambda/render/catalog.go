package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/internal/hint"
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
	file    string // as errors name it: locales/de.json, tenants/acme/locales/de.json
	entries map[string]entry
}

var formNames = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

// loadCatalogs reads every <dir>/<tag>.json in fsys; shown is what errors
// put before a file's path ("tenants/acme/" for a tenant's folder), so that
// each names the file as its author sees it.
func loadCatalogs(fsys fs.FS, dir, shown string) (map[language.Tag]*catalog, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	catalogs := make(map[language.Tag]*catalog, len(names))
	var errs []error
	for _, name := range names {
		file := shown + name
		tag, err := language.Parse(strings.TrimSuffix(path.Base(name), ".json"))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: the file name is not a BCP 47 language tag", file))
			continue
		}
		var c *catalog
		data, err := fs.ReadFile(fsys, name)
		if err == nil {
			c, err = parseCatalog(tag, data)
		}
		if err != nil {
			errs = append(errs, inFile(file, err))
			continue
		}
		c.file = file
		catalogs[tag] = c
	}
	return catalogs, errors.Join(errs...)
}

// inFile names file in each of err's problems: "file:line:col: …" for text
// that is not JSON, "file: …" otherwise.
func inFile(file string, err error) error {
	var at *hint.At
	if errors.As(err, &at) {
		return fmt.Errorf("%s:%w", file, err)
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var errs []error
		for _, e := range j.Unwrap() {
			errs = append(errs, inFile(file, e))
		}
		return errors.Join(errs...)
	}
	return fmt.Errorf("%s: %w", file, err)
}

// parseCatalog reads one catalog, reporting every problem at once: text that
// is not JSON with its line and column, then each key that is neither text
// nor plural forms, is given twice, or has a form CLDR does not name.
func parseCatalog(tag language.Tag, data []byte) (*catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var whole json.RawMessage
	if err := dec.Decode(&whole); err != nil {
		return nil, hint.Syntax(data, err)
	}
	if err := hint.Trailing(data, dec.InputOffset(), "data after the catalog's object"); err != nil {
		return nil, err
	}
	if whole[0] != '{' {
		return nil, errors.New("a catalog must be a JSON object of keys and texts")
	}
	c := &catalog{tag: tag, entries: map[string]entry{}}
	var errs []error
	dec = json.NewDecoder(bytes.NewReader(whole))
	_, _ = dec.Token() // '{'; whole is valid JSON
	for dec.More() {
		tok, _ := dec.Token()
		key, _ := tok.(string)
		var value json.RawMessage
		_ = dec.Decode(&value)
		if _, dup := c.entries[key]; dup {
			errs = append(errs, fmt.Errorf("%q: given twice", key))
			continue
		}
		e, err := parseEntry(value)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", key, err))
			continue
		}
		c.entries[key] = e
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

func parseEntry(value json.RawMessage) (entry, error) {
	var text string
	if json.Unmarshal(value, &text) == nil {
		return entry{text: text}, nil
	}
	var forms map[string]string
	if err := json.Unmarshal(value, &forms); err != nil {
		return entry{}, errors.New("must be text or an object of plural forms")
	}
	e := entry{forms: make(map[plural.Form]string, len(forms))}
	for _, name := range slices.Sorted(maps.Keys(forms)) {
		form, ok := formNames[name]
		if !ok {
			return entry{}, fmt.Errorf("unknown plural form %q%s", name, hint.DidYouMean(name, slices.Sorted(maps.Keys(formNames))))
		}
		e.forms[form] = forms[name]
	}
	if _, ok := e.forms[plural.Other]; !ok {
		return entry{}, errors.New(`plural forms need "other"`)
	}
	return e, nil
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
