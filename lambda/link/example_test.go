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
