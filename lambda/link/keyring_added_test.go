package link_test

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
)

// ringWithAdded is a keyring of k1 (current) and k2 with the given "added"
// member (raw JSON, "" for none).
func ringWithAdded(added string) string {
	k1 := base64.StdEncoding.EncodeToString(testKey("k1"))
	k2 := base64.StdEncoding.EncodeToString(testKey("k2"))
	js := fmt.Sprintf(`{"current":"k1","keys":{"k1":%q,"k2":%q}`, k1, k2)
	if added != "" {
		js += `,"added":` + added
	}
	return js + "}"
}

// "added" is what rotation reads; verification ignores it.
func TestKeyringAdded(t *testing.T) {
	signed := sign(t, params(), newRing(t, "k1", "k1"))
	for _, tc := range []struct {
		name  string
		added string
		want  map[string]string // kid → time; absent kids have none
	}{
		{"case=none", "", nil},
		{"case=empty", `{}`, nil},
		{"case=one", `{"k2":"2026-11-30T12:00:00Z"}`, map[string]string{"k2": "2026-11-30T12:00:00Z"}},
		{"case=both, offset and fraction", `{"k1":"2026-11-01T13:00:00.5+01:00","k2":"2026-11-30T12:00:00Z"}`,
			map[string]string{"k1": "2026-11-01T12:00:00.5Z", "k2": "2026-11-30T12:00:00Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ring, err := link.ParseKeyring([]byte(ringWithAdded(tc.added)))
			require.NoError(t, err)
			for _, kid := range ring.IDs() {
				at, ok := ring.Added(kid)
				want, has := tc.want[kid]
				require.Equal(t, has, ok, kid)
				if has {
					assert.Equal(t, want, at.Format(time.RFC3339Nano), kid)
					assert.Equal(t, time.UTC, at.Location())
				}
			}
			_, err = link.Verify(signed, ring, now)
			assert.NoError(t, err, "added changes nothing about verification")
		})
	}
}

func TestKeyringAddedRejects(t *testing.T) {
	for _, tc := range []struct {
		name, added, want string
	}{
		{"case=unknown kid", `{"k3":"2026-11-30T12:00:00Z"}`, `"added" names key "k3", which is not among the keys`},
		{"case=not RFC 3339", `{"k2":"30/11/2026"}`, `"added" time of key "k2" is not RFC 3339`},
		{"case=date only", `{"k2":"2026-11-30"}`, `"added" time of key "k2" is not RFC 3339`},
		{"case=not a string", `{"k2":1764504000}`, "wrong type"},
		{"case=not an object", `["k2"]`, "wrong type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ring, err := link.ParseKeyring([]byte(ringWithAdded(tc.added)))
			require.Error(t, err)
			assert.Nil(t, ring)
			assert.Contains(t, err.Error(), tc.want)
			assertNoKey(t, err.Error(), testKey("k1"))
			assertNoKey(t, err.Error(), testKey("k2"))
		})
	}
}
