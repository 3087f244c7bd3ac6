package sender

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cogmail/cogmail/lambda/trigger"
)

func TestDecode(t *testing.T) {
	event := func(source, code string, attrs string) []byte {
		return []byte(`{"triggerSource":"` + source + `","userPoolId":"eu-west-1_Ab12Cd34E","userName":"u-1",
			"callerContext":{"clientId":"c-1"},"request":{"code":` + code + `,"clientMetadata":{"locale":"de"},"userAttributes":{` + attrs + `}}}`)
	}
	t.Run("case=every source", func(t *testing.T) {
		for source, kind := range map[string]trigger.Kind{
			"SignUp": trigger.SignUp, "ResendCode": trigger.Resend, "ForgotPassword": trigger.Reset,
			"UpdateUserAttribute": trigger.Update, "VerifyUserAttribute": trigger.Verify,
			"AdminCreateUser": trigger.Invite, "Authentication": trigger.MFA,
		} {
			in := decode(event(Prefix+source, `"Y3Q="`, `"email":"a@example.com","email_verified":true`), "custom:tenant_id")
			assert.Empty(t, in.reason, source)
			assert.Equal(t, kind, in.kind, source)
			assert.Equal(t, "Y3Q=", in.ciphertext)
			assert.Equal(t, "de", in.locale)
			assert.Equal(t, "true", in.attrs["email_verified"], "a boolean attribute read as Cognito's string")
		}
	})
	for _, c := range []struct{ name, payload, reason string }{
		{"not an object", `[1]`, "event is not a JSON object"},
		{"unknown source", string(event("CustomEmailSender_Telepathy", `"Y3Q="`, "")), "trigger source not served"},
		{"a Custom Message event", string(event("CustomMessage_ForgotPassword", `"Y3Q="`, "")), "trigger source not served"},
		{"null code", string(event(Prefix+"ForgotPassword", `null`, "")), "event has no code"},
		{"a code of another type", string(event(Prefix+"ForgotPassword", `42`, "")), "event has no code"},
		{"no pool", strings.Replace(string(event(Prefix+"ForgotPassword", `"Y3Q="`, "")), "eu-west-1_Ab12Cd34E", "", 1), "event has no userPoolId"},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			assert.Equal(t, c.reason, decode([]byte(c.payload), "custom:tenant_id").reason)
		})
	}
	t.Run("case=takeover: no code, the sign-in time read", func(t *testing.T) {
		in := decode(event(Prefix+"AccountTakeOverNotification", "null", `"EVENT_ID":"e-1","LOGIN_TIME":"Friday, March 19, 2021 02:25 PM UTC"`), "custom:tenant_id")
		assert.Empty(t, in.reason)
		assert.Equal(t, time.Date(2021, 3, 19, 14, 25, 0, 0, time.UTC), in.when.UTC())
	})
}

// The claim's key: one per ciphertext (every encryption is new), never the
// code; the takeover notice's by its EVENT_ID.
func TestID(t *testing.T) {
	base := input{pool: "eu-west-1_Ab12Cd34E", username: "u-1", source: Prefix + "ForgotPassword", ciphertext: "Y3Q=", code: "482913"}
	id := base.id()
	assert.True(t, strings.HasPrefix(id, "ces#"))
	assert.Len(t, id, len("ces#")+64)
	assert.NotContains(t, id, "Y3Q=")
	for _, change := range []func(*input){
		func(in *input) { in.pool = "eu-west-1_Zz99Yy88X" },
		func(in *input) { in.username = "u-2" },
		func(in *input) { in.source = Prefix + "SignUp" },
		func(in *input) { in.ciphertext = "Y3R=" },
	} {
		other := base
		change(&other)
		assert.NotEqual(t, id, other.id())
	}
	same := base
	same.code = "other"
	assert.Equal(t, id, same.id(), "the code is not part of it")

	takeover := input{pool: base.pool, username: "u-1", source: Prefix + "AccountTakeOverNotification", attrs: map[string]string{attrEventID: "e-1"}}
	assert.NotEmpty(t, takeover.id())
	takeover.attrs = map[string]string{}
	assert.Empty(t, takeover.id(), "nothing to claim it by")
}

func TestUnescapeInvitation(t *testing.T) {
	for in, want := range map[string]string{
		"Tmp&lt;7x&gt;Pq2!": "Tmp<7x>Pq2!",
		"a&amp;lt;b":        "a&lt;b", // once
		"plain-Pass1":       "plain-Pass1",
		"&quot;":            "&quot;", // not escaped by Cognito
	} {
		assert.Equal(t, want, unescapeInvitation.Replace(in))
	}
}

func TestSignInName(t *testing.T) {
	attrs := map[string]string{"sub": "d2f4", "email": "ana@example.com"}
	assert.Equal(t, "ana@example.com", signInName(input{username: "d2f4", attrs: attrs}), "a pool that signs in by email")
	assert.Equal(t, "ana", signInName(input{username: "ana", attrs: attrs}))
	assert.Equal(t, "d2f4", signInName(input{username: "d2f4", attrs: map[string]string{"sub": "d2f4"}}))
}
