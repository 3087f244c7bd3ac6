// The value features of a declaration that caniemail tests on their own:
// functions, units and keywords.

package csslint

import (
	"regexp"
	"strings"
)

var (
	function = regexp.MustCompile(`(-?[a-zA-Z][-a-zA-Z]*)\(`)
	number   = regexp.MustCompile(`(?:^|[^-\w#.])[-+]?(?:\d*\.\d+|\d+)([a-zA-Z]+|%)?`)
	word     = regexp.MustCompile(`[-a-zA-Z]+`)
)

// Value features caniemail tests apart from the property they are used in.
var (
	units = map[string]bool{"px": true, "%": true, "em": true, "rem": true, "ex": true, "ch": true,
		"vw": true, "vh": true, "vmin": true, "vmax": true, "cm": true, "mm": true, "in": true, "pt": true, "pc": true}
	keywords = map[string]string{
		"initial": "initial", "system-ui": "system-ui", "ui-serif": "system-ui", "ui-sans-serif": "system-ui",
		"ui-rounded": "system-ui", "ui-monospace": "system-ui",
		"fit-content": "fit-content", "min-content": "fit-content", "max-content": "fit-content",
	}
)

// valueFeatures lists the functions, units and keywords of a value that
// caniemail tests on their own: "rgba()", "rem unit", "system-ui".
func valueFeatures(v string) []string {
	v = blankStrings(v)
	var out distinct
	for _, m := range function.FindAllStringSubmatch(v, -1) {
		f := strings.ToLower(m[1])
		if f == "url" {
			continue
		}
		out.add(f + "()")
	}
	v = blankURLs(v)
	for _, m := range number.FindAllStringSubmatch(v, -1) {
		if u := strings.ToLower(m[1]); units[u] {
			out.add(u + " unit")
		}
	}
	for _, w := range word.FindAllString(v, -1) {
		if k := keywords[strings.ToLower(w)]; k != "" {
			out.add(k)
		}
	}
	return out.list
}
