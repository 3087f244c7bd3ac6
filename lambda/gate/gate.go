// Package gate is the one check every answer passes before it goes back to
// Cognito, and the cleaning that lets translated text pass it.
//
// Cognito rejects, or silently swaps for its default, any message that breaks
// its rules: placeholders missing, body over 20,000 characters, subject outside
// 1–140, SMS over 140, or a character outside its documented pattern (letters,
// marks, symbols, numbers, punctuation and whitespace, where a no-break space
// has broken custom messages in practice). Lengths are counted in UTF-16 code
// units, as Cognito's Java back end counts a String: never fewer than runes.
package gate

import (
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
)

// Cognito's limits.
const (
	MaxEmailBody = 20000
	MaxSubject   = 140
	MaxSMS       = 140
)

// Trigger sources whose messages must carry the username placeholder too.
const adminCreateUser = "CustomMessage_AdminCreateUser"

// Message is one answer as Cognito will read it.
type Message struct {
	TriggerSource     string
	CodeParameter     string // "{####}"
	UsernameParameter string // "{username}" on AdminCreateUser
	EmailSubject      string
	EmailMessage      string
	SMSMessage        string
}

// Length counts as Cognito does: UTF-16 code units.
func Length(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Allowed reports whether Cognito's message pattern admits r: a letter, mark,
// symbol, number or punctuation, or ASCII whitespace. Space separators other
// than U+0020 (no-break space, ideographic space), line and paragraph
// separators, and format characters (zero-width joiners, bidi marks, BOM) are
// outside it.
func Allowed(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.S, unicode.N, unicode.P)
}

// Check returns every rule m breaks, joined, or nil.
func Check(m Message) error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	required := []string{m.CodeParameter}
	if m.TriggerSource == adminCreateUser {
		required = append(required, m.UsernameParameter)
	}
	for _, p := range required {
		if p == "" {
			fail("placeholder: the event gave no placeholder to insert")
			continue
		}
		if !strings.Contains(m.EmailMessage, p) {
			fail("email: placeholder %s missing", p)
		}
		if !strings.Contains(m.SMSMessage, p) {
			fail("sms: placeholder %s missing", p)
		}
	}

	if n := Length(m.EmailMessage); n > MaxEmailBody {
		fail("email: %d characters, over Cognito's %d", n, MaxEmailBody)
	}
	if n := Length(m.EmailSubject); n < 1 || n > MaxSubject {
		fail("subject: %d characters, outside Cognito's 1–%d", n, MaxSubject)
	}
	if strings.ContainsAny(m.EmailSubject, "\r\n") {
		fail("subject: must be one line")
	}
	for _, p := range required {
		if p != "" && strings.Contains(m.EmailSubject, p) {
			fail("subject: holds %s, which Cognito does not substitute in subjects", p)
		}
	}
	if n := Length(m.SMSMessage); n > MaxSMS {
		fail("sms: %d characters, over %d", n, MaxSMS)
	}

	for _, part := range []struct{ name, text string }{
		{"subject", m.EmailSubject}, {"email", m.EmailMessage}, {"sms", m.SMSMessage},
	} {
		if r, at, ok := firstOutsidePattern(part.text); ok {
			fail("%s: character %U at byte %d is outside Cognito's message pattern", part.name, r, at)
		}
	}

	errs = append(errs, checkLinks(m, required)...)
	return errors.Join(errs...)
}

var hrefPattern = regexp.MustCompile(`(?i)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')`)

// checkLinks catches the two ways a link goes wrong silently: a placeholder
// that was URL-escaped (html/template writes {####} as %7b%23%23%23%23%7d in an
// href, so Cognito never finds it) and, on AdminCreateUser, a placeholder in a
// URL at all (the code is the temporary password; {username} is substituted
// raw, unencoded).
func checkLinks(m Message, placeholders []string) []error {
	var errs []error
	for _, match := range hrefPattern.FindAllStringSubmatch(m.EmailMessage, -1) {
		href := html.UnescapeString(match[1] + match[2])
		decoded, err := url.PathUnescape(href)
		if err != nil {
			decoded = href
		}
		for _, p := range placeholders {
			if p == "" {
				continue
			}
			literal := strings.Contains(href, p)
			if !literal && strings.Contains(decoded, p) {
				errs = append(errs, fmt.Errorf("email: placeholder %s is URL-escaped in a link, so Cognito cannot substitute it", p))
			}
			if m.TriggerSource == adminCreateUser && (literal || strings.Contains(decoded, p)) {
				errs = append(errs, fmt.Errorf("email: placeholder %s is inside a link on AdminCreateUser", p))
			}
		}
	}
	return errs
}

func firstOutsidePattern(s string) (rune, int, bool) {
	for i, r := range s {
		if !Allowed(r) {
			return r, i, true
		}
	}
	return 0, 0, false
}

// CleanHTML writes every character outside Cognito's pattern as a numeric
// character reference, so a translator's no-break space still renders as
// one and the body still passes. It must run on finished HTML only: it never
// touches markup, whose characters are all inside the pattern.
func CleanHTML(s string) string {
	if _, _, bad := firstOutsidePattern(s); !bad {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		if Allowed(r) {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "&#x%X;", r)
	}
	return b.String()
}

// CleanLine makes text fit a one-line field (subject, names in greetings):
// any kind of space or line break becomes one ASCII space, other characters
// outside the pattern are dropped, and the ends are trimmed.
func CleanLine(s string) string {
	return clean(s, true)
}

// CleanSMS keeps line breaks (SMS may have several lines) but otherwise
// cleans like CleanLine.
func CleanSMS(s string) string {
	return clean(s, false)
}

func clean(s string, oneLine bool) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\n' && !oneLine:
			b.WriteRune(r)
			space = false
			continue
		case unicode.IsSpace(r) || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp):
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		case !Allowed(r):
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// Truncate cuts s to at most n runes, ending with an ellipsis when it cut, so
// that no attribute can push a message over Cognito's limits.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	count := 0
	for i := range s {
		if count == n-1 {
			rest := s[i:]
			if len([]rune(rest)) <= 1 {
				return s
			}
			return s[:i] + "…"
		}
		count++
	}
	return s
}
