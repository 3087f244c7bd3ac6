package trigger

import (
	"strings"
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

// Every Custom Message kind has its Custom Email Sender source, which asks
// for the same message; the sender's one source more is the takeover
// notice.
func TestSenderOf(t *testing.T) {
	tests := []struct {
		source string
		want   Kind
	}{
		{"CustomEmailSender_ForgotPassword", Reset},
		{"CustomEmailSender_AdminCreateUser", Invite},
		{"CustomEmailSender_SignUp", SignUp},
		{"CustomEmailSender_ResendCode", Resend},
		{"CustomEmailSender_UpdateUserAttribute", Update},
		{"CustomEmailSender_VerifyUserAttribute", Verify},
		{"CustomEmailSender_Authentication", MFA},
		{"CustomEmailSender_AccountTakeOverNotification", Takeover},
	}
	covered := map[Kind]bool{}
	for _, tt := range tests {
		t.Run("case="+tt.source, func(t *testing.T) {
			got, ok := SenderOf(tt.source)
			assert.True(t, ok)
			assert.Equal(t, tt.want, got)
			_, ok = Of(tt.source)
			assert.False(t, ok, "a sender source is no Custom Message")
			if tt.want.Valid() {
				assert.Equal(t, "CustomMessage_"+strings.TrimPrefix(tt.source, "CustomEmailSender_"), tt.want.Source(),
					"the same message as the Custom Message source of the same name")
			}
		})
		covered[tt.want] = true
	}
	for _, k := range Kinds {
		assert.True(t, covered[k], "every Custom Message kind has a sender source: %s", k)
	}
	for _, source := range []string{"", "CustomMessage_ForgotPassword", "CustomEmailSender_forgotpassword",
		"CustomEmailSender_ForgotPasswordX", "CustomSMSSender_ForgotPassword"} {
		t.Run("case=not a sender source "+source, func(t *testing.T) {
			_, ok := SenderOf(source)
			assert.False(t, ok)
		})
	}
}
