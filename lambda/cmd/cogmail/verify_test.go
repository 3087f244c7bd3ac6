package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// signWith signs a reset link for pool ("" signs a version-1 link).
func signWith(t *testing.T, ringJSON, pool string) string {
	t.Helper()
	ring, err := link.ParseKeyring([]byte(ringJSON))
	require.NoError(t, err)
	signed, err := link.Sign(link.Params{Base: "https://app.example.com/reset", Purpose: link.PurposeReset, Tenant: "default",
		UserPool: pool, Username: "u", Locale: "en", Expires: time.Now().Add(time.Hour), Code: "{####}"}, ring)
	require.NoError(t, err)
	return signed
}

// verify reports the link's user pool, and says loudly on stderr when the
// public development key verified it: such a link proves nothing. A keyring
// variable set but blank is an error, not the development keyring.
func TestVerifySaysWhatChecked(t *testing.T) {
	const pool = "eu-west-1_Ab12Cd34E"
	production := keys.Random()
	renamedDev := `{"current":"prod","keys":{"prod":"Y29nbWFpbC1kZXZlbG9wbWVudC1rZXktTk9ULUEtU0VDUkVULTAx"}}`
	tests := []struct {
		name     string
		env      map[string]string
		link     string
		code     int
		pool     string
		version  float64
		warned   bool
		inStderr string
	}{
		{"case=development-by-default", nil, signWith(t, keys.DevelopmentJSON, pool), 0, pool, 2, true, ""},
		{"case=development-in-variable", map[string]string{keys.EnvSigningKeys: keys.DevelopmentJSON},
			signWith(t, keys.DevelopmentJSON, pool), 0, pool, 2, true, ""},
		{"case=development-key-renamed", map[string]string{keys.EnvSigningKeys: renamedDev},
			signWith(t, renamedDev, pool), 0, pool, 2, true, ""},
		{"case=production", map[string]string{keys.EnvSigningKeys: production},
			signWith(t, production, pool), 0, pool, 2, false, ""},
		{"case=version-1", map[string]string{keys.EnvSigningKeys: production},
			signWith(t, production, ""), 0, "", 1, false, "version-1 link"},
		{"case=production-link-with-development-ring", nil,
			signWith(t, production, pool), 1, "", 0, false, "checked with the public development keyring"},
		{"case=blank-variable", map[string]string{keys.EnvSigningKeys: " "},
			signWith(t, keys.DevelopmentJSON, pool), 1, "", 0, false, "blank"},
		{"case=blank-secret", map[string]string{keys.EnvSecretARN: "\t"},
			signWith(t, keys.DevelopmentJSON, pool), 1, "", 0, false, "blank"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, env(tt.env), "", "verify", tt.link)
			require.Equal(t, tt.code, code, errOut)
			assert.Equal(t, tt.warned, strings.Contains(errOut, "WARNING: VERIFIED WITH THE PUBLIC DEVELOPMENT KEYRING"), errOut)
			assert.Contains(t, errOut, tt.inStderr)
			if tt.code != 0 {
				assert.Empty(t, out)
				return
			}
			var claims map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &claims))
			assert.Equal(t, tt.pool, claims["userPool"])
			assert.Equal(t, tt.version, claims["version"])
		})
	}
}
