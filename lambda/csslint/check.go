package csslint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// FallbacksFile is where the templates declare their fallbacks, from the
// repository's root.
const FallbacksFile = "templates/css-fallbacks.json"

// Fallback declares why an email that uses a feature is still fine in the
// clients that lack it.
type Fallback struct {
	// Clients are the Client IDs without full support: exactly those the
	// check finds, no more, no fewer. Empty for a feature caniemail does not
	// know, for which there is no data to name them by.
	Clients []string `json:"clients"`
	// Fallback says what those clients show instead, and why that is fine.
	Fallback string `json:"fallback"`
}

// Fallbacks are templates/css-fallbacks.json: Use.Name → Fallback.
type Fallbacks map[string]Fallback

// LoadFallbacks reads a fallbacks file.
func LoadFallbacks(path string) (Fallbacks, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := ParseFallbacks(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// ParseFallbacks reads the fallbacks format strictly: no unknown field, no
// name twice.
func ParseFallbacks(b []byte) (Fallbacks, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New(`not a JSON object of {"<property>": {"clients": […], "fallback": "…"}}`)
	}
	out := Fallbacks{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name := t.(string)
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%q: declared twice", name)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%q: %w", name, err)
		}
		var f Fallback
		strict := json.NewDecoder(bytes.NewReader(raw))
		strict.DisallowUnknownFields()
		if err := strict.Decode(&f); err != nil {
			return nil, fmt.Errorf(`%q: %w (an entry is {"clients": […], "fallback": "…"})`, name, err)
		}
		out[name] = f
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	return out, nil
}

// ProblemKind sorts problems.
type ProblemKind string

// Problem kinds.
const (
	// Unsupported: a feature some client lacks, with no fallback declared
	// for that client.
	Unsupported ProblemKind = "unsupported"
	// UnknownFeature: caniemail has no feature for it, and no fallback says
	// why it is fine.
	UnknownFeature ProblemKind = "unknown"
	// Stale: a fallback for something no email uses, or that every client
	// it names supports.
	Stale ProblemKind = "stale"
	// BadEntry: a fallback entry that is malformed or gives no reason.
	BadEntry ProblemKind = "entry"
)

// Problem is one thing wrong with the CSS or with the fallbacks file.
type Problem struct {
	Name    string      // Use.Name and the fallbacks file's key
	Kind    ProblemKind //
	Feature string      // caniemail slug, "" if none
	// Clients lack support and have no fallback (Unsupported), or are named
	// by the entry without needing it (Stale).
	Clients []ClientSupport
	Example *Use // one use, for Unsupported and UnknownFeature
	Emails  int  // how many emails use it
	Message string
}

// ClientSupport is a client's standing on a feature.
type ClientSupport struct {
	Client  Client
	Support Support
}

func (p Problem) String() string { return p.Message }

// Lookup says which caniemail feature a Use.Name is checked as. mso is true
// for Outlook's own mso- properties, which pass by definition.
func Lookup(d *Data, name string) (slug, how string, mso bool) {
	if isMSO(name) {
		return "", "an Outlook-only mso- property", true
	}
	for _, c := range candidates(name) {
		if _, ok := d.Features[c.slug]; ok {
			return c.slug, c.how, false
		}
	}
	return "", "", false
}

type candidate struct{ slug, how string }

