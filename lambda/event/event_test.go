package event_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/event"
)

// forgotPassword is a ForgotPassword event as the Cognito developer guide
// documents it: response fields null, usernameParameter null.
const forgotPassword = `{
  "version": "1",
  "region": "eu-west-1",
  "userPoolId": "eu-west-1_Ab12Cd34E",
  "userName": "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f",
  "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "5k2m9q4t7w1z3c6f8h0j2n4p6r"},
  "triggerSource": "CustomMessage_ForgotPassword",
  "request": {
    "userAttributes": {
      "sub": "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f",
      "email_verified": "true",
      "cognito:user_status": "CONFIRMED",
      "email": "ana.silva@example.com"
    },
    "codeParameter": "{####}",
    "linkParameter": "{##Click Here##}",
    "usernameParameter": null,
    "clientMetadata": {"locale": "pt-BR"}
  },
  "response": {"smsMessage": null, "emailMessage": null, "emailSubject": null}
}`

func TestParseDocumentedEvent(t *testing.T) {
	e, err := event.Parse([]byte(forgotPassword))
	require.NoError(t, err)
	assert.Equal(t, "CustomMessage_ForgotPassword", e.TriggerSource)
	assert.Equal(t, "eu-west-1_Ab12Cd34E", e.UserPoolID)
	assert.Equal(t, "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f", e.UserName)
	assert.Equal(t, "5k2m9q4t7w1z3c6f8h0j2n4p6r", e.ClientID)
	assert.Equal(t, "{####}", e.CodeParameter)
	assert.Equal(t, "", e.UsernameParameter)
	for name, want := range map[string]string{
		"sub":                 "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f",
		"email_verified":      "true",
		"cognito:user_status": "CONFIRMED",
		"email":               "ana.silva@example.com",
		"given_name":          "", // absent
	} {
		assert.Equal(t, want, e.Attribute(name), name)
	}
	assert.Equal(t, "pt-BR", e.Metadata("locale"))
	assert.Equal(t, "", e.Metadata("email"), "metadata is not attributes")
	assert.Equal(t, "", e.Attribute("locale"), "attributes are not metadata")
}

