package rotation_test

import (
	"encoding/base64"
	"encoding/json"
	"sort"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
