package handler_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cogmail/cogmail/lambda/event"
	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/handler"
)

// checkAnswer fails when the handler panicked (it recovers, and logs it) or
// when an answer it changed does not pass the gate.
func checkAnswer(t *testing.T, h *handler.Handler, logs *bytes.Buffer, payload []byte) {
	t.Helper()
	logs.Reset()
	out, err := h.Invoke(t.Context(), payload)
	if err != nil {
		t.Fatalf("Invoke returned an error: %v", err)
	}
	if strings.Contains(logs.String(), `"error":"panic:`) {
		t.Fatalf("handler panicked: %s", logs.String())
	}
	if bytes.Equal(out, payload) {
		return
	}
	// The event's own fields may be of any type: read them as the handler
	// does, and only the response strictly.
	e, err := event.Parse(out)
	if err != nil {
		t.Fatalf("changed answer is not a JSON object: %v", err)
	}
	var resp struct {
		Response struct{ EmailSubject, EmailMessage, SMSMessage string } `json:"response"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response fields are not text: %v", err)
	}
	r := resp.Response
	msg := gate.Message{
		TriggerSource: e.TriggerSource, CodeParameter: e.CodeParameter, UsernameParameter: e.UsernameParameter,
		EmailSubject: r.EmailSubject, EmailMessage: r.EmailMessage, SMSMessage: r.SMSMessage,
	}
	if links := hrefs(r.EmailMessage); len(links) > 0 {
		msg.Link = links[0] // the button: the signed link, whose encoded username is data
	}
	if err := gate.Check(msg); err != nil {
		t.Fatalf("answer fails the gate: %v\n%s", err, out)
	}
}

// FuzzHandler feeds arbitrary bytes, seeded with every recorded event.
func FuzzHandler(f *testing.F) {
	for _, payload := range recorded(f) {
		f.Add(payload)
	}
	f.Add([]byte(`{"triggerSource":"CustomMessage_ForgotPassword","request":{"codeParameter":"{####}"}}`))
	f.Add([]byte(`[]`))
	h, logs := fixture(f, nil)
	f.Fuzz(func(t *testing.T, payload []byte) {
		checkAnswer(t, h, logs, payload)
	})
}

// FuzzEventFields varies the fields that decide what is rendered, inside a
// well-formed event, where random bytes rarely reach.
func FuzzEventFields(f *testing.F) {
	f.Add(handler.ForgotPassword, "{####}", "", "ana", "Ana", "en")
	f.Add(handler.AdminCreateUser, "{####}", "{username}", "ana.silva", "<b>Ana</b>", "pt-BR")
	f.Add(handler.ForgotPassword, "####", "", "a b+c@d", "\u00a0\u200d\u202e", "xx")
	f.Add(handler.AdminCreateUser, "{##\"##}", "{user&name}", "", strings.Repeat("é", 5000), "")
	h, logs := fixture(f, nil)
	f.Fuzz(func(t *testing.T, trigger, code, usernameParam, userName, givenName, locale string) {
		payload, err := json.Marshal(map[string]any{
			"version": "1", "region": "eu-west-1", "userPoolId": "eu-west-1_Ab12Cd34E",
			"userName": userName, "triggerSource": trigger,
			"callerContext": map[string]any{"clientId": "client"},
			"request": map[string]any{
				"userAttributes":    map[string]any{"given_name": givenName},
				"codeParameter":     code,
				"usernameParameter": usernameParam,
				"clientMetadata":    map[string]any{"locale": locale},
			},
			"response": map[string]any{"emailSubject": nil, "emailMessage": nil, "smsMessage": nil},
		})
		if err != nil {
			return // not valid UTF-8 text for JSON; Cognito never sends it
		}
		checkAnswer(t, h, logs, payload)
	})
}
