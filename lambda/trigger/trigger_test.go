package trigger

import (
	"testing"

	"github.com/stretchr/testify/assert"

	_ "github.com/cogmail/cogmail/lambda/dev/golden"
)

func TestEveryKindHasOneSource(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kinds {
		s := k.Source()
		assert.NotEmpty(t, s, k)
		assert.False(t, seen[s], s)
		seen[s] = true
		got, ok := Of(s)
		assert.True(t, ok)
		assert.Equal(t, k, got)
		assert.True(t, k.Valid())
	}
	_, ok := Of("PreSignUp_SignUp")
	assert.False(t, ok)
	assert.False(t, Kind("nope").Valid())
	assert.True(t, Invite.NeedsUsername())
	assert.False(t, Reset.NeedsUsername())
}
