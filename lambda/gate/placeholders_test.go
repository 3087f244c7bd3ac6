package gate_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/gate"
)

// withLink is m with a button and the raw link as text, as the renderer
// writes them: the href escaped by html.EscapeString, the text by
// html/template (which also writes '+' as a reference).
func withLink(m gate.Message, link string) gate.Message {
	href := strings.ReplaceAll(link, "&", "&amp;")
	text := strings.ReplaceAll(href, "+", "&#43;")
	m.EmailMessage += `<a href="` + href + `" target="_blank">Go</a><p><a href="` + href + `">` + text + `</a></p>`
	m.Link = link
	return m
}

// The gate matches placeholders where Cognito substitutes them: literally.
// An escaped one is refused where it stands for a placeholder the template
// wrote, never where it is the user's data inside the link cogmail signed.
func TestPlaceholdersWhereCognitoFindsThem(t *testing.T) {
	oddInvite := func() gate.Message {
		m := invite()
		m.CodeParameter = "####"
		m.EmailMessage = strings.ReplaceAll(m.EmailMessage, "{####}", "####")
		m.SMSMessage = strings.ReplaceAll(m.SMSMessage, "{####}", "####")
		return m
	}
	for _, tc := range []struct {
		name string
		msg  gate.Message
		want []string // nil: passes
	}{
		{"case=reset link for a username that encodes to the placeholder",
			withLink(forgot(), "https://app.example.com/reset?username=x%7B%23%23%23%23%7D+y&tenant=default&code={####}"), nil},
		{"case=reset link for a username that encodes to the placeholder in lower case",
			withLink(forgot(), "https://app.example.com/reset?username=%7b####%7d&code={####}"), nil},
		{"case=invite link for a username that encodes to the username placeholder",
			withLink(invite(), "https://app.example.com/activate?username=%7Busername%7D&tenant=default"), nil},
		{"case=invite link whose parameter is named like the placeholder",
			withLink(invite(), "https://app.example.com/activate?username=ana&tenant=default"), nil},
		{"case=odd code placeholder, fragment link for a username of hashes",
			withLink(oddInvite(), "https://app.example.com/activate#username=%23%23%23%23&tenant=default"), nil},
		{"case=odd code placeholder in a reset link",
			with(func() gate.Message {
				m := forgot()
				m.CodeParameter = "####"
				m.EmailMessage, m.SMSMessage = "<p>####</p>", "Code ####"
				return withLink(m, "https://app.example.com/reset#username=ana&code=####")
			}), nil},

		{"case=escaped placeholder in text outside the link",
			with(func() gate.Message {
				m := withLink(forgot(), "https://app.example.com/reset?username=ana&code={####}")
				m.EmailMessage += "<p>Hi %7B%23%23%23%23%7D,</p>"
				return m
			}), []string{"{####} is URL-escaped"}},
		{"case=a template's own copy of the link, escaped by html/template",
			with(func() gate.Message {
				m := withLink(forgot(), "https://app.example.com/reset?username=ana&code={####}")
				m.EmailMessage += `<a href="https://app.example.com/reset?username=ana&amp;code=%7b%23%23%23%23%7d">x</a>`
				return m
			}), []string{"{####} is URL-escaped"}},
		{"case=an escaped placeholder is data only inside the whole link",
			with(func() gate.Message {
				m := withLink(forgot(), "https://app.example.com/reset?username=%7B%23%23%23%23%7D&code={####}")
				m.EmailMessage += `<img src="https://app.example.com/reset?username=%7B%23%23%23%23%7D">`
				return m
			}), []string{"{####} is URL-escaped"}},
		{"case=literal credential inside the invite link",
			withLink(invite(), "https://app.example.com/activate?username={username}"), []string{"{username} is inside a link on AdminCreateUser"}},
		{"case=odd code placeholder written literally in an invite link",
			withLink(oddInvite(), "https://app.example.com/activate#username=ana&p=####"), []string{"#### is inside a link on AdminCreateUser"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := gate.Check(tc.msg)
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Len(t, problems(err), len(tc.want), "%v", err)
		})
	}
}

func with(f func() gate.Message) gate.Message { return f() }

// Holds is how the renderer and the handler keep user data that shows in a
// body (a name, a username as text) from carrying a placeholder into it.
func TestHolds(t *testing.T) {
	for _, tc := range []struct {
		s, p string
		want bool
	}{
		{"Ana", "{####}", false},
		{"Ana Silva-O'Brien", "{####}", false},
		{"#1 Ana", "{####}", false},
		{"", "{####}", false},
		{"Ana", "", false},
		{"{####}", "{####}", true},
		{"Ana {####} Silva", "{####}", true},
		{"%7B%23%23%23%23%7D", "{####}", true},
		{"Ana %7b####%7D", "{####}", true},
		{"Ana {##", "{####}", true},   // "##}" after it would complete it
		{"#} Ana", "{####}", true},    // so would "{###" before it
		{"Ana {", "{username}", true}, // any start of it
		{"Ana ####", "####", true},
		{"Ana #", "####", true},
		{"Ana %23%23%23%23", "####", true},
		{"user name", "{username}", false},
	} {
		t.Run(fmt.Sprintf("case=%q in %q", tc.p, tc.s), func(t *testing.T) {
			assert.Equal(t, tc.want, gate.Holds(tc.s, tc.p))
		})
	}
}