// candidates are the slugs a name may be checked as, best first.
func candidates(name string) []candidate {
	var out []candidate
	add := func(slug, how string) { out = append(out, candidate{slug, how}) }
	if slug, ok := fixedFeatures[name]; ok {
		add(slug, "")
		return out
	}
	switch {
	case strings.HasPrefix(name, "@media ("):
		f := strings.TrimSuffix(strings.TrimPrefix(name, "@media ("), ")")
		if slug, ok := mediaFeatures[f]; ok {
			add(slug, "")
		}
		add("css-at-media-"+f, "")
	case strings.HasPrefix(name, "@"):
		add("css-at-"+name[1:], "")
	case strings.HasSuffix(name, " unit"):
		u := strings.TrimSuffix(name, " unit")
		if u == "%" {
			u = "percent"
		}
		add("css-unit-"+u, "")
	case strings.HasSuffix(name, "()"):
		f := strings.TrimSuffix(name, "()")
		how := ""
		if bare := stripVendor(f); bare != f {
			f, how = bare, "as its unprefixed "+bare+"()"
		}
		if slug, ok := functionFeatures[f]; ok {
			add(slug, how)
		}
		add("css-function-"+f, how)
		add("css-"+f, how)
	case strings.HasPrefix(name, "::"):
		add("css-pseudo-element-"+name[2:], "")
	case strings.HasPrefix(name, ":"):
		add("css-pseudo-class-"+name[1:], "")
	default: // a property
		for _, p := range []string{name, stripVendor(name)} {
			how := ""
			if p != name {
				how = "as its unprefixed " + p
			}
			add("css-"+p, how)
			if slug, ok := propertyFeatures[p]; ok {
				add(slug, strings.TrimPrefix(how+", a longhand of "+slug, ", "))
			}
			for prefix, slug := range prefixFeatures {
				if strings.HasPrefix(p, prefix) {
					add(slug, strings.TrimPrefix(how+", a longhand of "+slug, ", "))
				}
			}
		}
	}
	return out
}

// Names that are not properties, and the features they are.
var fixedFeatures = map[string]string{
	nameStyle: "html-style", nameComments: "css-comments", nameImportant: "css-important",
	nameNesting: "css-nesting", nameCustom: "css-variables",
	"display:none": "css-display-none", "display:flex": "css-display-flex", "display:grid": "css-display-grid",
	"initial": "css-unit-initial", "system-ui": "css-sytem-ui", "fit-content": "css-intrinsic-size",
	"Grouping selectors": "css-selector-grouping", "Class selector": "css-selector-class",
	"ID selector": "css-selector-id", "Type selector": "css-selector-type",
	"Universal selector *": "css-selector-universal", "Attribute selector": "css-selector-attribute",
	"Descendant combinator": "css-selector-descendant", "Child combinator": "css-selector-child",
	"Adjacent sibling combinator": "css-selector-adjacent-sibling",
	"General sibling combinator":  "css-selector-general-sibling", "Chaining selectors": "css-selector-chaining",
}

var mediaFeatures = map[string]string{
	"hover": "css-at-media-hover", "any-hover": "css-at-media-hover",
	"-webkit-device-pixel-ratio": "css-at-media-device-pixel-ratio",
}

var functionFeatures = map[string]string{
	"calc": "css-unit-calc", "var": "css-variables",
	"lch": "css-modern-color", "oklch": "css-modern-color", "lab": "css-modern-color", "oklab": "css-modern-color",
}

// propertyFeatures maps the properties caniemail tests under another
// feature's name (from each feature's own list of the properties it covers).
var propertyFeatures = func() map[string]string {
	m := map[string]string{}
	for slug, props := range map[string]string{
		"css-border": "border-width border-style border-color border-top border-right border-bottom border-left " +
			"border-top-width border-top-style border-top-color border-right-width border-right-style border-right-color " +
			"border-bottom-width border-bottom-style border-bottom-color border-left-width border-left-style border-left-color",
		"css-border-radius":         "border-top-left-radius border-top-right-radius border-bottom-left-radius border-bottom-right-radius",
		"css-border-radius-logical": "border-start-start-radius border-start-end-radius border-end-start-radius border-end-end-radius",
		"css-border-inline-block":   "border-inline border-block",
		"css-border-inline-block-individual": "border-inline-color border-block-color border-inline-style border-block-style " +
			"border-inline-width border-block-width border-inline-start border-inline-end border-block-start border-block-end",
		"css-border-inline-block-longhand": "border-inline-start-color border-block-start-color border-inline-start-style " +
			"border-block-start-style border-inline-start-width border-block-start-width border-inline-end-color " +
			"border-block-end-color border-inline-end-style border-block-end-style border-inline-end-width border-block-end-width",
		"css-margin":                   "margin-top margin-right margin-bottom margin-left",
		"css-padding":                  "padding-top padding-right padding-bottom padding-left",
		"css-margin-inline-block":      "margin-inline margin-block",
		"css-margin-inline-start-end":  "margin-inline-start margin-inline-end",
		"css-margin-block-start-end":   "margin-block-start margin-block-end",
		"css-padding-inline-block":     "padding-inline padding-block",
		"css-padding-inline-start-end": "padding-inline-start padding-inline-end",
		"css-padding-block-start-end":  "padding-block-start padding-block-end",
		"css-left-right-top-bottom":    "left right top bottom",
		"css-inset":                    "inset-block inset-inline inset-inline-start inset-inline-end inset-block-start inset-block-end",
		"css-block-inline-size":        "block-size",
		"css-gap":                      "gap row-gap column-gap",
		"css-column-layout-properties": "columns column-fill column-rule column-rule-color column-rule-style column-rule-width column-span column-width",
		"css-grid-template":            "grid-template-areas grid-template-columns grid-template-rows",
		"css-overflow":                 "overflow-x overflow-y overflow-block overflow-inline",
		"css-background-position":      "background-position-x background-position-y",
		"css-text-emphasis":            "text-emphasis-color text-emphasis-style",
	} {
		for _, p := range strings.Fields(props) {
			m[p] = slug
		}
	}
	return m
}()

