package trigger

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Only messages to an address Cognito verified (reset) or an administrator
// set (invitation) may carry what users write about themselves: anyone can
// sign up, ask for a code or change an attribute with a stranger's address.
func TestProvenDestination(t *testing.T) {
	want := map[Kind]bool{Reset: true, Invite: true, SignUp: false, Resend: false, Update: false, Verify: false, MFA: false,
		// The notifier sends notices only to a verified address.
		Recovered: true, Changed: true, AdminSet: true, AdminReset: true, Welcome: true, Takeover: true}
	for _, k := range append(append([]Kind(nil), Kinds...), Notices...) {
		t.Run("case="+string(k), func(t *testing.T) {
			proven, listed := want[k]
			assert.True(t, listed, "decide whether %s goes to a proven destination, and add it here", k)
			assert.Equal(t, proven, k.ProvenDestination())
		})
	}
	assert.False(t, Kind("nope").ProvenDestination(), "an unknown kind is never trusted")
}
