package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
)

// A sign-up in the Custom Email Sender mode: the sender's confirmation
// email, in the language the app asked for, its code read back from the
// text part and accepted by cognito-local, either typed into the app
// (ConfirmSignUp) or through the page the email's signed link (format 3)
// leads to; then the user signs in.
func TestE2ESenderSignUp(t *testing.T) {
	s := sending(t)
	for _, tc := range []struct {
		lang, dir string
		byPage    bool
	}{
		{"en", "ltr", true},
		{"en", "ltr", false},
		{"de", "ltr", true},
		{"de", "ltr", false},
	} {
		how := map[bool]string{true: "page", false: "app"}[tc.byPage]
		t.Run("case="+tc.lang+"/"+how, func(t *testing.T) {
			email, password := "sender.signup."+tc.lang+"."+how+"@example.com", "Sender-Signup-"+tc.lang+"-1!"
			msg := senderSignUp(t, s, email, password, tc.lang)
			code := codeIn(t, msg)
			// Without a tenant attribute, the default tenant's.
			assertSent(t, s, msg, "signup", "default", tc.lang, tc.dir, code)

			raw := firstLink(t, msg.HTML)
			require.True(t, strings.HasPrefix(raw, s.Links.Confirm+"?"), raw)
			claims, err := link.Verify(raw, s.Ring, timeNow())
			require.NoError(t, err)
			assert.Equal(t, link.PurposeVerify, claims.Purpose)
			assert.True(t, claims.CodeSigned, "a version-3 link")
			assert.Equal(t, code, claims.Code)
			assert.Equal(t, tc.lang, claims.Locale)
			assert.Equal(t, types.UserStatusTypeUnconfirmed, userStatus(t, s, claims.Username))

			if tc.byPage {
				b := newBrowser(t)
				opened := b.get(raw)
				require.Equal(t, http.StatusOK, opened.status, opened.body)
				assert.Contains(t, opened.body, `<html lang="`+tc.lang+`"`)
				action, form := opened.form(t, raw)
				done := b.post(action, form)
				require.Equal(t, http.StatusOK, done.status, done.body)
			} else {
				_, err := cognito(s).ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{ClientId: aws.String(s.Clients.Public.ID),
					Username: aws.String(email), ConfirmationCode: aws.String(code)})
				require.NoError(t, err, "cognito-local accepts the code the sender wrote")
			}
			assert.Equal(t, types.UserStatusTypeConfirmed, userStatus(t, s, claims.Username))
			require.NoError(t, signIn(t, s, s.Clients.Public, email, password))
		})
	}
}
