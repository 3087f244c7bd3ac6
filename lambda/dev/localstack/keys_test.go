package localstack

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// assertSignedByStack checks that raw, a link from the stack's mailbox, is
// signed with the stack's own fresh keyring and bound to its pool: under the
// emulator the function counts as inside Lambda and refuses the public
// development keyring, which verifies nothing here.
func assertSignedByStack(t *testing.T, s *Stack, raw string) {
	t.Helper()
	require.NotNil(t, s.Ring)
	assert.False(t, keys.IsDevelopment(s.Ring))
	info, err := ReadInfo(s.State)
	require.NoError(t, err)
	fromFile, err := info.Keyring()
	require.NoError(t, err)
	assert.Equal(t, s.Ring.IDs(), fromFile.IDs(), "stack.json holds the keyring the links verify with")
	claims, err := link.Verify(raw, s.Ring, time.Now())
	require.NoError(t, err, raw)
	assert.Equal(t, s.UserPoolID, claims.UserPool)
	_, err = link.Verify(raw, keys.Development(), time.Now())
	assert.ErrorIs(t, err, link.ErrUnknownKey)
}

// Each start has a keyring of its own.
func TestEachStartHasItsOwnKeyring(t *testing.T) {
	a, b := keys.Random(), keys.Random()
	assert.NotEqual(t, a, b)
	info := Info{SigningKeys: a}
	ring, err := info.Keyring()
	require.NoError(t, err)
	assert.False(t, keys.IsDevelopment(ring))
}
