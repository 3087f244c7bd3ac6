package link_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cogmail/cogmail/lambda/link"
)

// A website's reset page receives the link from the email and asks its back
// end whether to show the new-password form.
func ExampleVerify() {
	// The back end holds the same keyring as the Lambda (in production, read
	// from Secrets Manager; never hard-coded like this example's).
	ring, err := link.ParseKeyring([]byte(`{"current":"2025-03","keys":{"2025-03":"q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80="}}`))
	if err != nil {
		panic(err)
	}

	// What cogmail wrote into the email; Cognito then replaced {####} with
	// the reset code.
	signed, err := link.Sign(link.Params{
		Base:     "https://app.example.com/reset",
		Mode:     link.ModeQuery,
		Purpose:  link.PurposeReset,
		Tenant:   "default",
		UserPool: "eu-west-1_Ab12Cd34E", // the event's userPoolId
		Username: "zoë@example.com",
		Locale:   "pl",
		Expires:  time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC),
		Code:     "{####}",
	}, ring)
	if err != nil {
		panic(err)
	}
	clicked := strings.Replace(signed, "{####}", "123456", 1)

	// The back end: verify, then check the link is meant for this page and
	// this tenant's user pool (a version-1 link, from before pools were
	// signed, names none).
	claims, err := link.Verify(clicked, ring, time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC))
	switch {
	case err != nil:
		fmt.Println("refused:", err)
	case claims.Purpose != link.PurposeReset:
		fmt.Println("refused: not a reset link")
	case claims.UserPool != "" && claims.UserPool != "eu-west-1_Ab12Cd34E":
		fmt.Println("refused: another user pool's link")
	default:
		// The code is not signed: pass it to ConfirmForgotPassword and let
		// Cognito judge it.
		fmt.Printf("reset form for %s (tenant %s, pool %s, locale %s), code %s\n", claims.Username, claims.Tenant, claims.UserPool, claims.Locale, claims.Code)
	}

	// The same link an hour later.
	_, err = link.Verify(clicked, ring, time.Date(2025, 3, 14, 10, 30, 0, 0, time.UTC))
	fmt.Println("expired:", errors.Is(err, link.ErrExpired))

	// Output:
	// reset form for zoë@example.com (tenant default, pool eu-west-1_Ab12Cd34E, locale pl), code 123456
	// expired: true
}

// The Custom Email Sender function has the real code when it signs, and
// signs it too (version 3): a page can then tell a changed code from one
// Cognito refuses although cogmail sent it.
func ExampleVerify_signedCode() {
	ring, err := link.ParseKeyring([]byte(`{"current":"2025-03","keys":{"2025-03":"q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80="}}`))
	if err != nil {
		panic(err)
	}
	signed, err := link.Sign(link.Params{
		Base: "https://app.example.com/reset", Purpose: link.PurposeReset, Tenant: "default",
		UserPool: "eu-west-1_Ab12Cd34E", Username: "zoë@example.com", Locale: "pl",
		Expires: time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC),
		Code:    "482916", SignCode: true, // never for an invitation
	}, ring)
	if err != nil {
		panic(err)
	}
	at := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	for _, clicked := range []string{signed, strings.Replace(signed, "code=482916", "code=000000", 1)} {
		claims, err := link.Verify(clicked, ring, at)
		switch {
		case errors.Is(err, link.ErrCodeTampered):
			// Every field but the code is authentic: say so, and offer a
			// new email to the link's own user.
			fmt.Println("changed after it was sent; a new email for tenant", claims.Tenant, "in", claims.Locale)
		case err != nil:
			fmt.Println("refused:", err)
		default:
			// If Cognito refuses this code, it was used or a newer one sent.
			fmt.Println("version", claims.Version, "code signed:", claims.CodeSigned, "code", claims.Code)
		}
	}
	// Output:
	// version 3 code signed: true code 482916
	// changed after it was sent; a new email for tenant default in pl
}
