package gate

import (
	"os"
	"testing"
)

func BenchmarkCheck(b *testing.B) {
	body, err := os.ReadFile("../../events/golden/forgot-password.html")
	if err != nil {
		b.Fatal(err)
	}
	m := Message{TriggerSource: "CustomMessage_ForgotPassword", CodeParameter: "{####}",
		EmailSubject: "Reset your Example App password", EmailMessage: string(body),
		SMSMessage: "Example App password reset code: {####}"}
	b.ReportAllocs()
	for b.Loop() {
		if err := Check(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScans(b *testing.B) {
	body, _ := os.ReadFile("../../events/golden/forgot-password.html")
	s := string(body)
	b.Run("Length", func(b *testing.B) {
		for b.Loop() {
			Length(s)
		}
	})
	b.Run("pattern", func(b *testing.B) {
		for b.Loop() {
			firstOutsidePattern(s)
		}
	})
	b.Run("hrefs", func(b *testing.B) {
		for b.Loop() {
			eachHref(s, func(string) {})
		}
	})
}
