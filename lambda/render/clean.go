package render

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/cogmail/cogmail/lambda/gate"
)

// Cleaning: text on its way into a message is made to fit Cognito's rules
// here, where it is written, and nowhere else; the gate only checks, and
// never changes a message. What is cleaned, and how: the HTML, finished
// (compile.go, page.go), and each value filled into it, where characters
// outside Cognito's pattern become numeric references; the subject, one
// line; the SMS and a notice's text part, lines kept; a name, one line
// with its joiners, cut to MaxNameRunes. The pattern itself is the gate's
// (gate.Allowed, gate.Fits): one rule for the writer and the checker.

// cleanHTML writes every character outside Cognito's pattern as a numeric
// character reference, so a translator's no-break space still renders as
// one and the body still passes. It must run on finished HTML only: it never
// touches markup, whose characters are all inside the pattern.
func cleanHTML(s string) string {
	if gate.Fits(s) {
		return s
	}
	// Invalid UTF-8 becomes U+FFFD below, as ranging over a string reads it.
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		if gate.Allowed(r) {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "&#x%X;", r)
	}
	return b.String()
}

// cleanLine makes text fit a one-line field (subject, names in greetings):
// any kind of space or line break becomes one ASCII space, other characters
// outside the pattern are dropped, and the ends are trimmed.
func cleanLine(s string) string {
	return clean(s, true)
}

// cleanName cleans a person's name for a greeting like cleanLine, but keeps
// the zero-width joiner and non-joiner: they shape Persian and Indic names
// and join emoji, and in HTML cleanHTML writes them as references Cognito
// accepts. Bidi controls and other format characters still go.
func cleanName(s string) string {
	return cleanKeeping(s, true, "\u200c\u200d")
}

// cleanSMS keeps line breaks (SMS may have several lines) but otherwise
// cleans like cleanLine.
func cleanSMS(s string) string {
	return clean(s, false)
}

// cleanText cleans a notice's text part as a subject is cleaned, lines
// kept: characters outside the pattern dropped, spaces made one. Each
// line is trimmed, runs of blank lines become one (templates may leave
// them where a block wrote nothing), and the text ends in one line break.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	blank := false
	for line := range strings.Lines(cleanSMS(s)) {
		line = strings.TrimSpace(line)
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteByte('\n')
			blank = false
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func clean(s string, oneLine bool) string { return cleanKeeping(s, oneLine, "") }

func cleanKeeping(s string, oneLine bool, keep string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r > ' ' && r < 0x7f:
			// Printable ASCII other than space: kept, and cheap to see.
		case r == '\r' && !oneLine:
			continue // \r\n and \n are one line break in an SMS
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
		case keep != "" && strings.ContainsRune(keep, r):
		case !gate.Allowed(r):
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// truncate cuts s to at most n runes, ending with an ellipsis when it cut, so
// that no attribute can push a message over Cognito's limits.
func truncate(s string, n int) string {
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
