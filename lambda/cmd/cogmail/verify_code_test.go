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

// verify says whether a link's code is signed (version 3, as the Custom
// Email Sender function signs), and that a changed one is why it fails.
func TestVerifySaysWhetherTheCodeIsSigned(t *testing.T) {
	sign := func(signCode bool) string {
		raw, err := link.Sign(link.Params{Base: "https://app.example.com/reset", Purpose: link.PurposeReset, Tenant: "default",
			UserPool: "eu-west-1_Ab12Cd34E", Username: "u", Locale: "en", Expires: time.Now().Add(time.Hour),
			Code: "482916", SignCode: signCode}, keys.Development())
		require.NoError(t, err)
		return raw
	}
	for _, tc := range []struct {
		name    string
		link    string
		code    int
		signed  bool
		version float64
		stderr  string
	}{
		{"case=version-3", sign(true), 0, true, 3, ""},
		{"case=version-2", sign(false), 0, false, 2, ""},
		{"case=version-3-code-changed", strings.Replace(sign(true), "code=482916", "code=000000", 1), 1, false, 0,
			"the code is not the one signed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, env(nil), "", "verify", tc.link)
			require.Equal(t, tc.code, code, errOut)
			assert.Contains(t, errOut, tc.stderr)
			if code != 0 {
				assert.Empty(t, out)
				return
			}
			var claims map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &claims))
			assert.Equal(t, tc.signed, claims["codeSigned"])
			assert.Equal(t, tc.version, claims["version"])
			assert.NotContains(t, out, "482916", "the code is never printed")
		})
	}
}
