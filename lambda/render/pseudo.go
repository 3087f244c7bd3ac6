package render

import (
	"strings"

	"github.com/cogmail/cogmail/lambda/locale"
)

var pseudo = locale.Pseudo

// accents maps ASCII letters to accented ones that read the same, so a
// tester sees at a glance which text went through the catalog.
var accents = strings.NewReplacer(
	"a", "á", "b", "ƀ", "c", "ç", "d", "ð", "e", "é", "f", "ƒ", "g", "ĝ", "h", "ĥ", "i", "í", "j", "ĵ",
	"k", "ķ", "l", "ļ", "m", "ɱ", "n", "ñ", "o", "ö", "p", "ƥ", "q", "ʠ", "r", "ŕ", "s", "š", "t", "ţ",
	"u", "û", "v", "ṽ", "w", "ŵ", "x", "ẋ", "y", "ý", "z", "ž",
	"A", "Å", "B", "Ɓ", "C", "Ç", "D", "Ð", "E", "É", "F", "Ƒ", "G", "Ĝ", "H", "Ĥ", "I", "Î", "J", "Ĵ",
	"K", "Ķ", "L", "Ļ", "M", "Ṁ", "N", "Ñ", "O", "Ö", "P", "Þ", "Q", "Ǫ", "R", "Ŕ", "S", "Š", "T", "Ţ",
	"U", "Û", "V", "Ṽ", "W", "Ŵ", "X", "Ẋ", "Y", "Ý", "Z", "Ž",
)

// pseudoCatalog derives the pseudo-locale from English: every letter
// accented, {tokens} kept, and 40 % more text in words that wrap, between
// brackets that show when a layout cuts text off.
func pseudoCatalog(en *catalog) *catalog {
	c := &catalog{tag: pseudo, entries: make(map[string]entry, len(en.entries))}
	for key, e := range en.entries {
		p := entry{text: pseudoText(e.text)}
		if e.forms != nil {
			p = entry{forms: make(map[formKey]string, len(e.forms))}
			for form, text := range e.forms {
				p.forms[form] = pseudoText(text)
			}
		}
		c.entries[key] = p
	}
	return c
}

func pseudoText(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	b.WriteString("[")
	for {
		before, token, rest, ok := nextToken(s)
		b.WriteString(accents.Replace(before))
		if !ok {
			break
		}
		b.WriteString(token)
		s = rest
	}
	// 40 % longer, counted in runes of the original, as words.
	pad := len([]rune(b.String())) * 2 / 5
	for written := 0; written < pad; written += 6 {
		b.WriteString(" ļöñĝé")
	}
	b.WriteString("]")
	return b.String()
}
