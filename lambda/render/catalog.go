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
	"strings"
	"sync"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/internal/hint"
)

// baseCatalogs are the shipped catalogs, locales/<tag>.json, each read and
// parsed on its first use: a cold start reads the languages of the message
// it renders, not all fifteen. Which languages exist is known from the file
// names alone. The pseudo-locale is derived from English, also on first use.
type baseCatalogs struct {
	files []catalogFile // sorted by name, as fs.Glob lists them
	byTag map[language.Tag]func() (*catalog, error)
	// missing says that locales/en.json is missing, or is nil.
	missing error
}

type catalogFile struct {
	name string
	bad  error // the name is no language tag
	load func() (*catalog, error)
}

func openCatalogs(fsys fs.FS) (*baseCatalogs, error) {
	names, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, err
	}
	b := &baseCatalogs{byTag: make(map[language.Tag]func() (*catalog, error), len(names)+1)}
	for _, name := range names {
		f := catalogFile{name: name}
		tag, err := tagOf(name)
		if err != nil {
			f.bad = err
		} else {
			f.load = sync.OnceValues(func() (*catalog, error) { return readCatalog(fsys, tag, name, "") })
			b.byTag[tag] = f.load
		}
		b.files = append(b.files, f)
	}
	if en, ok := b.byTag[language.English]; ok {
		b.byTag[pseudo] = sync.OnceValues(func() (*catalog, error) {
			c, err := en()
			if err != nil {
				return nil, err
			}
			return pseudoCatalog(c), nil
		})
	} else {
		b.missing = errors.New("locales/en.json: missing; every chain ends in English")
	}
	var errs []error
	for _, f := range b.files {
		errs = append(errs, f.bad)
	}
	if err := errors.Join(errs...); err != nil {
		return b, err
	}
	return b, b.missing
}

// get returns tag's catalog, parsing it on first use; nil and no error when
// there is none.
func (b *baseCatalogs) get(tag language.Tag) (*catalog, error) {
	if load, ok := b.byTag[tag]; ok {
		return load()
	}
	return nil, nil
}

func (b *baseCatalogs) has(tag language.Tag) bool {
	_, ok := b.byTag[tag]
	return ok
}

// load parses every catalog and returns every problem, file by file; that
// English is missing only when no file has one.
func (b *baseCatalogs) load() []error {
	var errs []error
	for _, f := range b.files {
		if f.bad != nil {
			errs = append(errs, f.bad)
		} else if _, err := f.load(); err != nil {
			errs = append(errs, err)
		}
	}
	if errs == nil && b.missing != nil {
		errs = append(errs, b.missing)
	}
	return errs
}

// tagOf is the language a catalog file is named for.
func tagOf(name string) (language.Tag, error) {
	tag, err := language.Parse(strings.TrimSuffix(path.Base(name), ".json"))
	if err != nil {
		return language.Und, fmt.Errorf("%s: the file name is not a BCP 47 language tag", name)
	}
	return tag, nil
}

// loadCatalogs reads every <dir>/<tag>.json in fsys at once (a tenant's
// own, on its first message); shown is what errors put before a file's
// path ("tenants/acme/"), so that each names the file as its author sees it.
func loadCatalogs(fsys fs.FS, dir, shown string) (map[language.Tag]*catalog, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	catalogs := make(map[language.Tag]*catalog, len(names))
	var errs []error
	for _, name := range names {
		tag, err := tagOf(shown + name)
		if err == nil {
			var c *catalog
			if c, err = readCatalog(fsys, tag, name, shown); err == nil {
				catalogs[tag] = c
			}
		}
		errs = append(errs, err)
	}
	return catalogs, errors.Join(errs...)
}

// readCatalog reads and parses one catalog file.
func readCatalog(fsys fs.FS, tag language.Tag, name, shown string) (*catalog, error) {
	file := shown + name
	data, err := fs.ReadFile(fsys, name)
	var c *catalog
	if err == nil {
		c, err = parseCatalog(tag, data)
	}
	if err != nil {
		return nil, inFile(file, err)
	}
	c.file = file
	return c, nil
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
// nor plural forms, is given twice, or has a form CLDR does not name. A
// well-formed catalog, every shipped one, is read by scanCatalog in a
// fraction of the time; anything it does not take goes the long way, which
// alone words the errors.
func parseCatalog(tag language.Tag, data []byte) (*catalog, error) {
	if entries, ok := scanCatalog(data); ok {
		return &catalog{tag: tag, entries: entries}, nil
	}
	return decodeCatalog(tag, data)
}

// decodeCatalog is parseCatalog with encoding/json: the reference that
// scanCatalog must agree with (scan_test.go), and the words of every error.
func decodeCatalog(tag language.Tag, data []byte) (*catalog, error) {
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
