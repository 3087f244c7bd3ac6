package gate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/gate"
)

func TestCheckNotice(t *testing.T) {
	const (
		subject = "Your password was changed"
		html    = "<p>Your password was changed.</p>"
		text    = "Your password was changed.\n"
	)
	tests := []struct {
		name                string
		subject, html, text string
		want                []string // each a problem the gate reports; none: it passes
	}{
		{name: "case=a notice", subject: subject, html: html, text: text},
		{name: "case=subject of exactly 140", subject: strings.Repeat("x", 140), html: html, text: text},
		{name: "case=parts of exactly 20000", subject: subject, html: strings.Repeat("x", 20000), text: strings.Repeat("x", 20000)},
		{name: "case=parts counted in UTF-16 units", subject: subject, html: strings.Repeat(emoji, 10000), text: strings.Repeat("é", 20000)},
		{name: "case=a link with an encoded placeholder is data", subject: subject,
			html: `<a href="https://p.example/report?username=%7B%23%23%23%23%7D">x</a>`, text: "https://p.example/report?username=%7B%23%23%23%23%7D\n"},
		{name: "case=empty subject", html: html, text: text, want: []string{"subject: 0 characters"}},
		{name: "case=subject of 141", subject: strings.Repeat("x", 141), html: html, text: text, want: []string{"subject: 141 characters"}},
		{name: "case=subject on two lines", subject: "a\nb", html: html, text: text, want: []string{"subject: must be one line"}},
		{name: "case=subject with a tab", subject: "a\tb", html: html, text: text, want: []string{"subject: must be one line"}},
		{name: "case=no text part", subject: subject, html: html, want: []string{"text: empty"}},
		{name: "case=blank text part", subject: subject, html: html, text: " \n\n", want: []string{"text: empty"}},
		{name: "case=no html part", subject: subject, text: text, want: []string{"html: empty"}},
		{name: "case=html over budget", subject: subject, html: strings.Repeat(emoji, 10001), text: text, want: []string{"html: 20002 characters"}},
		{name: "case=text over budget", subject: subject, html: html, text: strings.Repeat("x", 20001), want: []string{"text: 20001 characters"}},
		{name: "case=code placeholder in html", subject: subject, html: "<p>{####}</p>", text: text, want: []string{"html: holds Cognito's placeholder {####}"}},
		{name: "case=username placeholder in text", subject: subject, html: html, text: "Hi {username}\n", want: []string{"text: holds Cognito's placeholder {username}"}},
		{name: "case=placeholder in subject", subject: "Code {####}", html: html, text: text, want: []string{"subject: holds Cognito's placeholder {####}"}},
		{name: "case=every rule at once", subject: "", html: "", text: "",
			want: []string{"subject: 0 characters", "html: empty", "text: empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := gate.CheckNotice(tt.subject, tt.html, tt.text)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			got := problems(err)
			require.Len(t, got, len(tt.want), "%v", err)
			for i, w := range tt.want {
				assert.Contains(t, got[i].Error(), w)
			}
		})
	}
}