func TestParseDefensively(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    event.Event // compared field by field
		attrs   map[string]string
		meta    map[string]string
	}{
		{"case=numeric version, boolean and numeric attributes",
			`{"version":1,"triggerSource":"CustomMessage_SignUp","request":{"codeParameter":"{####}","userAttributes":{"email_verified":true,"phone_number_verified":false,"custom:seats":42,"custom:ratio":-1.5e3,"custom:obj":{"a":1},"custom:list":[1],"custom:null":null}}}`,
			event.Event{TriggerSource: "CustomMessage_SignUp", CodeParameter: "{####}"}, map[string]string{
				"email_verified": "true", "phone_number_verified": "false", "custom:seats": "42", "custom:ratio": "-1.5e3",
				"custom:obj": "", "custom:list": "", "custom:null": "",
			}, nil},
		{"case=username parameter null",
			`{"request":{"codeParameter":"{####}","usernameParameter":null}}`,
			event.Event{CodeParameter: "{####}"}, nil, nil},
		{"case=username parameter set",
			`{"triggerSource":"CustomMessage_AdminCreateUser","request":{"codeParameter":"{####}","usernameParameter":"{username}"}}`,
			event.Event{TriggerSource: "CustomMessage_AdminCreateUser", CodeParameter: "{####}", UsernameParameter: "{username}"}, nil, nil},
		{"case=request null", `{"userName":"u","request":null}`, event.Event{UserName: "u"}, nil, nil},
		{"case=request missing", `{"userName":"u"}`, event.Event{UserName: "u"}, nil, nil},
		{"case=request not an object", `{"userName":"u","request":"x"}`, event.Event{UserName: "u"}, nil, nil},
		{"case=user attributes missing", `{"request":{"codeParameter":"{####}"}}`, event.Event{CodeParameter: "{####}"}, nil, nil},
		{"case=user attributes null", `{"request":{"userAttributes":null,"clientMetadata":null}}`, event.Event{}, nil, nil},
		{"case=caller context missing", `{"userPoolId":"p"}`, event.Event{UserPoolID: "p"}, nil, nil},
		{"case=caller context null", `{"userPoolId":"p","callerContext":null}`, event.Event{UserPoolID: "p"}, nil, nil},
		{"case=code parameter missing", `{"request":{"userAttributes":{"sub":"s"}}}`, event.Event{}, map[string]string{"sub": "s"}, nil},
		{"case=fields of the wrong type", `{"triggerSource":["x"],"userName":{},"callerContext":[]}`, event.Event{}, nil, nil},
		// A number is no placeholder Cognito would substitute.
		{"case=placeholders not strings", `{"request":{"codeParameter":7,"usernameParameter":true}}`, event.Event{}, nil, nil},
		{"case=empty object", `{}`, event.Event{}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e *event.Event
			require.NotPanics(t, func() {
				var err error
				e, err = event.Parse([]byte(tc.payload))
				require.NoError(t, err)
			})
			assert.Equal(t, tc.want.TriggerSource, e.TriggerSource)
			assert.Equal(t, tc.want.UserPoolID, e.UserPoolID)
			assert.Equal(t, tc.want.UserName, e.UserName)
			assert.Equal(t, tc.want.ClientID, e.ClientID)
			assert.Equal(t, tc.want.CodeParameter, e.CodeParameter)
			assert.Equal(t, tc.want.UsernameParameter, e.UsernameParameter)
			for name, want := range tc.attrs {
				assert.Equal(t, want, e.Attribute(name), "attribute %s", name)
			}
			for name, want := range tc.meta {
				assert.Equal(t, want, e.Metadata(name), "metadata %s", name)
			}
			assert.Equal(t, "", e.Attribute("absent"))
			assert.Equal(t, "", e.Metadata("absent"))
		})
	}
}

func TestParseRejectsNonObjects(t *testing.T) {
	for _, payload := range []string{`null`, `[]`, `"x"`, `42`, `true`, ``, `{`, `{"a":1}{`, "\x00"} {
		t.Run("case="+payload, func(t *testing.T) {
			require.NotPanics(t, func() {
				e, err := event.Parse([]byte(payload))
				assert.Error(t, err)
				assert.Nil(t, e)
			})
		})
	}
	for _, payload := range []string{`null`, `[]`, `"x"`, `42`, `true`, " \n[ {} ]\t"} {
		t.Run("case=valid but not an object: "+payload, func(t *testing.T) {
			_, err := event.Parse([]byte(payload))
			assert.ErrorIs(t, err, event.ErrNotAnObject)
		})
	}
	for _, payload := range []string{``, `{`, `{"a":1}{`, "\x00", `{"a":01}`} {
		t.Run("case=invalid JSON: "+payload, func(t *testing.T) {
			_, err := event.Parse([]byte(payload))
			var syntax *json.SyntaxError
			assert.ErrorAs(t, err, &syntax)
			assert.NotErrorIs(t, err, event.ErrNotAnObject)
		})
	}
}

// tree decodes JSON keeping numbers exact, for comparing documents whatever
// their key order and spacing.
func tree(t *testing.T, data []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v map[string]any
	require.NoError(t, dec.Decode(&v), "%s", data)
	require.False(t, dec.More(), "one JSON value")
	return v
}

