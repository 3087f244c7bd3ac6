// Package locale chooses the language of a message (BCP 47, with
// golang.org/x/text/language) and the order in which catalogs are consulted.
package locale

import (
	"fmt"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// Shipped lists the languages cogmail has complete catalogs for.
var Shipped = []string{
	"en", "es", "fr", "de", "it", "pt-BR", "pt-PT", "nl", "pl",
	"ja", "ko", "zh-Hans", "zh-Hant", "ar", "he",
}

// Pseudo is the pseudo-locale for tests: English, accented and 40 % longer,
// so hard-coded strings and layouts that break when text grows stand out. It
// is never in a tenant's supported list, so no user ever gets it.
var Pseudo = language.MustParse("en-XA")

// IsPseudo reports whether tag is the pseudo-locale under any spelling:
// its fallback chain reaches en-XA (en-XA-x-test, en-XA-u-nu-latn,
// en-XA-t-ja), or it is English of the pseudo region under a script
// (en-Latn-XA, whose parent is en, not en-XA). Tenants may not list such a
// tag and users asking for one are answered as if they asked for English:
// the pseudo catalog is for `cogmail check` alone.
func IsPseudo(tag language.Tag) bool {
	for t := tag; t != language.Und; t = t.Parent() {
		if t == Pseudo {
			return true
		}
	}
	base, _ := tag.Base()
	region, confidence := tag.Region()
	return base == pseudoBase && region == pseudoRegion && confidence == language.Exact
}

var (
	pseudoBase, _   = Pseudo.Base()
	pseudoRegion, _ = Pseudo.Region()
)

// English is the last resort of every fallback chain.
var English = language.English

// Matcher picks among one tenant's supported languages.
type Matcher struct {
	tags []language.Tag
	// matcher is built for the first input that is not one of tags as it
	// is: building one costs more than the rest of a cold start's first
	// message, whose locale is most often exactly a supported one.
	matcher func() language.Matcher
}

// NewMatcher builds a matcher over supported, which must parse.
func NewMatcher(supported []string) (*Matcher, error) {
	if len(supported) == 0 {
		return nil, fmt.Errorf("no supported languages")
	}
	tags := make([]language.Tag, 0, len(supported))
	for _, s := range supported {
		tag, err := language.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("language %q: %w", s, err)
		}
		tags = append(tags, tag)
	}
	return &Matcher{tags: tags, matcher: sync.OnceValue(func() language.Matcher { return language.NewMatcher(tags) })}, nil
}

// Match returns the supported language closest to s, which may be any user
// input: "pt_BR", "PT-br", "zh-TW", "zh-HK" and "zh-MO" (zh-Hant), "iw"
// (he). Garbage, and languages with no supported relative, give false;
// never an error. The pseudo-locale, in any spelling, is matched as English.
func (m *Matcher) Match(s string) (language.Tag, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return language.Und, false
	}
	tag, err := language.Parse(s)
	if err != nil || tag == language.Und {
		return language.Und, false
	}
	if IsPseudo(tag) {
		tag = English
	}
	if t, ok := m.exact(tag); ok {
		return t, true
	}
	_, index, confidence := m.matcher().Match(tag)
	if confidence == language.No {
		return language.Und, false
	}
	return m.tags[index], true
}

// exact finds tag among the supported languages with none of its language
// before it: what the matcher would pick, without building it. Of two
// supported languages sharing one (pt-BR, pt), the matcher may pick the
// first for the other (pt); it decides those (TestExactMatchIsTheMatchers).
func (m *Matcher) exact(tag language.Tag) (language.Tag, bool) {
	base, _ := tag.Base()
	for _, t := range m.tags {
		if t == tag {
			return t, true
		}
		if b, _ := t.Base(); b == base {
			return language.Und, false
		}
	}
	return language.Und, false
}

// Source says which input chose the language, for logs.
type Source string

const (
	FromMetadata  Source = "clientMetadata"
	FromAttribute Source = "attribute"
	FromDefault   Source = "default"
)

// Negotiate picks the language of one message: the caller's clientMetadata
// locale (untrusted, so only among the supported languages), then the user's
// locale attribute, then the tenant's default.
func (m *Matcher) Negotiate(metadata, attribute string, fallback language.Tag) (language.Tag, Source) {
	if tag, ok := m.Match(metadata); ok {
		return tag, FromMetadata
	}
	if tag, ok := m.Match(attribute); ok {
		return tag, FromAttribute
	}
	return fallback, FromDefault
}

// Chain is the order in which catalogs are consulted for one key: the
// language itself, its parents (region, then script: pt-BR → pt), the
// tenant's default language, then English.
func Chain(tag, tenantDefault language.Tag) []language.Tag {
	chain := make([]language.Tag, 0, 5)
	add := func(t language.Tag) {
		for _, have := range chain {
			if have == t {
				return
			}
		}
		chain = append(chain, t)
	}
	for t := tag; t != language.Und; t = t.Parent() {
		add(t)
	}
	add(tenantDefault)
	add(English)
	return chain
}
