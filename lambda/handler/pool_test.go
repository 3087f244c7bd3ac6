package handler_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// Every link names the user pool its event came from, signed (a version-2
// link), so that a page serving one pool refuses another pool's links.
func TestLinksAreBoundToTheEventsPool(t *testing.T) {
	h, _ := fixture(t, nil)
	for _, tc := range []struct {
		event, pool string
		purpose     link.Purpose
	}{
		{"forgot-password", "eu-west-1_Ab12Cd34E", link.PurposeReset},
		{"admin-create-user", "eu-west-1_Ef56Gh78J", link.PurposeInvite},
		{"sign-up", "eu-west-1_Ab12Cd34E", link.PurposeVerify},
		{"local-forgot-password", "local_4Hk9TzQ2", link.PurposeReset},
	} {
		t.Run("case="+tc.event, func(t *testing.T) {
			_, a := invoke(t, h, readEvent(t, tc.event))
			u := firstLink(t, a)
			assert.Equal(t, tc.pool, u.Query().Get(link.ParamUserPool))
			raw := strings.Replace(hrefs(a.email())[0], "{####}", "123456", 1) // as Cognito fills it in
			claims, err := link.Verify(raw, keys.Development(), testNow)
			require.NoError(t, err, raw)
			assert.Equal(t, tc.pool, claims.UserPool)
			assert.Equal(t, 2, claims.Version)
			assert.Equal(t, tc.purpose, claims.Purpose)
		})
	}

	t.Run("case=same user, another pool: another signature", func(t *testing.T) {
		_, a := invoke(t, h, readEvent(t, "forgot-password"))
		_, b := invoke(t, h, withEvent(t, "forgot-password", func(ev map[string]any) { ev["userPoolId"] = "eu-west-1_Zz99Yy88X" }))
		ua, ub := firstLink(t, a), firstLink(t, b)
		assert.Equal(t, ua.Query().Get(link.ParamTenant), ub.Query().Get(link.ParamTenant), "the same (default) tenant")
		assert.NotEqual(t, ua.Query().Get(link.ParamSignature), ub.Query().Get(link.ParamSignature))
	})

	// Cognito always names the pool; an event that does not gets no link
	// rather than one bound to nothing, and keeps its code.
	for _, pool := range []any{nil, ""} {
		t.Run("case=no userPoolId: "+string(mustJSON(t, pool)), func(t *testing.T) {
			h, logs := fixture(t, nil)
			_, a := invoke(t, h, withEvent(t, "forgot-password", func(ev map[string]any) {
				if pool == nil {
					delete(ev, "userPoolId")
				} else {
					ev["userPoolId"] = pool
				}
			}))
			require.True(t, a.rendered())
			assert.Empty(t, hrefs(a.email()))
			assert.Contains(t, a.email(), "{####}", "the code reaches the user")
			assert.Contains(t, logs.String(), "no userPoolId")
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
