package render

import (
	"strings"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/tenant"
)

// Texts is a tenant's catalog in one language, for pages that speak with the
// same words as the emails (the reset page): each key is looked up along the
// same chain, the tenant's own texts first.
type Texts struct {
	words *words
}

// Texts returns t's catalog in tag (language.Und: the tenant's default).
func (r *Renderer) Texts(t *tenant.Tenant, tag language.Tag) (Texts, error) {
	view, err := r.tenantView(t)
	if err != nil {
		return Texts{}, err
	}
	if tag == language.Und {
		tag = t.DefaultLanguage()
	}
	w, err := r.words(view, tag, t.DefaultLanguage())
	if err != nil {
		return Texts{}, err
	}
	return Texts{words: w}, nil
}

// T returns the text of key with {name} arguments given as pairs; a
// missing key shows as itself.
func (x Texts) T(key string, args ...string) string { return x.words.text(key, args...) }

// Lang is the language the page's texts (keys page.*) are mostly in: a
// tenant's catalog with a few keys leaves the page mostly in a fallback.
func (x Texts) Lang() string { return x.mostly().String() }

// Dir is "rtl" or "ltr" for Lang.
func (x Texts) Dir() string { return direction(x.mostly()) }

// mostly looks up every page.* key English has on a fresh view of the same
// chain, counting where each comes from.
func (x Texts) mostly() language.Tag {
	w := *x.words
	w.used = make([]int, len(w.chain))
	for key := range w.english.entries {
		if strings.HasPrefix(key, "page.") {
			w.lookup(key)
		}
	}
	return w.mostly()
}
