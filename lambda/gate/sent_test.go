package gate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/gate"
)

func TestCheckSent(t *testing.T) {
	const (
		subject = "Reset your password"
		code    = "739214"
		html    = "<p>Enter this code:</p><p>739214</p>"
		text    = "Enter this code:\n\n739214\n"
		// An invitation's temporary password and username, and how the
		// HTML part writes them (html/template's escaping).
		password        = `Tq8<r>&"x'Z+`
		passwordHTML    = `Tq8&lt;r&gt;&amp;&#34;x&#39;Z&#43;`
		username        = "ana.o'neil"
		usernameHTML    = "ana.o&#39;neil"
		inviteHTML      = "<textarea>" + usernameHTML + "</textarea><textarea>" + passwordHTML + "</textarea>"
		inviteText      = "Username\n" + username + "\n\nTemporary password\n" + password + "\n"
		placeholderUser = "{username}" // a username an administrator chose
	)
	tests := []struct {
		name                string
		subject, html, text string
		must                []string
		want                []string // each a problem the gate reports; none: it passes
	}{
		{name: "case=a code", subject: subject, html: html, text: text, must: []string{code}},
		{name: "case=an invitation, values escaped in the HTML only", subject: subject, html: inviteHTML, text: inviteText, must: []string{password, username}},
		{name: "case=no value to check", subject: subject, html: html, text: text},
		{name: "case=a character outside the pattern as a reference", subject: subject,
			html: "<p>a&#xA0;b</p>", text: "a\u00a0b\n", must: []string{"a\u00a0b"}},
		{name: "case=a placeholder inside a value is the value", subject: subject,
			html: "<p>{username}</p><p>" + code + "</p>", text: "{username}\n" + code + "\n", must: []string{code, placeholderUser}},
		{name: "case=subject of exactly 140", subject: strings.Repeat("x", 140), html: html, text: text, must: []string{code}},
		{name: "case=parts of exactly 20000", subject: subject, html: code + strings.Repeat("x", 19994), text: code + strings.Repeat(emoji, 9997), must: []string{code}},

		{name: "case=empty subject", html: html, text: text, must: []string{code}, want: []string{"subject: 0 characters"}},
		{name: "case=subject of 141", subject: strings.Repeat("x", 141), html: html, text: text, want: []string{"subject: 141 characters"}},
		{name: "case=subject on two lines", subject: "a\nb", html: html, text: text, want: []string{"subject: must be one line"}},
		{name: "case=no text part", subject: subject, html: html, must: []string{code}, want: []string{"text: empty"}},
		{name: "case=no html part", subject: subject, text: text, must: []string{code}, want: []string{"html: empty"}},
		{name: "case=html over budget", subject: subject, html: html + strings.Repeat(emoji, 10000), text: text, must: []string{code}, want: []string{"html: 20036 characters"}},
		{name: "case=text over budget", subject: subject, html: html, text: text + strings.Repeat("x", 20000), must: []string{code}, want: []string{"text: 20025 characters"}},
		{name: "case=code placeholder in html", subject: subject, html: html + "{####}", text: text, must: []string{code},
			want: []string{"html: holds Cognito's placeholder {####}"}},
		{name: "case=username placeholder in text", subject: subject, html: html, text: "Hi {username}\n" + text, must: []string{code},
			want: []string{"text: holds Cognito's placeholder {username}"}},
		{name: "case=placeholder in subject", subject: "Code {####}", html: html, text: text, must: []string{code},
			want: []string{"subject: holds Cognito's placeholder {####}"}},
		{name: "case=a value that is a placeholder covers no other", subject: subject,
			html: "<p>{username}</p><p>" + code + "</p><p>{####}</p>", text: "{username}\n" + code + "\n", must: []string{code, placeholderUser},
			want: []string{"html: holds Cognito's placeholder {####}"}},
		{name: "case=the code missing from the text part", subject: subject, html: html, text: "Enter this code:\n", must: []string{code},
			want: []string{"text: lacks value 1 of 1"}},
		{name: "case=the code missing from the html part", subject: subject, html: "<p>Enter this code:</p>", text: text, must: []string{code},
			want: []string{"html: lacks value 1 of 1"}},
		{name: "case=a value unescaped in the html", subject: subject, html: "<p>" + password + "</p><p>" + usernameHTML + "</p>", text: inviteText,
			must: []string{password, username}, want: []string{"html: lacks value 1 of 2"}},
		{name: "case=a value escaped in the text", subject: subject, html: inviteHTML, text: "Username\n" + usernameHTML + "\n" + password + "\n",
			must: []string{password, username}, want: []string{"text: lacks value 2 of 2"}},
		{name: "case=an empty value", subject: subject, html: html, text: text, must: []string{code, ""}, want: []string{"value 2 of 2: empty"}},
		{name: "case=every rule at once", must: []string{code},
			want: []string{"subject: 0 characters", "html: empty", "text: empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := gate.CheckSent(tt.subject, tt.html, tt.text, tt.must...)
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
			for _, v := range tt.must {
				if len(v) > 3 {
					assert.NotContains(t, err.Error(), v, "errors never quote a value: they are logged")
				}
			}
		})
	}
}
