// The clients the lint holds the CSS to, their families, and a feature's
// support level in each.

package csslint

import (
	"regexp"
	"strings"
)

// Level is how well a client supports a feature.
type Level int

// Levels, best first. Mixed is a family's level when its clients disagree.
const (
	Yes Level = iota
	Partial
	Mixed
	No
	Unknown
)

func (l Level) String() string {
	return [...]string{"yes", "partial", "mixed", "no", "unknown"}[l]
}

// Client is one email client we send to. Family and Platform are
// caniemail's keys; ID is what templates/css-fallbacks.json names.
type Client struct {
	ID       string
	Family   string
	Platform string
	Name     string
}

// Clients are the ones the lint holds the CSS to: Gmail (webmail and its
// mobile apps), Outlook (Windows desktop, Outlook.com, macOS, iOS, Android)
// and Apple Mail (macOS, iOS). Left out on purpose: Gmail's mobile webmail
// and Outlook's retired Windows Mail app.
var Clients = []Client{
	{"gmail-webmail", "gmail", "desktop-webmail", "Gmail (desktop webmail)"},
	{"gmail-ios", "gmail", "ios", "Gmail for iOS"},
	{"gmail-android", "gmail", "android", "Gmail for Android"},
	{"outlook-windows", "outlook", "windows", "Outlook for Windows"},
	{"outlook-com", "outlook", "outlook-com", "Outlook.com"},
	{"outlook-macos", "outlook", "macos", "Outlook for Mac"},
	{"outlook-ios", "outlook", "ios", "Outlook for iOS"},
	{"outlook-android", "outlook", "android", "Outlook for Android"},
	{"apple-mail-macos", "apple-mail", "macos", "Apple Mail (macOS)"},
	{"apple-mail-ios", "apple-mail", "ios", "Apple Mail (iOS)"},
}

// Families in the order messages list them, with caniemail's names.
var Families = []struct{ ID, Name string }{
	{"gmail", "Gmail"}, {"outlook", "Outlook"}, {"apple-mail", "Apple Mail"},
}

// MSO is the client that honours Outlook's conditional comments and mso-
// properties: the Word engine of Outlook for Windows.
const MSO = "outlook-windows"

func clientByID(id string) (Client, bool) {
	for _, c := range Clients {
		if c.ID == id {
			return c, true
		}
	}
	return Client{}, false
}

func clientIDs() []string {
	ids := make([]string, len(Clients))
	for i, c := range Clients {
		ids[i] = c.ID
	}
	return ids
}

// Support is a feature's standing in one client: the latest tested
// version's verdict and the notes that verdict cites.
type Support struct {
	Level   Level
	Version string   // the latest tested version, "" if never tested
	Value   string   // as published: "a #1 #2"
	Notes   []string // the cited notes' text, then the feature's general note
}

var noteRef = regexp.MustCompile(`#(\d+)`)

// Support reads the latest tested version of f in c. Versions are kept in
// the order caniemail publishes them, oldest first (its keys mix "2019",
// "2019-08" and "16.80", which sort no other way).
func (f *Feature) Support(c Client) Support {
	results := f.Stats[c.Family][c.Platform]
	if len(results) == 0 {
		return Support{Level: Unknown}
	}
	last := results[len(results)-1]
	s := Support{Version: last.Version, Value: last.Value, Level: Unknown}
	switch strings.TrimSpace(last.Value)[:1] {
	case "y":
		s.Level = Yes
	case "a":
		s.Level = Partial
	case "n":
		s.Level = No
	}
	for _, m := range noteRef.FindAllStringSubmatch(last.Value, -1) {
		if text := f.Refs[m[1]]; text != "" {
			s.Notes = append(s.Notes, "#"+m[1]+" "+oneLine(text))
		}
	}
	if f.Notes != "" && s.Level != Yes {
		s.Notes = append(s.Notes, oneLine(f.Notes))
	}
	return s
}

// FamilyLevel sums up a family: yes or no when all its clients agree on it,
// partial when each supports it at least partly, mixed otherwise.
func (f *Feature) FamilyLevel(family string) Level {
	seen := map[Level]bool{}
	for _, c := range Clients {
		if c.Family == family {
			seen[f.Support(c).Level] = true
		}
	}
	return summarize(seen)
}

// summarize sums up the levels a family's clients have: the one level when
// they agree, partial when each supports it at least partly, mixed otherwise.
func summarize(seen map[Level]bool) Level {
	switch {
	case len(seen) == 1:
		for l := range seen {
			return l
		}
	case !seen[No] && !seen[Unknown]:
		return Partial
	}
	return Mixed
}
