package link

import (
	"testing"
	"time"
)

func BenchmarkSign(b *testing.B) {
	ring, err := ParseKeyring([]byte(`{"current":"k1","keys":{"k1":"Y29nbWFpbC1kZXZlbG9wbWVudC1rZXktTk9ULUEtU0VDUkVULTAx"}}`))
	if err != nil {
		b.Fatal(err)
	}
	p := Params{Base: "https://app.example.com/reset-password", Purpose: PurposeReset, Tenant: "default", UserPool: "eu-west-1_Ab12Cd34E",
		Username: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f", Locale: "en", Expires: time.Unix(1768473000, 0), Code: "{####}"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(p, ring); err != nil {
			b.Fatal(err)
		}
	}
}