// prefixFeatures: longhands named by their shorthand's prefix.
var prefixFeatures = map[string]string{
	"animation-": "css-animation", "transition-": "css-transition", "scroll-snap-": "css-scroll-snap",
}

// Check holds every use to the clients and reports what no fallback
// covers, and every fallback that is wrong or no longer needed.
func Check(uses []Use, data *Data, fallbacks Fallbacks) []Problem {
	type group struct {
		name    string
		uses    []Use
		emails  map[string]bool
		example *Use
	}
	groups := map[string]*group{}
	var order []string
	for i := range uses {
		u := &uses[i]
		if u.Audience == Nobody {
			continue
		}
		g := groups[u.Name]
		if g == nil {
			g = &group{name: u.Name, emails: map[string]bool{}, example: u}
			groups[u.Name] = g
			order = append(order, u.Name)
		}
		g.uses = append(g.uses, *u)
		g.emails[u.Source] = true
	}

	var problems []Problem
	for _, name := range order {
		g := groups[name]
		fb, declared := fallbacks[name]
		slug, how, mso := Lookup(data, name)
		p := Problem{Name: name, Feature: slug, Emails: len(g.emails), Example: g.example}
		switch {
		case mso:
			if declared {
				p.Kind = Stale
				p.Message = fmt.Sprintf("%s: %s: entry %q: mso- properties are Outlook for Windows' own and pass by definition: remove the entry",
					FallbacksFile, name, name)
				problems = append(problems, p)
			}
			continue
		case slug == "":
			if !declared {
				p.Kind = UnknownFeature
				p.Message = unknownMessage(p, g.example)
				problems = append(problems, p)
				continue
			}
			if len(fb.Clients) > 0 {
				p.Kind = BadEntry
				p.Message = fmt.Sprintf("%s: %s: caniemail has no feature for it, so no data names the clients: make \"clients\" []",
					FallbacksFile, name)
				problems = append(problems, p)
			}
			if bad := reasonProblem(name, fb); bad != "" {
				problems = append(problems, Problem{Name: name, Kind: BadEntry, Message: bad})
			}
			continue
		}

		feature := data.Features[slug]
		failing := map[string]Support{}
		reached := map[string]bool{}
		skipped := map[string]string{} // client → the enclosing feature it lacks
		for _, u := range g.uses {
			for _, c := range Clients {
				if !u.Audience.sees(c.ID) {
					continue
				}
				if w := lacking(data, u.Within, c); w != "" {
					if !reached[c.ID] {
						skipped[c.ID] = w
					}
					continue
				}
				reached[c.ID] = true
				delete(skipped, c.ID)
				if s := feature.Support(c); s.Level != Yes {
					failing[c.ID] = s
				}
			}
		}
		label := slug
		if how != "" {
			label += ", " + how
		}

		if !declared {
			if len(failing) > 0 {
				p.Kind = Unsupported
				p.Clients = clientSupports(failing)
				p.Message = unsupportedMessage(p, label, feature, reached, skipped, nil)
				problems = append(problems, p)
			}
			continue
		}
		if bad := reasonProblem(name, fb); bad != "" {
			problems = append(problems, Problem{Name: name, Kind: BadEntry, Message: bad})
		}
		var unknownIDs []string
		declaredSet := map[string]bool{}
		for _, id := range fb.Clients {
			if _, ok := clientByID(id); !ok {
				unknownIDs = append(unknownIDs, id)
			} else if declaredSet[id] {
				unknownIDs = append(unknownIDs, id+" (twice)")
			}
			declaredSet[id] = true
		}
		if len(unknownIDs) > 0 {
			problems = append(problems, Problem{Name: name, Kind: BadEntry, Message: fmt.Sprintf(
				"%s: %s: unknown clients %s; the clients are %s", FallbacksFile, name,
				strings.Join(unknownIDs, ", "), strings.Join(clientIDs(), ", "))})
		}
		missing := map[string]Support{}
		for id, s := range failing {
			if !declaredSet[id] {
				missing[id] = s
			}
		}
		if len(missing) > 0 {
			p.Kind = Unsupported
			p.Clients = clientSupports(missing)
			p.Message = unsupportedMessage(p, label, feature, reached, skipped, &fb)
			problems = append(problems, p)
		}
		var extra []string
		for _, c := range Clients {
			if _, fails := failing[c.ID]; declaredSet[c.ID] && !fails {
				why := "supports it fully"
				if !reached[c.ID] {
					why = "is not reached by it"
					if w := skipped[c.ID]; w != "" {
						why = "never applies it (no " + w + " there)"
					}
				}
				extra = append(extra, c.ID+" "+why)
			}
		}
		if len(extra) > 0 {
			sp := Problem{Name: name, Kind: Stale, Feature: slug}
			if len(failing) == 0 {
				sp.Message = fmt.Sprintf("%s: %s: stale entry: every client supports it now (%s): remove the entry",
					FallbacksFile, name, strings.Join(extra, "; "))
			} else {
				sp.Message = fmt.Sprintf("%s: %s: stale clients in the entry: %s: remove them from \"clients\" (keep %s)",
					FallbacksFile, name, strings.Join(extra, "; "), quoteList(sortedKeys(failing)))
			}
			problems = append(problems, sp)
		}
	}

	for _, name := range sortedKeys(fallbacks) {
		if groups[name] == nil {
			problems = append(problems, Problem{Name: name, Kind: Stale, Message: fmt.Sprintf(
				"%s: %s: stale entry: no rendered email uses it any more: remove the entry", FallbacksFile, name)})
		}
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Name < problems[j].Name })
	return problems
}

