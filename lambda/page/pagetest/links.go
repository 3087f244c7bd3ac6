package pagetest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/cogmail/cogmail/lambda/link"
)

// Keyring returns a fresh random keyring and its JSON, for
// COGMAIL_SIGNING_KEYS (never the public development one: the page refuses
// it where it matters).
func Keyring(t testing.TB) (*link.Keyring, string) {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	text := fmt.Sprintf(`{"current":"t1","keys":{"t1":%q}}`, base64.StdEncoding.EncodeToString(key))
	ring, err := link.ParseKeyring([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return ring, text
}

// ResetLink signs a query-mode reset link of the default tenant and its
// pool in Config (a version-2 link, as cogmail signs them) for username, on
// base (the page's URL), expiring at expires.
func ResetLink(t testing.TB, ring *link.Keyring, base, username string, expires time.Time) string {
	t.Helper()
	raw, err := link.Sign(link.Params{Base: base + "/reset", Mode: link.ModeQuery, Purpose: link.PurposeReset,
		Tenant: "default", UserPool: Pool, Username: username, Locale: "en", Expires: expires, Code: "123456"}, ring)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// SignedResetLink is ResetLink with code signed (a version-3 link, as the
// Custom Email Sender function signs them).
func SignedResetLink(t testing.TB, ring *link.Keyring, base, username, code string, expires time.Time) string {
	t.Helper()
	raw, err := link.Sign(link.Params{Base: base + "/reset", Mode: link.ModeQuery, Purpose: link.PurposeReset,
		Tenant: "default", UserPool: Pool, Username: username, Locale: "en", Expires: expires, Code: code, SignCode: true}, ring)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// ReportLink signs a query-mode report link ("This wasn't me") of the
// default tenant and Pool for username, on base (the page's URL).
func ReportLink(t testing.TB, ring *link.Keyring, base, username string, expires time.Time) string {
	t.Helper()
	raw, err := link.Sign(link.Params{Base: base + "/report", Mode: link.ModeQuery, Purpose: link.PurposeReport,
		Tenant: "default", UserPool: Pool, Username: username, Locale: "en", Expires: expires}, ring)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Pool is the default tenant's user pool in Config, in the stand-in's region.
const Pool = "eu-west-1_Ab12Cd34E"

// Config is a page configuration for the default tenant, of Pool.
const Config = `{"tenants":{"default":{"userPoolId":"` + Pool + `","clientId":"standinclient",` +
	`"signInUrl":"https://app.example.com/sign-in"}}}`
