package page_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
)

// NotAuthorizedException where no user earns one (ForgotPassword,
// ResendConfirmationCode, ConfirmForgotPassword) is most likely a wrong
// client secret, which fails every reset alike: it is logged at WARN, with
// its code only. Where users do earn it (ConfirmSignUp: already confirmed;
// InitiateAuth: a wrong temporary password) it stays at INFO.
func TestNotAuthorizedLogLevel(t *testing.T) {
	tests := []struct {
		name, op, outcome, level string
		act                      func(e *env)
	}{
		{"case=resend-reset", "ForgotPassword", "resend-failed", "WARN", func(e *env) {
			e.post("/resend", e.resendForm(e.link(linkOpts{locale: "en", expires: testNow.Add(-time.Minute)})))
			e.runLater()
		}},
		{"case=resend-confirmation", "ResendConfirmationCode", "resend-failed", "WARN", func(e *env) {
			e.post("/resend", e.resendForm(e.link(linkOpts{purpose: link.PurposeVerify, locale: "en", expires: testNow.Add(-time.Minute)})))
			e.runLater()
		}},
		{"case=reset", "ConfirmForgotPassword", "cognito-refused", "WARN", func(e *env) {
			e.submit(e.link(linkOpts{locale: "en"}), "password", testPassword, "repeat", testPassword)
		}},
		{"case=confirmation-already-confirmed", "ConfirmSignUp", "cognito-refused", "INFO", func(e *env) {
			e.submit(e.link(linkOpts{purpose: link.PurposeVerify, locale: "en"}))
		}},
		{"case=activation-wrong-temporary", "InitiateAuth", "activation-refused", "INFO", func(e *env) {
			e.submit(e.link(linkOpts{purpose: link.PurposeInvite, locale: "en"}), "temporary", testTemp, "password", testPassword, "repeat", testPassword)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.cognito.errs[tt.op] = &types.NotAuthorizedException{Message: new("Unable to verify secret hash for client client-default")}
			tt.act(e)
			require.Equal(t, []string{tt.op}, e.cognito.Calls())
			logs := e.logs.String()
			assert.Equal(t, tt.level, logLevel(t, logs, tt.outcome, "NotAuthorizedException"), logs)
			assert.NotContains(t, logs, "secret hash", "the code only, never the message")
			assert.NotContains(t, logs, testUser)
		})
	}
}

// logLevel is the level of the log line with outcome and code ("" if none).
func logLevel(t *testing.T, logs, outcome, code string) string {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var entry struct{ Level, Outcome, Code string }
		require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
		if entry.Outcome == outcome && entry.Code == code {
			return entry.Level
		}
	}
	return ""
}
