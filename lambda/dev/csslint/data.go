// caniemail's support data: its types, parser, and where the installed
// package keeps it.

package csslint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
