package preview

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDarkTwin(t *testing.T) {
	const head = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">`
	for _, tc := range []struct {
		name, style, want string
		hasDark           bool
	}{
		{"dark alone", `@media (prefers-color-scheme: dark){.cm-card{background:#1c1f24}}`,
			`@media all {.cm-card{background:#1c1f24}}`, true},
		{"no spaces, upper case", `@MEDIA (Prefers-Color-Scheme:DARK){.cm-text{color:#fff}}`,
			`@media all {.cm-text{color:#fff}}`, true},
		{"with a width: the width stays", `@media screen and (max-width:480px) and (prefers-color-scheme: dark) {.cm-pad{padding:0}}`,
			`@media screen and (max-width:480px) and (min-width: 0px) {.cm-pad{padding:0}}`, true},
		{"light only: off", `@media (prefers-color-scheme: light){.cm-card{background:#fff}}`,
			`@media not all {.cm-card{background:#fff}}`, false},
		{"light with a width: off", `@media screen and (prefers-color-scheme: light){.x{color:red}}`,
			`@media screen and (max-width: 0px){.x{color:red}}`, false},
		{"other media queries stay", `@media screen and (max-width:480px){.cm-outer{padding:16px 8px!important}}`,
			`@media screen and (max-width:480px){.cm-outer{padding:16px 8px!important}}`, false},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			email := head + `<style>` + tc.style + `</style></head><body>x</body></html>`
			twin, hasDark := DarkTwin(email)
			assert.Equal(t, tc.hasDark, hasDark)
			assert.Equal(t, head[:strings.Index(head, "<head>")+6]+darkMeta+`<meta charset="utf-8"><style>`+tc.want+`</style></head><body>x</body></html>`, twin)
		})
	}
	t.Run("case=text outside style blocks is left alone", func(t *testing.T) {
		email := `<html><head></head><body><p>@media (prefers-color-scheme: dark){}</p></body></html>`
		twin, hasDark := DarkTwin(email)
		assert.False(t, hasDark)
		assert.Equal(t, `<html><head>`+darkMeta+`</head><body><p>@media (prefers-color-scheme: dark){}</p></body></html>`, twin)
	})
	t.Run("case=every block, the email's own meta after ours", func(t *testing.T) {
		email := `<html><head><meta name="color-scheme" content="light dark"><style>a{}</style>` +
			`<style>@media (prefers-color-scheme:dark){a{color:#fff}}</style></head></html>`
		twin, hasDark := DarkTwin(email)
		assert.True(t, hasDark)
		assert.Less(t, strings.Index(twin, darkMeta), strings.Index(twin, `content="light dark"`), "the first color-scheme meta wins")
		assert.Contains(t, twin, `<style>a{}</style><style>@media all {a{color:#fff}}</style>`)
	})
}
