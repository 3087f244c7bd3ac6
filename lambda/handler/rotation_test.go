package handler_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/internal/keyring"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// A warm trigger re-reads its keyring every keyring.RefreshEvery: after a
// rotation promoted key B and retired key A, its next link is signed with
// B, which the page (holding only B by then) accepts.
func TestWarmTriggerSignsWithRotatedKey(t *testing.T) {
	t0 := testNow
	parse := func(data []byte) *link.Keyring {
		t.Helper()
		r, err := link.ParseKeyring(data)
		require.NoError(t, err)
		return r
	}
	aJSON, err := keys.New(t0.Add(-keys.DefaultOverlap))
	require.NoError(t, err)
	abJSON, kidB, err := keys.Add(aJSON, t0.Add(-keys.DefaultOverlap))
	require.NoError(t, err)
	promoted, err := keys.Promote(abJSON, kidB, t0, keys.DefaultOverlap)
	require.NoError(t, err)
	ringA := parse(aJSON)
	bJSON, err := keys.Retire(promoted, ringA.Current())
	require.NoError(t, err)
	ringB := parse(bJSON)
	require.Equal(t, kidB, ringB.Current())

	now, fetched, calls := t0, ringA, 0
	h, _ := fixture(t, func(c *handler.Config) {
		c.Keyring = ringA
		c.Now = func() time.Time { return now }
		c.RetryKeys = func(context.Context) (*link.Keyring, error) { calls++; return fetched, nil }
	})
	href := ""
	signedWith := func(t *testing.T) (a, b bool) {
		t.Helper()
		_, ans := invoke(t, h, readEvent(t, "forgot-password"))
		require.NotEmpty(t, hrefs(ans.email()))
		href = hrefs(ans.email())[0]
		_, errA := link.Verify(href, ringA, now)
		_, errB := link.Verify(href, ringB, now)
		return errA == nil, errB == nil
	}

	a, b := signedWith(t)
	assert.True(t, a && !b, "before the rotation: key A")
	fetched = ringB // the rotation reached Secrets Manager
	now = t0.Add(keyring.RefreshEvery - time.Second)
	a, b = signedWith(t)
	assert.True(t, a && !b, "not re-read within RefreshEvery")
	assert.Equal(t, 0, calls)
	now = t0.Add(keyring.RefreshEvery)
	a, b = signedWith(t)
	assert.True(t, !a && b, "re-read: key B")
	assert.Contains(t, href, "kid="+kidB)
	assert.Equal(t, 1, calls)
}
