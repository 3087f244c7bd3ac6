// Package gate holds Cognito's rules for a custom message and the one check
// of them that every answer passes before it goes back to Cognito.
//
// Cognito rejects, or silently swaps for its default, any message that breaks
// its rules: placeholders missing, body over 20,000 characters, subject outside
// 1–140, SMS over 140, or a character outside its documented pattern (letters,
// marks, symbols, numbers, punctuation and whitespace, where a no-break space
// has broken custom messages in practice). Lengths are counted in UTF-16 code
// units, as Cognito's Java back end counts a String: never fewer than runes.
//
// Checking happens here and only here: Check passes judgement on a whole
// answer, and the handler calls it, in one place, on each answer it may send
// (the rich email, then the minimal ones). Cleaning does not happen here:
// the gate never changes a message. Text is made to fit where it is written
// (lambda/render's clean.go), with the rules this package exports (Allowed,
// Fits), so that what the writer cleans and what the gate checks are one
// rule; Holds is the rule's reading of a placeholder, for writers that must
// leave out text which would carry one (a name, a username). The files:
// gate.go, the answer and Check; rules.go, the characters, lengths and
// placeholders; links.go, where links and escaped placeholders stand;
// notice.go and sent.go, the rules of the emails cogmail sends itself
// through SES (CheckNotice, CheckSent).
package gate

import (
	"errors"
	"fmt"
	"strings"
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
	// Link is the signed link the caller built, as a URL, or "". Its code
	// placeholder stands literal where the caller put it, and anything
	// percent-encoded in it is the user's data (a username such as
	// "{####}" is written %7B%23%23%23%23%7D): an escaped placeholder
	// inside a copy of it is not one the caller meant Cognito to fill in.
	Link string
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
	if strings.ContainsAny(m.EmailSubject, "\t\n\v\f\r") {
		fail("subject: must be one line, with no whitespace but spaces")
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
	for _, p := range required {
		if p != "" && encodedOutside(m.EmailMessage, p, m.Link) {
			fail("email: placeholder %s is URL-escaped (percent-encoded), so Cognito cannot substitute it", p)
		}
	}
	return errors.Join(errs...)
}
