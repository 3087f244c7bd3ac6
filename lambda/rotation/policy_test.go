package rotation_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/rotation"
)

const day = 24 * time.Hour

// ringAt is a keyring of freshly random keys, current first, each added
// the given days before t0 (a negative day: no "added" time).
func ringAt(t *testing.T, t0 time.Time, current string, daysAgo map[string]int) []byte {
	t.Helper()
	ks, added := map[string]string{}, map[string]string{}
	for i, kid := range sortedKeys(daysAgo) {
		// A distinct, not repeated, 32-byte key per kid.
		key := make([]byte, 32)
		for j := range key {
			key[j] = byte(i*7 + j + 1)
		}
		ks[kid] = b64(key)
		if d := daysAgo[kid]; d >= 0 {
			added[kid] = t0.Add(-time.Duration(d) * day).Format(time.RFC3339)
		}
	}
	out, err := json.Marshal(map[string]any{"current": current, "keys": ks, "added": added})
	require.NoError(t, err)
	return out
}

func TestNext(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name     string
		current  string
		daysAgo  map[string]int
		promoted string
		retired  []string
	}{
		{"a fresh ring gains a key", "a", map[string]int{"a": 0}, "", nil},
		{"a key old enough is promoted", "a", map[string]int{"a": 30, "b": 7}, "b", nil},
		{"a key too new waits", "a", map[string]int{"a": 30, "b": 6}, "", nil},
		{"the newest old enough wins", "a", map[string]int{"a": 30, "b": 9, "c": 8, "d": 1}, "c", nil},
		{"an older key never replaces the current", "b", map[string]int{"a": 30, "b": 1}, "", nil},
		{"the key just superseded stays", "a", map[string]int{"a": 60, "b": 7}, "b", nil},
		{"keys before a settled current retire", "b", map[string]int{"a": 60, "b": 14, "c": 7}, "c", []string{"a"}},
		{"keys before a recent current stay", "b", map[string]int{"a": 60, "b": 13, "c": 6}, "", nil},
		{"a never-current key retires by age", "a", map[string]int{"a": 60, "b": 15, "c": 14, "d": 2}, "c", []string{"b"}},
		{"a key without a time is never promoted", "a", map[string]int{"a": 10, "b": -1}, "", nil},
		{"a key without a time retires once the current settled", "a", map[string]int{"a": 14, "b": -1}, "", []string{"b"}},
		{"a current key without a time retires nothing", "a", map[string]int{"a": -1, "b": 60, "c": 3}, "b", nil},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			in := ringAt(t, t0, c.current, c.daysAgo)
			out, plan, err := rotation.Next(in, t0, 7*day, rotation.LinkLife)
			require.NoError(t, err)
			assert.Equal(t, c.promoted, plan.Promoted)
			assert.Equal(t, c.retired, plan.Retired)
			ring, err := link.ParseKeyring(out)
			require.NoError(t, err)
			want := c.current
			if c.promoted != "" {
				want = c.promoted
			}
			assert.Equal(t, want, ring.Current())
			assert.Contains(t, ring.IDs(), plan.Added)
			added, ok := ring.Added(plan.Added)
			assert.True(t, ok && added.Equal(t0), "the new key was added now")
			assert.Len(t, ring.IDs(), len(c.daysAgo)+1-len(c.retired))
		})
	}
}
