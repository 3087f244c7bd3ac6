package render

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/internal/hint"
	"github.com/cogmail/cogmail/lambda/locale"
)

// load parses every base template and catalog, as the messages that meet
// them would, and reports every problem at once.
func (r *Renderer) load() error {
	return errors.Join(append(r.templates.load(), r.catalogs.load()...)...)
}

// Validate checks everything the renderer ships with: every template and
// catalog parses (load), every shipped language has every key English has
// and no other, each text has the same {tokens} as the English one, and
// each plural entry has every form its language's CLDR rules use for whole
// numbers. Tests and `cogmail check` fail on its problems; a cold start does
// not run it: the embedded templates cannot change after the build that
// checked them (handler.Setup).
func (r *Renderer) Validate() error {
	errs := []error{r.load()}
	en, _ := r.catalogs.get(language.English)
	if en == nil {
		return errors.Join(errs...) // missing or broken: load said so
	}
	for _, name := range locale.Shipped {
		tag := language.MustParse(name)
		if !r.catalogs.has(tag) {
			errs = append(errs, fmt.Errorf("locales/%s.json: missing", name))
			continue
		}
		if c, err := r.catalogs.get(tag); err == nil {
			errs = append(errs, compareCatalog(c.file, c, en, true)...)
		}
	}
	return errors.Join(errs...)
}

// compareCatalog checks c against en; complete demands every key.
func compareCatalog(file string, c, en *catalog, complete bool) []error {
	var errs []error
	for _, key := range sortedKeys(en.entries) {
		want := en.entries[key]
		got, ok := c.entries[key]
		switch {
		case !ok && complete:
			errs = append(errs, fmt.Errorf("%s: missing key %q", file, key))
		case !ok:
		case (want.forms == nil) != (got.forms == nil):
			errs = append(errs, fmt.Errorf("%s: %q must be %s, as in English", file, key, shape(want)))
		default:
			errs = append(errs, compareEntry(file, key, c.tag, got, want)...)
		}
	}
	known := sortedKeys(en.entries)
	for _, key := range sortedKeys(c.entries) {
		if _, ok := en.entries[key]; !ok {
			errs = append(errs, fmt.Errorf("%s: unknown key %q%s", file, key, hint.DidYouMean(key, known)))
		}
	}
	return errs
}

func compareEntry(file, key string, tag language.Tag, got, want entry) []error {
	var errs []error
	// An empty text would ship an empty heading or button: refused, in
	// shipped catalogs and tenants' alike.
	if got.forms == nil && strings.TrimSpace(got.text) == "" {
		errs = append(errs, fmt.Errorf("%s: %q is empty", file, key))
	}
	for _, form := range slices.Sorted(maps.Keys(got.forms)) {
		if strings.TrimSpace(got.forms[form]) == "" {
			errs = append(errs, fmt.Errorf("%s: %q (%s) is empty", file, key, formName(form)))
		}
	}
	wantTokens := tokens(want.text)
	if want.forms != nil {
		wantTokens = tokens(want.forms[plural.Other])
		var missing []string
		for _, form := range usedForms(tag) {
			if _, ok := got.forms[form]; !ok {
				missing = append(missing, formName(form))
			}
		}
		if missing != nil {
			errs = append(errs, fmt.Errorf("%s: %q lacks the plural forms %v that %s uses", file, key, missing, tag))
		}
		// ICU lets a form that stands for one number say it in words
		// ("خلال ساعتين", "בעוד שעה"): zero, one and two may leave {n}
		// out where the language gives them exactly one whole number.
		withoutCount := tokens(strings.ReplaceAll(want.forms[plural.Other], "{n}", ""))
		for form, text := range got.forms {
			t := tokens(text)
			switch {
			case t == wantTokens:
			case t == withoutCount && mayOmitCount(tag, form):
			case t == withoutCount && omittable[form]:
				errs = append(errs, fmt.Errorf("%s: %q (%s) lacks {n}, but %s uses this form for %v: only a form for one number may say it in words",
					file, key, formName(form), tag, numbersOf(tag, form)))
			default:
				errs = append(errs, fmt.Errorf("%s: %q (%s) has tokens %s, English has %s", file, key, formName(form), t, wantTokens))
			}
		}
		return errs
	}
	if t := tokens(got.text); t != wantTokens {
		errs = append(errs, fmt.Errorf("%s: %q has tokens %s, English has %s", file, key, t, wantTokens))
	}
	return errs
}

// omittable are the forms that may leave {n} out.
var omittable = map[plural.Form]bool{plural.Zero: true, plural.One: true, plural.Two: true}

// mayOmitCount reports whether form of tag may leave {n} out: it is zero,
// one or two and stands for one whole number only (Arabic's and Hebrew's
// do; French "one" is 0 and 1, Russian's 1, 21, 31…: those must show {n}).
func mayOmitCount(tag language.Tag, form plural.Form) bool {
	return omittable[form] && len(numbersOf(tag, form)) == 1
}

// numbersOf lists up to three whole numbers tag gives form.
func numbersOf(tag language.Tag, form plural.Form) []int {
	var ns []int
	for _, n := range wholeNumbers {
		if plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0) == form {
			if ns = append(ns, n); len(ns) == 3 {
				break
			}
		}
	}
	return ns
}

// usedForms lists the plural forms tag's CLDR rules give whole numbers, in
// order of first use. 0–200, 1000 and 1000000 reach every category of every
// language. Remembered per language: a check reads every catalog.
func usedForms(tag language.Tag) []plural.Form {
	if v, ok := formsByLang.Load(tag); ok {
		return v.([]plural.Form)
	}
	var forms []plural.Form
	for _, n := range wholeNumbers {
		if form := plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0); !slices.Contains(forms, form) {
			forms = append(forms, form)
		}
	}
	formsByLang.Store(tag, forms)
	return forms
}

var formsByLang sync.Map // language.Tag → []plural.Form

var wholeNumbers = func() []int {
	ns := make([]int, 0, 203)
	for n := 0; n <= 200; n++ {
		ns = append(ns, n)
	}
	return append(ns, 1000, 1000000)
}()

func shape(e entry) string {
	if e.forms != nil {
		return "an object of plural forms"
	}
	return "text"
}

func formName(f plural.Form) string {
	for name, form := range formNames {
		if form == f {
			return name
		}
	}
	return "?"
}

func sortedKeys(m map[string]entry) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
