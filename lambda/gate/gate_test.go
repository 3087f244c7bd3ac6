package gate_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/gate"
)

const emoji = "😀" // outside the BMP: 2 UTF-16 units

// outsideRunes are characters outside Cognito's message pattern.
var outsideRunes = []struct {
	name string
	r    rune
}{
	{"no-break space", '\u00a0'},
	{"ideographic space", '\u3000'},
	{"zero-width joiner", '\u200d'},
	{"right-to-left mark", '\u200f'},
	{"line separator", '\u2028'},
	{"byte order mark", '\ufeff'},
	{"bell", '\u0007'},
	{"private use", '\ue000'},
}

func forgot() gate.Message {
	return gate.Message{
		TriggerSource: "CustomMessage_ForgotPassword",
		CodeParameter: "{####}",
		EmailSubject:  "Reset your password",
		EmailMessage:  `<p>Your code is {####}.</p><p><a href="https://app.example.com/reset?username=alice&amp;code={####}">Reset</a></p>`,
		SMSMessage:    "Your code is {####}",
	}
}

func invite() gate.Message {
	return gate.Message{
		TriggerSource:     "CustomMessage_AdminCreateUser",
		CodeParameter:     "{####}",
		UsernameParameter: "{username}",
		EmailSubject:      "You are invited",
		EmailMessage:      `<p>Username {username}, temporary password {####}</p><p><a href="https://app.example.com/activate?tenant=default">Sign in</a></p>`,
		SMSMessage:        "Username {username}, temporary password {####}",
	}
}

// problems returns the rules err reports, one per joined error.
func problems(err error) []error {
	if err == nil {
		return nil
	}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		return joined.Unwrap()
	}
	return []error{err}
}

func TestLength(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "zoë": 3, "李": 1, "e\u0301": 2, emoji: 2, "a" + emoji + "b": 4} {
		assert.Equal(t, want, gate.Length(s), "%q", s)
	}
}

func TestCheckPasses(t *testing.T) {
	tests := []struct {
		name string
		msg  func() gate.Message
	}{
		{"case=forgot password", forgot},
		{"case=admin create user", invite},
		{"case=body of exactly 20000", func() gate.Message {
			m := forgot()
			m.EmailMessage = "{####}" + strings.Repeat("x", gate.MaxEmailBody-6)
			return m
		}},
		{"case=body of 20000 with emoji", func() gate.Message {
			m := forgot()
			m.EmailMessage = "{####}" + strings.Repeat(emoji, (gate.MaxEmailBody-6)/2)
			return m
		}},
		{"case=subject of 140", func() gate.Message { m := forgot(); m.EmailSubject = strings.Repeat(emoji, 70); return m }},
		{"case=subject of 1", func() gate.Message { m := forgot(); m.EmailSubject = "R"; return m }},
		{"case=sms of 140", func() gate.Message { m := forgot(); m.SMSMessage = "{####}" + strings.Repeat("x", 134); return m }},
		{"case=sms over lines", func() gate.Message { m := forgot(); m.SMSMessage = "Code:\n{####}\r\n"; return m }},
		{"case=text of the world", func() gate.Message {
			m := forgot()
			m.EmailSubject = "Passwort zurücksetzen · إعادة تعيين 🔑"
			m.EmailMessage = "<p>Grüße, مرحبا, 你好, e\u0301, ❤\ufe0f, «{####}» — 50%</p>"
			return m
		}},
		{"case=href with other escapes", func() gate.Message {
			m := forgot()
			m.EmailMessage = `<a href="https://app.example.com/reset?u=a%2Bb%40example.com&amp;code={####}">{####}</a>`
			return m
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.NoError(t, gate.Check(tc.msg()))
		})
	}
}

