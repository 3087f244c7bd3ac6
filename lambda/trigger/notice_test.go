package trigger

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNotices(t *testing.T) {
	tests := []struct {
		kind               Kind
		notice, reportable bool
		source             string // the Post confirmation source that asks for it, if any
	}{
		{Recovered, true, true, "PostConfirmation_ConfirmForgotPassword"},
		{Changed, true, true, ""},
		{AdminSet, true, true, ""},
		{AdminReset, true, false, ""}, // no password changed: a reset email follows
		{Welcome, true, false, "PostConfirmation_ConfirmSignUp"},
		{Takeover, true, true, ""}, // an unusual sign-in: the reader may not have made it
		{Reset, false, false, ""},
		{Invite, false, false, ""},
		{Kind("nope"), false, false, ""},
	}
	for _, tt := range tests {
		t.Run("case="+string(tt.kind), func(t *testing.T) {
			assert.Equal(t, tt.notice, tt.kind.Notice())
			assert.Equal(t, tt.reportable, tt.kind.Reportable())
			if tt.notice {
				assert.False(t, tt.kind.Valid(), "Valid means a Custom Message kind")
				assert.Empty(t, tt.kind.Source(), "Cognito's Custom Message trigger never asks for a notice")
				assert.Contains(t, Notices, tt.kind)
				assert.NotContains(t, Kinds, tt.kind)
			}
			if tt.source != "" {
				got, ok := NoticeOf(tt.source)
				assert.True(t, ok)
				assert.Equal(t, tt.kind, got)
				_, ok = Of(tt.source)
				assert.False(t, ok, "a Post confirmation source is no Custom Message")
			}
		})
	}
}

func TestNoticeOf(t *testing.T) {
	for _, source := range []string{"", "CustomMessage_ForgotPassword", "PostConfirmation_ConfirmForgotPasswordX", "PreSignUp_SignUp"} {
		t.Run("case="+source, func(t *testing.T) {
			_, ok := NoticeOf(source)
			assert.False(t, ok)
		})
	}
	seen := map[Kind]bool{}
	for _, k := range Notices {
		assert.False(t, seen[k], "listed once: %s", k)
		seen[k] = true
	}
	assert.Len(t, seen, 6)
}
