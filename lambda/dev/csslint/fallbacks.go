// The fallbacks file, templates/css-fallbacks.json: its format and parser.

package csslint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
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
