package event_test

import (
	"testing"

	"github.com/cogmail/cogmail/lambda/event"
)

func seeds(f *testing.F) {
	for _, payload := range recorded(f) {
		f.Add(payload)
	}
	for _, payload := range oddPayloads {
		f.Add([]byte(payload))
	}
	for _, payload := range []string{``, `null`, `[]`, `{`, `{"a":1}{`, "\x00", `"x"`} {
		f.Add([]byte(payload))
	}
}

// FuzzParse: any bytes; Parse never panics, and reads what encoding/json
// reads as an object exactly as encoding/json does.
func FuzzParse(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		checkEquivalent(t, payload)
	})
}

// FuzzWithResponse: the answer to any event is valid JSON that decodes as
// the event with only the response's three fields set.
func FuzzWithResponse(f *testing.F) {
	for _, payload := range recorded(f) {
		f.Add(payload, testResponse.EmailSubject, testResponse.EmailMessage, testResponse.SMSMessage)
	}
	for _, payload := range oddPayloads {
		f.Add([]byte(payload), "\xff", "\u2028<&>", "\x00\"\\")
	}
	f.Fuzz(func(t *testing.T, payload []byte, subject, message, sms string) {
		if _, err := event.Parse(payload); err != nil {
			return
		}
		checkResponse(t, payload, event.Response{EmailSubject: subject, EmailMessage: message, SMSMessage: sms})
	})
}
