package csslint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Data is the caniemail support table: what each feature (a CSS property, an
// at-rule, a selector, an HTML element) does in each email client, as
// published in the caniemail npm package's data/caniemail.json.
type Data struct {
	APIVersion string
	Updated    string              // last_update_date
	Features   map[string]*Feature // by slug: "css-border-radius", "html-style"
}

// Feature is one caniemail entry.
type Feature struct {
	Slug  string
	Title string
	URL   string
	Notes string            // general notes, often empty
	Refs  map[string]string // numbered notes ("1" → "Partial. …") that values cite as "a #1"
	// Stats: family ("outlook") → platform ("windows") → tests, oldest first.
	Stats map[string]map[string][]Result
}

// Result is one tested version: "2019": "n #1".
type Result struct {
	Version string
	Value   string
}

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

// LoadData reads caniemail.json.
func LoadData(path string) (*Data, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	d, err := ParseData(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// ParseData reads caniemail.json's format.
func ParseData(b []byte) (*Data, error) {
	var raw struct {
		APIVersion string `json:"api_version"`
		Updated    string `json:"last_update_date"`
		Data       []struct {
			Slug  string          `json:"slug"`
			Title string          `json:"title"`
			URL   string          `json:"url"`
			Notes *string         `json:"notes"`
			Refs  json.RawMessage `json:"notes_by_num"`
			Stats json.RawMessage `json:"stats"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	if len(raw.Data) == 0 {
		return nil, errors.New("no features: not caniemail's data format")
	}
	d := &Data{APIVersion: raw.APIVersion, Updated: raw.Updated, Features: map[string]*Feature{}}
	for _, r := range raw.Data {
		f := &Feature{Slug: r.Slug, Title: r.Title, URL: r.URL, Refs: map[string]string{},
			Stats: map[string]map[string][]Result{}}
		if r.Notes != nil {
			f.Notes = strings.TrimSpace(*r.Notes)
		}
		if len(r.Refs) > 0 && string(r.Refs) != "null" {
			if err := json.Unmarshal(r.Refs, &f.Refs); err != nil {
				return nil, fmt.Errorf("%s: notes_by_num: %w", r.Slug, err)
			}
		}
		if err := parseStats(r.Stats, f.Stats); err != nil {
			return nil, fmt.Errorf("%s: stats: %w", r.Slug, err)
		}
		d.Features[r.Slug] = f
	}
	return d, nil
}

// parseStats reads family → platform → version → value keeping the
// versions' order, which a Go map would lose.
func parseStats(b []byte, into map[string]map[string][]Result) error {
	var families map[string]map[string]json.RawMessage
	if err := json.Unmarshal(b, &families); err != nil {
		return err
	}
	for family, platforms := range families {
		into[family] = map[string][]Result{}
		for platform, versions := range platforms {
			dec := json.NewDecoder(bytes.NewReader(versions))
			if t, err := dec.Token(); err != nil || t != json.Delim('{') {
				return fmt.Errorf("%s/%s: not an object", family, platform)
			}
			var results []Result
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				var v string
				if err := dec.Decode(&v); err != nil {
					return fmt.Errorf("%s/%s/%v: %w", family, platform, k, err)
				}
				if strings.TrimSpace(v) == "" {
					return fmt.Errorf("%s/%s/%v: empty value", family, platform, k)
				}
				results = append(results, Result{Version: k.(string), Value: v})
			}
			into[family][platform] = results
		}
	}
	return nil
}

// FindData locates caniemail.json in a node_modules folder through the
// package's own export of it ("caniemail/caniemail.json"), and reports the
// installed version. A missing package is an fs.ErrNotExist error.
func FindData(nodeModules string) (path, version string, err error) {
	dir := filepath.Join(nodeModules, "caniemail")
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", "", err
	}
	var pkg struct {
		Version string                     `json:"version"`
		Exports map[string]json.RawMessage `json:"exports"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return "", "", fmt.Errorf("caniemail/package.json: %w", err)
	}
	rel := "data/caniemail.json"
	var exported string
	if json.Unmarshal(pkg.Exports["./caniemail.json"], &exported) == nil && exported != "" {
		rel = exported
	}
	path = filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(path); err != nil {
		return "", pkg.Version, err
	}
	return path, pkg.Version, nil
}

// LockedVersion is the version of an npm package that package-lock.json
// pins for node_modules/<name>.
func LockedVersion(lockfile, name string) (string, error) {
	b, err := os.ReadFile(lockfile)
	if err != nil {
		return "", err
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		return "", fmt.Errorf("%s: %w", lockfile, err)
	}
	p, ok := lock.Packages["node_modules/"+name]
	if !ok {
		return "", fmt.Errorf("%s: %s is not locked", lockfile, name)
	}
	return p.Version, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