func TestCheckFails(t *testing.T) {
	type checkCase struct {
		name string
		msg  gate.Message
		want []string // each in the error
		n    int      // problems reported
	}
	with := func(m gate.Message, f func(*gate.Message)) gate.Message { f(&m); return m }
	hrefs := func(m gate.Message, href string) gate.Message {
		m.EmailMessage += `<a href="https://app.example.com/x?v=` + href + `">go</a>`
		return m
	}
	tests := []checkCase{
		{"case=code missing from email", with(forgot(), func(m *gate.Message) { m.EmailMessage = "<p>Hello</p>" }), []string{"email: placeholder {####} missing"}, 1},
		{"case=code missing from sms", with(forgot(), func(m *gate.Message) { m.SMSMessage = "Hello" }), []string{"sms: placeholder {####} missing"}, 1},
		{"case=no code placeholder given", with(forgot(), func(m *gate.Message) { m.CodeParameter = "" }), []string{"no placeholder"}, 1},
		{"case=invite without username in email", with(invite(), func(m *gate.Message) { m.EmailMessage = "<p>Password {####}</p>" }), []string{"email: placeholder {username} missing"}, 1},
		{"case=invite without username in sms", with(invite(), func(m *gate.Message) { m.SMSMessage = "Password {####}" }), []string{"sms: placeholder {username} missing"}, 1},
		{"case=body of 20001", with(forgot(), func(m *gate.Message) { m.EmailMessage = "{####}" + strings.Repeat("x", gate.MaxEmailBody-5) }), []string{"email: 20001 characters"}, 1},
		{"case=body of 20001 counting emoji as 2", with(forgot(), func(m *gate.Message) {
			m.EmailMessage = "{####}x" + strings.Repeat(emoji, (gate.MaxEmailBody-6)/2)
		}), []string{"email: 20001 characters"}, 1},
		{"case=subject empty", with(forgot(), func(m *gate.Message) { m.EmailSubject = "" }), []string{"subject: 0 characters"}, 1},
		{"case=subject of 141", with(forgot(), func(m *gate.Message) { m.EmailSubject = strings.Repeat(emoji, 70) + "!" }), []string{"subject: 141 characters"}, 1},
		{"case=subject with newline", with(forgot(), func(m *gate.Message) { m.EmailSubject = "Reset\nyour password" }), []string{"subject: must be one line"}, 1},
		{"case=subject with carriage return", with(forgot(), func(m *gate.Message) { m.EmailSubject = "Reset\ryour password" }), []string{"subject: must be one line"}, 1},
		{"case=subject with code", with(forgot(), func(m *gate.Message) { m.EmailSubject = "Your code is {####}" }), []string{"subject: holds {####}"}, 1},
		{"case=subject with username", with(invite(), func(m *gate.Message) { m.EmailSubject = "Welcome {username}" }), []string{"subject: holds {username}"}, 1},
		{"case=sms of 141", with(forgot(), func(m *gate.Message) { m.SMSMessage = "{####}" + strings.Repeat("x", 135) }), []string{"sms: 141 characters"}, 1},
		{"case=forgot href with code escaped upper", hrefs(forgot(), "%7B%23%23%23%23%7D"), []string{"{####} is URL-escaped"}, 1},
		{"case=forgot href with code escaped lower", hrefs(forgot(), "%7b%23%23%23%23%7d"), []string{"{####} is URL-escaped"}, 1},
		{"case=forgot href with braces escaped", hrefs(forgot(), "%7b####%7d"), []string{"{####} is URL-escaped"}, 1},
		{"case=invite href with code", hrefs(invite(), "{####}"), []string{"{####} is inside a link on AdminCreateUser"}, 1},
		{"case=invite href with username", hrefs(invite(), "{username}"), []string{"{username} is inside a link on AdminCreateUser"}, 1},
		// Cognito never fills in an escaped placeholder, so it leaks nothing
		// from a URL: it is refused as escaped, not as a credential in a link.
		{"case=invite href with code escaped", hrefs(invite(), "%7B%23%23%23%23%7D"), []string{"{####} is URL-escaped"}, 1},
		{"case=invite href with username escaped", hrefs(invite(), "%7busername%7d"), []string{"{username} is URL-escaped"}, 1},
		{"case=invite single-quoted href", with(invite(), func(m *gate.Message) { m.EmailMessage += `<a HREF = '{username}'>x</a>` }), []string{"{username} is inside a link"}, 1},
		{"case=every rule at once", with(forgot(), func(m *gate.Message) {
			m.EmailSubject, m.SMSMessage, m.EmailMessage = "", "Hello", "<p>Hello\u00a0there</p>"
		}), []string{"subject: 0 characters", "sms: placeholder {####} missing", "email: placeholder {####} missing", "email: character U+00A0"}, 4},
	}
	for _, o := range outsideRunes {
		r := string(o.r)
		tests = append(tests,
			checkCase{"case=subject with " + o.name, with(forgot(), func(m *gate.Message) { m.EmailSubject = "Reset" + r + "password" }), []string{fmt.Sprintf("subject: character %U", o.r)}, 1},
			checkCase{"case=email with " + o.name, with(forgot(), func(m *gate.Message) { m.EmailMessage = "<p>Code" + r + "{####}</p>" }), []string{fmt.Sprintf("email: character %U", o.r)}, 1},
			checkCase{"case=sms with " + o.name, with(forgot(), func(m *gate.Message) { m.SMSMessage = "Code" + r + "{####}" }), []string{fmt.Sprintf("sms: character %U", o.r)}, 1},
		)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := gate.Check(tc.msg)
			require.Error(t, err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.Len(t, problems(err), tc.n, "%v", err)
		})
	}
}

func TestAllowed(t *testing.T) {
	for _, r := range "aZé李ب\u0301😀€+<>&{}#%\" \t\n\r1٣" {
		assert.True(t, gate.Allowed(r), "%U", r)
	}
	for _, o := range outsideRunes {
		assert.False(t, gate.Allowed(o.r), "%s %U", o.name, o.r)
	}
}

// Escaped placeholders are refused wherever they stand, and credentials in
// any URL attribute, quoted or not.
func TestPlaceholdersOutsideQuotedHrefs(t *testing.T) {
	m := forgot()
	m.EmailMessage += `<img src="https://x.example/p?c=%7b%23%23%23%23%7d">`
	assert.ErrorContains(t, gate.Check(m), "URL-escaped")

	m = forgot()
	m.EmailMessage += `<a href=https://x.example/r?code=%7B####%7D>x</a>`
	assert.ErrorContains(t, gate.Check(m), "URL-escaped")

	inv := invite()
	inv.EmailMessage += `<a href=https://x.example/a?p={####}>x</a>`
	assert.ErrorContains(t, gate.Check(inv), "inside a link on AdminCreateUser")

	inv = invite()
	inv.EmailMessage += `<img SRC='https://x.example/a?u={username}'>`
	assert.ErrorContains(t, gate.Check(inv), "inside a link on AdminCreateUser")

	m = forgot()
	m.EmailSubject = "Reset\vyour password"
	assert.ErrorContains(t, gate.Check(m), "one line")
}

// Fits is the pattern over a whole text, as Check reads it.
func TestFits(t *testing.T) {
	for _, s := range []string{"", "plain", "Zoë 李 😀 e\u0301 {####}", "tabs\tand\nnewlines\r\n", forgot().EmailMessage} {
		assert.True(t, gate.Fits(s), "%q", s)
	}
	for _, o := range outsideRunes {
		assert.False(t, gate.Fits("a"+string(o.r)+"b"), o.name)
	}
	assert.False(t, gate.Fits("a\xffb"), "not UTF-8")
}