func TestWithResponseKeepsEveryOtherField(t *testing.T) {
	tests := map[string]string{
		"documented event, response null fields": forgotPassword,
		"cognito-local, response empty strings": `{"version":"0","region":"local","userPoolId":"local_4Hk9TzQ2",
			"callerContext":{"awsSdkVersion":"2.1693.0","clientId":"CLIENT_ID_NOT_APPLICABLE"},
			"triggerSource":"CustomMessage_AdminCreateUser","userName":"ana",
			"request":{"codeParameter":"{####}","usernameParameter":"{username}","userAttributes":{"email":"a@example.com"}},
			"response":{"smsMessage":"","emailMessage":"","emailSubject":""}}`,
		"unknown fields at every level": `{"version":1,"futureTop":{"nested":[1,2.50,{"x":null}],"big":123456789012345678901234567890},
			"callerContext":{"clientId":"c","futureCaller":true},
			"request":{"codeParameter":"{####}","linkParameter":"{##Click Here##}","usernameParameter":null,
				"userAttributes":{"email_verified":true,"custom:n":1e400},"futureRequest":"<b>&amp;</b>"},
			"response":{"emailMessage":null,"futureResponse":"keep me"}}`,
		"response missing":         `{"triggerSource":"CustomMessage_ForgotPassword","request":{"codeParameter":"{####}"}}`,
		"response null":            `{"triggerSource":"CustomMessage_ForgotPassword","response":null}`,
		"response a string":        `{"response":"odd"}`,
		"unicode and escapes kept": `{"userName":"zo\u00eb \u674e \ud83d\ude00","request":{"userAttributes":{"name":"a\"b\\c\/d\n"}}}`,
	}
	r := event.Response{
		EmailSubject: "Reset your password",
		EmailMessage: `<p>Code {####}</p><a href="https://app.example.com/reset?a=1&b=2">Reset</a>`,
		SMSMessage:   "Code {####} & more",
	}
	for name, payload := range tests {
		t.Run("case="+name, func(t *testing.T) {
			e, err := event.Parse([]byte(payload))
			require.NoError(t, err)
			out, err := e.WithResponse(r)
			require.NoError(t, err)

			want := tree(t, []byte(payload))
			response, _ := want["response"].(map[string]any)
			if response == nil {
				response = map[string]any{}
			}
			response["emailSubject"], response["emailMessage"], response["smsMessage"] = r.EmailSubject, r.EmailMessage, r.SMSMessage
			want["response"] = response
			assert.Equal(t, want, tree(t, out))
		})
	}
}

func TestWithResponseWritesHTMLUnescaped(t *testing.T) {
	e, err := event.Parse([]byte(`{"request":{"futureField":"<i>&</i>"},"response":null}`))
	require.NoError(t, err)
	out, err := e.WithResponse(event.Response{
		EmailSubject: "Q&A",
		EmailMessage: `<a href="https://x.example/?a=1&b=2">go</a>`,
		SMSMessage:   "1 < 2 > 0",
	})
	require.NoError(t, err)
	s := string(out)
	for _, escaped := range []string{`\u003c`, `\u003e`, `\u0026`} {
		assert.NotContains(t, s, escaped)
	}
	for _, literal := range []string{`"Q&A"`, `"<a href=\"https://x.example/?a=1&b=2\">go</a>"`, `"1 < 2 > 0"`, `"<i>&</i>"`} {
		assert.Contains(t, s, literal)
	}
	assert.False(t, strings.HasSuffix(s, "\n"), "no trailing newline")
	assert.True(t, json.Valid(out))
}

func TestWithResponseDoesNotChangeTheEvent(t *testing.T) {
	e, err := event.Parse([]byte(forgotPassword))
	require.NoError(t, err)
	first, err := e.WithResponse(event.Response{EmailSubject: "one", EmailMessage: "{####}", SMSMessage: "{####}"})
	require.NoError(t, err)
	second, err := e.WithResponse(event.Response{EmailSubject: "two", EmailMessage: "{####}", SMSMessage: "{####}"})
	require.NoError(t, err)
	assert.Equal(t, "one", tree(t, first)["response"].(map[string]any)["emailSubject"])
	assert.Equal(t, "two", tree(t, second)["response"].(map[string]any)["emailSubject"])
}
