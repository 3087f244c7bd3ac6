// Check: every use held to every client that applies it, against the
// fallbacks declared, and the Problems it finds.

package csslint

import (
	"fmt"
	"sort"
	"strings"
)

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

func clientSupports(m map[string]Support) []ClientSupport {
	var out []ClientSupport
	for _, c := range Clients {
		if s, ok := m[c.ID]; ok {
			out = append(out, ClientSupport{c, s})
		}
	}
	return out
}
