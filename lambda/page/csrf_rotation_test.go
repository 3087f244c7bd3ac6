package page_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
)

// After a rotation promotes key B over A, an instance started before it
// (A current) and one started after it (B current) derive different CSRF
// keys; a form served by either is still accepted by the other, since each
// accepts a token derived from any key of its ring. A key the ring lacks
// derives nothing it accepts.
func TestCSRFAcrossPromotion(t *testing.T) {
	before := testNow.Add(-keys.DefaultOverlap)
	aJSON, err := keys.New(before)
	require.NoError(t, err)
	abJSON, kidB, err := keys.Add(aJSON, before)
	require.NoError(t, err)
	baJSON, err := keys.Promote(abJSON, kidB, testNow, keys.DefaultOverlap)
	require.NoError(t, err)
	parse := func(data []byte) *link.Keyring {
		r, err := link.ParseKeyring(data)
		require.NoError(t, err)
		return r
	}
	aOnly, oldRing, newRing := parse(aJSON), parse(abJSON), parse(baJSON)
	require.NotEqual(t, oldRing.Current(), newRing.Current())

	tests := []struct {
		name                   string
		served, posted, signed *link.Keyring // signed: the link's key (A here)
		status                 int
	}{
		{"case=old-instance-form-new-instance-post", oldRing, newRing, aOnly, http.StatusOK},
		{"case=new-instance-form-old-instance-post", newRing, oldRing, aOnly, http.StatusOK},
		// An instance whose ring lacks B: the link verifies, B's token not.
		{"case=ring-without-the-forms-key", newRing, aOnly, aOnly, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newEnv(t, func(c *page.Config) { c.Keyring = tt.served })
			b := newEnv(t, func(c *page.Config) { c.Keyring = tt.posted })
			b.client = a.client // one browser
			form := hidden(a.get(a.link(linkOpts{ring: tt.signed})).body)
			require.NotEmpty(t, form.Get("csrf"))
			form.Set("password", testPassword)
			form.Set("repeat", testPassword)
			assert.Equal(t, tt.status, b.post("/reset", form).status)
		})
	}
}
