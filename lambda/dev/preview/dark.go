package preview

import (
	"regexp"
	"strings"
)

var (
	styleBlock = regexp.MustCompile(`(?is)(<style\b[^>]*>)(.*?)(</style\s*>)`)
	// mediaPrelude is an @media rule's query, up to its opening brace.
	mediaPrelude  = regexp.MustCompile(`(?i)@media\b([^{};]*)\{`)
	schemeFeature = regexp.MustCompile(`(?i)\(\s*prefers-color-scheme\s*:\s*(dark|light)\s*\)`)
	headStart     = regexp.MustCompile(`(?i)<head\b[^>]*>`)
)

// darkMeta goes first in <head>: the first color-scheme meta is the one a
// browser uses, and the email may carry its own "light dark".
const darkMeta = `<meta name="color-scheme" content="dark">`

// DarkTwin returns the email as a client in dark mode shows it, for a viewer
// in light mode: its prefers-color-scheme: dark rules made unconditional,
// its light-only rules switched off, and a dark color-scheme for what the
// browser itself paints. hasDark reports whether the email had dark rules.
//
// Only the preference is rewritten: (prefers-color-scheme: dark) alone
// becomes "all", and within a longer query a feature that always holds,
// (min-width: 0px), so "screen and (max-width: 480px) and
// (prefers-color-scheme: dark)" keeps its width condition.
func DarkTwin(email string) (twin string, hasDark bool) {
	twin = styleBlock.ReplaceAllStringFunc(email, func(block string) string {
		m := styleBlock.FindStringSubmatch(block)
		css := mediaPrelude.ReplaceAllStringFunc(m[2], func(rule string) string {
			query := mediaPrelude.FindStringSubmatch(rule)[1]
			f := schemeFeature.FindStringSubmatch(query)
			if f == nil {
				return rule
			}
			dark := strings.EqualFold(f[1], "dark")
			hasDark = hasDark || dark
			if strings.TrimSpace(query) == f[0] {
				if dark {
					return "@media all {"
				}
				return "@media not all {"
			}
			always := "(min-width: 0px)"
			if !dark {
				always = "(max-width: 0px)" // never, in a window one can see
			}
			return "@media" + schemeFeature.ReplaceAllLiteralString(query, always) + "{"
		})
		return m[1] + css + m[3]
	})
	if loc := headStart.FindStringIndex(twin); loc != nil {
		return twin[:loc[1]] + darkMeta + twin[loc[1]:], hasDark
	}
	return darkMeta + twin, hasDark
}
