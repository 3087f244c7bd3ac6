package handler

import (
	"html"

	"github.com/cogmail/cogmail/lambda/render"
)

// minimal is the email sent when the rich one cannot be produced: plain
// English, no template, no catalog, so nothing it depends on can be missing.
// It still carries the code, and the link when one was signed.
//
// The placeholders are escaped like any text: a real one ({####}) is
// unchanged by it, and a hostile one then fails the gate's placeholder check
// instead of reaching the body as markup.
func minimal(trigger, code, username, signed string) render.Email {
	smsCode, smsUser := code, username
	code, username = html.EscapeString(code), html.EscapeString(username)
	linkHTML := ""
	if signed != "" {
		linkHTML = `<p><a href="` + html.EscapeString(signed) + `">` + html.EscapeString(signed) + `</a></p>`
	}
	if trigger == AdminCreateUser {
		return render.Email{
			Subject: "Your new account",
			HTML: `<!DOCTYPE html><html lang="en" dir="ltr"><body>` +
				`<p>An account has been created for you.</p>` +
				`<p>Username:</p><textarea readonly rows="1">` + username + `</textarea>` +
				`<p>Temporary password:</p><textarea readonly rows="1">` + code + `</textarea>` +
				linkHTML + `</body></html>`,
			SMS: "Username: " + smsUser + " Temporary password: " + smsCode,
		}
	}
	return render.Email{
		Subject: "Reset your password",
		HTML: `<!DOCTYPE html><html lang="en" dir="ltr"><body>` + linkHTML +
			`<p>Your password reset code: ` + code + `</p>` +
			`<p>If you did not ask to reset your password, ignore this email.</p></body></html>`,
		SMS: "Password reset code: " + smsCode,
	}
}
