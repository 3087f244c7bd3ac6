package gate

import (
	"errors"
	"fmt"
	"strings"
)

// Cognito's placeholders. In a notice nothing substitutes them: one there is
// a template meant for Cognito's messages, and would reach the reader as
// written.
var cognitoPlaceholders = [...]string{"{####}", "{username}"}

// CheckNotice returns every rule a notice breaks, joined, or nil. A notice
// goes out through SES, not Cognito, yet keeps Cognito's budget: a subject
// of 1–140 characters on one line, and an HTML part and a text part of at
// most MaxEmailBody characters each (UTF-16 units). Neither part may be
// empty, and no Cognito placeholder may stand anywhere.
func CheckNotice(subject, html, text string) error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if n := Length(subject); n < 1 || n > MaxSubject {
		fail("subject: %d characters, outside 1–%d", n, MaxSubject)
	}
	if strings.ContainsAny(subject, "\t\n\v\f\r") {
		fail("subject: must be one line, with no whitespace but spaces")
	}
	for _, part := range []struct{ name, body string }{{"html", html}, {"text", text}} {
		if strings.TrimSpace(part.body) == "" {
			fail("%s: empty", part.name)
		}
		if n := Length(part.body); n > MaxEmailBody {
			fail("%s: %d characters, over the budget of %d", part.name, n, MaxEmailBody)
		}
	}
	for _, part := range []struct{ name, body string }{{"subject", subject}, {"html", html}, {"text", text}} {
		for _, p := range cognitoPlaceholders {
			if strings.Contains(part.body, p) {
				fail("%s: holds Cognito's placeholder %s, which nothing substitutes in a notice", part.name, p)
			}
		}
	}
	return errors.Join(errs...)
}
