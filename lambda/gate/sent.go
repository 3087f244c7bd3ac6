package gate

import (
	"errors"
	"fmt"
	"strings"
)

// CheckSent returns every rule an email in Custom Email Sender mode breaks,
// joined, or nil. The function sends it itself, through SES, with the real
// values, yet keeps Cognito's budget, as a notice does (CheckNotice): a
// subject of 1–140 characters on one line, an HTML part and a text part of
// at most MaxEmailBody characters each, neither empty, and no Cognito
// placeholder anywhere, since nothing would substitute it. must are the
// real values the reader needs (the code; for an invitation the temporary
// password and the username): each must stand in the text part as it is,
// and in the HTML part escaped as html/template writes text. A placeholder
// inside one of them (a username "{username}" an administrator chose) is
// the value, not a placeholder. The errors never quote a value: they are
// codes, passwords and usernames, and errors are logged.
func CheckSent(subject, html, text string, must ...string) error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if n := Length(subject); n < 1 || n > MaxSubject {
		fail("subject: %d characters, outside 1–%d", n, MaxSubject)
	}
	if strings.ContainsAny(subject, "\t\n\v\f\r") {
		fail("subject: must be one line, with no whitespace but spaces")
	}
	escaped := make([]string, len(must))
	for i, v := range must {
		escaped[i] = escapeHTML(v)
	}
	parts := []struct {
		name, body string
		values     []string // must, as the part writes them
	}{{"subject", subject, must}, {"html", html, escaped}, {"text", text, must}}
	for _, part := range parts[1:] {
		if strings.TrimSpace(part.body) == "" {
			fail("%s: empty", part.name)
		}
		if n := Length(part.body); n > MaxEmailBody {
			fail("%s: %d characters, over the budget of %d", part.name, n, MaxEmailBody)
		}
	}
	for _, part := range parts {
		if p, ok := strayPlaceholder(part.body, part.values); ok {
			fail("%s: holds Cognito's placeholder %s, which nothing substitutes in an email cogmail sends", part.name, p)
		}
	}
	for i, v := range must {
		if v == "" {
			fail("value %d of %d: empty, so nothing proves the reader gets it", i+1, len(must))
			continue
		}
		for _, part := range parts[1:] {
			if part.body != "" && !strings.Contains(part.body, part.values[i]) {
				fail("%s: lacks value %d of %d, which the reader needs", part.name, i+1, len(must))
			}
		}
	}
	return errors.Join(errs...)
}

// strayPlaceholder finds a Cognito placeholder in body that is not inside
// an occurrence of one of values.
func strayPlaceholder(body string, values []string) (string, bool) {
	for _, p := range cognitoPlaceholders {
		for from := 0; ; {
			i := strings.Index(body[from:], p)
			if i < 0 {
				break
			}
			at := from + i
			if !inside(body, at, len(p), values) {
				return p, true
			}
			from = at + 1
		}
	}
	return "", false
}

// inside reports whether body[at:at+n] lies within an occurrence of one of
// values.
func inside(body string, at, n int, values []string) bool {
	for _, v := range values {
		if len(v) < n {
			continue
		}
		for k := max(0, at+n-len(v)); k <= at && k+len(v) <= len(body); k++ {
			if body[k:k+len(v)] == v {
				return true
			}
		}
	}
	return false
}

// escapeHTML writes s as the renderer writes a value into HTML text:
// escaped as html/template escapes text and attribute values, then each
// character outside Cognito's pattern as a numeric character reference.
func escapeHTML(s string) string {
	s = htmlEscaper.Replace(s)
	if Fits(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if Allowed(r) {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "&#x%X;", r)
	}
	return b.String()
}

// htmlEscaper is html/template's escaping of text and quoted attributes.
var htmlEscaper = strings.NewReplacer(
	"\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;",
)