// lacking names the first feature of within that c does not support at all:
// a use inside it never applies there.
func lacking(d *Data, within []string, c Client) string {
	for _, w := range within {
		slug, _, _ := Lookup(d, w)
		if f := d.Features[slug]; f != nil && f.Support(c).Level == No {
			return w
		}
	}
	return ""
}

func reasonProblem(name string, fb Fallback) string {
	r := strings.TrimSpace(fb.Fallback)
	switch {
	case r == "":
		return fmt.Sprintf("%s: %s: the entry gives no reason: say in \"fallback\" what those clients show instead and why that is fine",
			FallbacksFile, name)
	case strings.HasPrefix(strings.ToUpper(r), "TODO"):
		return fmt.Sprintf("%s: %s: \"fallback\" is still the placeholder: say what those clients show instead and why that is fine",
			FallbacksFile, name)
	}
	return ""
}

func clientSupports(m map[string]Support) []ClientSupport {
	var out []ClientSupport
	for _, c := range Clients {
		if s, ok := m[c.ID]; ok {
			out = append(out, ClientSupport{c, s})
		}
	}
	return out
}

func unsupportedMessage(p Problem, label string, f *Feature, reached map[string]bool, skipped map[string]string, fb *Fallback) string {
	var b strings.Builder
	ids := make([]string, len(p.Clients))
	for i, cs := range p.Clients {
		ids[i] = cs.Client.ID
	}
	if fb == nil {
		fmt.Fprintf(&b, "%s: not fully supported in %s, and %s declares no fallback\n", p.Name, strings.Join(ids, ", "), FallbacksFile)
	} else {
		fmt.Fprintf(&b, "%s: not fully supported in %s, which its entry in %s leaves out\n", p.Name, strings.Join(ids, ", "), FallbacksFile)
	}
	fmt.Fprintf(&b, "  caniemail %s (%s)\n", label, f.URL)
	for _, cs := range p.Clients {
		s := cs.Support
		fmt.Fprintf(&b, "  %-17s %-8s %s %s", cs.Client.ID, s.Level, cs.Client.Name, s.Version)
		if len(s.Notes) > 0 {
			fmt.Fprintf(&b, ": %s", strings.Join(s.Notes, " "))
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "  families: %s\n", familySummary(f, reached))
	if len(skipped) > 0 {
		var s []string
		for _, id := range sortedKeys(skipped) {
			s = append(s, id+" (no "+skipped[id]+")")
		}
		fmt.Fprintf(&b, "  not held to: %s, which never apply it\n", strings.Join(s, ", "))
	}
	fmt.Fprintf(&b, "  used in %d email(s), e.g. %s\n", p.Emails, where(p.Example))
	all := map[string]bool{}
	for _, id := range ids {
		all[id] = true
	}
	reason := "TODO: what these clients show instead, and why the email still works"
	if fb != nil {
		for _, id := range fb.Clients {
			all[id] = true
		}
		reason = fb.Fallback
	}
	var want []string
	for _, c := range Clients {
		if all[c.ID] {
			want = append(want, c.ID)
		}
	}
	entry, _ := json.Marshal(Fallback{Clients: want, Fallback: reason})
	key, _ := json.Marshal(p.Name)
	verb := "if the email still works there, add"
	if fb != nil {
		verb = "if the email still works there, make the entry"
	}
	fmt.Fprintf(&b, "  %s to %s:\n    %s: %s", verb, FallbacksFile, key, entry)
	return b.String()
}

func unknownMessage(p Problem, example *Use) string {
	key, _ := json.Marshal(p.Name)
	entry, _ := json.Marshal(Fallback{Clients: []string{}, Fallback: "TODO: why every client renders the email well with it (caniemail has no data)"})
	nor := ""
	if bare := stripVendor(p.Name); bare != p.Name {
		nor = " (nor for its unprefixed " + bare + ")"
	}
	return fmt.Sprintf("%s: caniemail has no feature for it%s, and %s declares no fallback\n"+
		"  used in %d email(s), e.g. %s\n"+
		"  if it is safe, add to %s:\n    %s: %s",
		p.Name, nor, FallbacksFile, p.Emails, where(example), FallbacksFile, key, entry)
}

// familySummary: "Gmail partial (gmail-ios, gmail-android), Outlook no
// (outlook-windows), Apple Mail yes" over the clients reached.
func familySummary(f *Feature, reached map[string]bool) string {
	var parts []string
	for _, fam := range Families {
		seen := map[Level]bool{}
		var short []string
		for _, c := range Clients {
			if c.Family != fam.ID || !reached[c.ID] {
				continue
			}
			l := f.Support(c).Level
			seen[l] = true
			if l != Yes {
				short = append(short, c.ID)
			}
		}
		if len(seen) == 0 {
			continue
		}
		level := Mixed
		switch {
		case len(seen) == 1:
			for l := range seen {
				level = l
			}
		case !seen[No] && !seen[Unknown]:
			level = Partial
		}
		s := fam.Name + " " + level.String()
		if len(short) > 0 && len(short) < countFamily(fam.ID, reached) {
			s += " (" + strings.Join(short, ", ") + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func countFamily(family string, reached map[string]bool) int {
	n := 0
	for _, c := range Clients {
		if c.Family == family && reached[c.ID] {
			n++
		}
	}
	return n
}

func where(u *Use) string {
	if u == nil {
		return ""
	}
	s := u.Decl
	if u.Context != "" && u.Context != u.Decl {
		s += " in " + u.Context
	}
	if u.Source != "" {
		s = u.Source + ": " + s
	}
	return s
}

func quoteList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = `"` + id + `"`
	}
	return strings.Join(q, ", ")
}
