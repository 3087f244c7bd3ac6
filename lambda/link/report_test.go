package link_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
)

// A report link (a notice's "This wasn't me") is signed like a reset link,
// with its pool, and never carries a code: the notifier has none.
func TestReportLinks(t *testing.T) {
	ring := newRing(t, "k1", "k1")
	for _, mode := range []link.Mode{link.ModeQuery, link.ModeFragment} {
		t.Run("case=signed with its pool/"+string(mode), func(t *testing.T) {
			p := params()
			p.Mode, p.Purpose, p.Base = mode, link.PurposeReport, "https://app.example.com/report"
			u := sign(t, p, ring)
			assert.NotContains(t, u, link.ParamCode+"=")
			assert.Contains(t, u, "&pool="+pool+"&")
			got, err := link.Verify(u, ring, now)
			require.NoError(t, err)
			assert.Equal(t, link.PurposeReport, got.Purpose)
			assert.Equal(t, 2, got.Version)
			assert.Equal(t, pool, got.UserPool)
		})
	}
	for _, tc := range []struct {
		name string
		edit func(*link.Params)
		want string
	}{
		{"case=a code", func(p *link.Params) { p.Code = "{####}" }, "carries no code"},
		{"case=no pool", func(p *link.Params) { p.UserPool = "" }, "must name its user pool"},
	} {
		t.Run("refuses/"+tc.name, func(t *testing.T) {
			p := params()
			p.Purpose = link.PurposeReport
			tc.edit(&p)
			u, err := link.Sign(p, ring)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Empty(t, u)
		})
	}
	t.Run("case=a reset link is not a report link", func(t *testing.T) {
		got, err := link.Verify(sign(t, params(), ring), ring, now)
		require.NoError(t, err)
		assert.Equal(t, link.PurposeReset, got.Purpose)
	})
}
