package handler

import (
	"errors"
	"html"
	"strings"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// minimal is the email sent when the rich one cannot be produced: plain
// English, no template, no catalog, so nothing it depends on can be missing.
// It still carries the code, and the link when one was signed. It greets
// nobody by name.
//
// The placeholders are escaped like any text: a real one ({####}) is
// unchanged by it, and a hostile one then fails the gate's placeholder check
// instead of reaching the body as markup.
//
// unfit is the event's userName when it would not read back in a field
// (fitsField), else "": the invitation then shows it as text cogmail
// escaped, and the username placeholder Cognito requires stands in an
// attribute the username cannot end.
func minimal(kind trigger.Kind, code, username, unfit, signed string) (render.Email, error) {
	htmlCode, htmlUser := html.EscapeString(code), html.EscapeString(username)
	linkHTML := ""
	if signed != "" {
		linkHTML = `<p><a href="` + html.EscapeString(signed) + `">` + html.EscapeString(signed) + `</a></p>`
	}
	const open, end = `<!DOCTYPE html><html lang="en" dir="ltr"><body>`, `</body></html>`
	switch kind {
	case trigger.Invite:
		userHTML := `<p>Username:</p><textarea readonly rows="1">` + htmlUser + `</textarea>`
		if unfit != "" {
			var err error
			if userHTML, err = usernameAsText(code, username, unfit); err != nil {
				return render.Email{}, err
			}
		}
		return render.Email{
			Subject: "Your new account",
			HTML: open + `<p>An account has been created for you.</p>` + userHTML +
				`<p>Temporary password:</p><textarea readonly rows="1">` + htmlCode + `</textarea>` +
				linkHTML + `<p>If you did not expect this invitation, you can ignore this email.</p>` + end,
			SMS: "Username: " + username + " Temporary password: " + code,
		}, nil
	case trigger.Reset:
		return render.Email{
			Subject: "Reset your password",
			HTML: open + linkHTML + `<p>Your password reset code: ` + htmlCode + `</p>` + neverShare +
				`<p>If you did not ask to reset your password, ignore this email.</p>` + end,
			SMS: "Password reset code: " + code,
		}, nil
	}
	return render.Email{
		Subject: "Your verification code",
		HTML: open + linkHTML + `<p>Your verification code: ` + htmlCode + `</p>` + neverShare +
			`<p>If you did not ask for this code, ignore this email.</p>` + end,
		SMS: "Verification code: " + code,
	}, nil
}

// neverShare is code.never_share in English: the minimal email warns as
// the rich one does, in every message built around a code.
const neverShare = `<p>We will never ask you for this code. Do not share it with anyone.</p>`

// errUnfitUsername says why an invitation went out as the minimal email.
var errUnfitUsername = errors.New("the username would not read back in the invitation's field: it is written as text")

// fitsField reports whether username, substituted raw by Cognito, reads
// back exactly in the invitation's field: a <textarea>, and for Outlook for
// Windows a copy inside a conditional comment. It does not when it holds
// "</textarea" in any letter case (it ends the field), "-->" or "--!>"
// (they end the comment, in every client but Outlook, and what follows is
// markup), "<" before a letter, "/", "!" or "?" (markup in Outlook's copy),
// or a character reference such as "&amp;" or "&lt" (every parser decodes
// it). Unlike the temporary password, the username is known: the event's
// userName on AdminCreateUser.
func fitsField(username string) bool {
	if html.UnescapeString(username) != username ||
		strings.Contains(username, "-->") || strings.Contains(username, "--!>") {
		return false
	}
	for i := strings.IndexByte(username, '<'); i >= 0; {
		rest := username[i+1:]
		if rest != "" && (isASCIILetter(rest[0]) || strings.IndexByte("/!?", rest[0]) >= 0) {
			return false // covers "</textarea" in any case
		}
		j := strings.IndexByte(rest, '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// usernameAsText writes the label and the username as text cogmail escaped
// (left out if the text would carry a placeholder of its own), and the
// placeholder Cognito requires in a hidden element's attribute, quoted with
// a quote the username does not hold: nothing else ends an attribute
// value. A username holding both quotes leaves nowhere safe for it.
func usernameAsText(code, placeholder, username string) (string, error) {
	quote := `"`
	switch {
	case !strings.Contains(username, `"`):
	case !strings.Contains(username, `'`):
		quote = `'`
	default:
		return "", errors.New("the username would not read back in a field and holds both quotes: no safe place for its placeholder")
	}
	out := ""
	shown := html.EscapeString(username)
	if !gate.Holds(shown, code) && !gate.Holds(shown, placeholder) {
		out = `<p>Username:</p><p>` + shown + `</p>`
	}
	return out + `<span hidden title=` + quote + html.EscapeString(placeholder) + quote + `></span>`, nil
}
