package event_test

import (
	"os"
	"testing"

	"github.com/cogmail/cogmail/lambda/event"
)

func benchPayload(b *testing.B) []byte {
	b.Helper()
	payload, err := os.ReadFile("../../events/forgot-password.json")
	if err != nil {
		b.Fatal(err)
	}
	return payload
}

func BenchmarkParse(b *testing.B) {
	payload := benchPayload(b)
	b.ReportAllocs()
	for b.Loop() {
		e, err := event.Parse(payload)
		if err != nil || e.Attribute("email") == "" || e.Metadata("locale") == "" {
			b.Fatal("parse", err)
		}
	}
}

func BenchmarkWithResponse(b *testing.B) {
	payload := benchPayload(b)
	e, err := event.Parse(payload)
	if err != nil {
		b.Fatal(err)
	}
	r := event.Response{
		EmailSubject: "Reset your password",
		EmailMessage: `<p>Hello Ana,</p><p>Your code is {####}.</p><a href="https://app.example.com/reset?u=d2f4a6c8&c={####}">Reset</a>`,
		SMSMessage:   "Your code is {####}",
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.WithResponse(r); err != nil {
			b.Fatal(err)
		}
	}
}
