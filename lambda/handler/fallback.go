package handler

import (
	"html"

	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// minimal is the email sent when the rich one cannot be produced: plain
// English, no template, no catalog, so nothing it depends on can be missing.
// It still carries the code, and the link when one was signed.
//
// The placeholders are escaped like any text: a real one ({####}) is
// unchanged by it, and a hostile one then fails the gate's placeholder check
// instead of reaching the body as markup.
func minimal(kind trigger.Kind, code, username, signed string) render.Email {
	htmlCode, htmlUser := html.EscapeString(code), html.EscapeString(username)
	linkHTML := ""
	if signed != "" {
		linkHTML = `<p><a href="` + html.EscapeString(signed) + `">` + html.EscapeString(signed) + `</a></p>`
	}
	const open, end = `<!DOCTYPE html><html lang="en" dir="ltr"><body>`, `</body></html>`
	switch kind {
	case trigger.Invite:
		return render.Email{
			Subject: "Your new account",
			HTML: open + `<p>An account has been created for you.</p>` +
				`<p>Username:</p><textarea readonly rows="1">` + htmlUser + `</textarea>` +
				`<p>Temporary password:</p><textarea readonly rows="1">` + htmlCode + `</textarea>` +
				linkHTML + end,
			SMS: "Username: " + username + " Temporary password: " + code,
		}
	case trigger.Reset:
		return render.Email{
			Subject: "Reset your password",
			HTML: open + linkHTML + `<p>Your password reset code: ` + htmlCode + `</p>` +
				`<p>If you did not ask to reset your password, ignore this email.</p>` + end,
			SMS: "Password reset code: " + code,
		}
	}
	return render.Email{
		Subject: "Your verification code",
		HTML:    open + linkHTML + `<p>Your verification code: ` + htmlCode + `</p>` + end,
		SMS:     "Verification code: " + code,
	}
}
