package render

import (
	"errors"
	"strconv"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/locale"
)

// words is the catalog view of one (tenant, language): each key is looked up
// along the chain language → parents → tenant default → English, the
// tenant's own catalog before the base one at each step.
type words struct {
	chain []language.Tag
	steps []step // one per language of the chain
	// english is the base English catalog: every key a message may use.
	english *catalog
	lang    language.Tag // the first language of the chain that has a catalog
	// used counts, per language of the chain, the characters of the texts
	// found in it: which language a message is mostly written in.
	used []int
}

// step is one language of the chain: the tenant's catalog and the base
// one, either of which may be nil.
type step struct{ own, base *catalog }

// words reads the catalogs of the chain that have not been read yet.
func (r *Renderer) words(view *tenantView, tag, tenantDefault language.Tag) (*words, error) {
	chain := locale.Chain(tag, tenantDefault)
	w := &words{chain: chain, steps: make([]step, len(chain)), used: make([]int, len(chain)), lang: language.English}
	found := false
	var errs []error
	for i, t := range chain {
		base, err := r.catalogs.get(t)
		if err != nil {
			errs = append(errs, err)
		}
		w.steps[i] = step{own: view.catalogs[t], base: base}
		if !found && (r.catalogs.has(t) || view.catalogs[t] != nil) {
			w.lang, found = t, true
		}
		if t == language.English {
			w.english = base
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return w, nil
}

// lookup finds key along the chain, with the language it was found in (its
// plural rules apply).
func (w *words) lookup(key string) (entry, language.Tag, bool) {
	for i, s := range w.steps {
		for _, c := range [...]*catalog{s.own, s.base} {
			if c == nil {
				continue
			}
			if e, ok := c.entries[key]; ok {
				w.used[i] += e.size()
				return e, w.chain[i], true
			}
		}
	}
	return entry{}, language.Und, false
}

// mostly is the language of the chain that supplied the most characters of
// the texts looked up so far (the earlier one on a tie); before any lookup,
// the first language of the chain with a catalog. A tenant's sv.json with
// one key leaves an email mostly in the tenant's default language, and the
// email must say so in its lang attribute.
func (w *words) mostly() language.Tag {
	best := -1
	for i, n := range w.used {
		if n > 0 && (best < 0 || n > w.used[best]) {
			best = i
		}
	}
	if best < 0 {
		return w.lang
	}
	return w.chain[best]
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
