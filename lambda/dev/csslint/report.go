// The wording of problems: what is wrong, the clients' standing, and the
// fallbacks entry to add.

package csslint

import (
	"encoding/json"
	"fmt"
	"strings"
)

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
		n := 0 // the family's clients reached
		for _, c := range Clients {
			if c.Family != fam.ID || !reached[c.ID] {
				continue
			}
			n++
			l := f.Support(c).Level
			seen[l] = true
			if l != Yes {
				short = append(short, c.ID)
			}
		}
		if len(seen) == 0 {
			continue
		}
		s := fam.Name + " " + summarize(seen).String()
		if len(short) > 0 && len(short) < n {
			s += " (" + strings.Join(short, ", ") + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
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
