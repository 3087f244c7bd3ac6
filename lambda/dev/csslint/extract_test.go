package csslint

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// names lists the uses' names in order.
func names(uses []Use) []string {
	out := make([]string, len(uses))
	for i, u := range uses {
		out[i] = u.Name
	}
	return out
}

// find returns the first use named name.
func find(t *testing.T, uses []Use, name string) Use {
	t.Helper()
	for _, u := range uses {
		if u.Name == name {
			return u
		}
	}
	require.Failf(t, "no use", "%q not in %q", name, names(uses))
	return Use{}
}

func TestExtractInlineStyles(t *testing.T) {
	uses := Extract(`<body style="margin:0"><table role="presentation"><tr>` +
		`<td align="center" style="padding: 8px 12px; COLOR:#1f2328;background-color:#fff">x</td></tr></table></body>`)
	assert.Equal(t, []string{"margin", "padding", "px unit", "color", "background-color"}, names(uses),
		"hex colours hold no unit; property names are lower-cased")
	u := find(t, uses, "padding")
	assert.Equal(t, "padding:8px 12px", u.Decl)
	assert.Equal(t, `<td style="padding: 8px 12px; COLOR:#1f2328;background-color:#fff">`, u.Context)
	assert.Empty(t, u.Within)
	assert.Equal(t, Everyone, u.Audience)
}

func TestExtractStyleBlocks(t *testing.T) {
	uses := Extract(`<head><style type="text/css">
body { margin: 0 }
.cm-card, td.cm-a > a:hover { border-radius: 8px; }
</style></head><body><p>.not-css { color: red }</p></body>`)
	assert.Equal(t, []string{"<style>", "Type selector", "margin",
		"Grouping selectors", "Class selector", "Type selector", "Child combinator", ":hover", "border-radius", "px unit"},
		names(uses), "text outside <style> is not CSS")
	u := find(t, uses, "border-radius")
	assert.Equal(t, []string{"<style>"}, u.Within)
	assert.Equal(t, "<style> .cm-card, td.cm-a > a:hover", u.Context)
}

func TestExtractMediaQueries(t *testing.T) {
	uses := Extract(`<style>
@media screen and (max-width:480px){.cm-pad{padding-left:20px!important}}
@media (prefers-color-scheme: dark) { .cm-body { background-color: #111318 } }
@media only screen and (-webkit-min-device-pixel-ratio: 2), (hover: hover) { img { width: 50% } }
@font-face { font-family: "X"; src: url(x.woff2) format("woff2") }
@import url("x.css");
@-webkit-keyframes spin { from { opacity: 0 } to { opacity: 1 } }
</style>`)
	assert.Equal(t, []string{"<style>",
		"@media", "Class selector", "padding-left", "!important", "px unit",
		"@media", "@media (prefers-color-scheme)", "Class selector", "background-color",
		"@media", "@media (-webkit-device-pixel-ratio)", "@media (hover)", "Type selector", "width", "% unit",
		"@font-face", "@import",
		"@keyframes", "opacity", "opacity",
	}, names(uses), "widths are @media's own; descriptors in @font-face are not properties; keyframe selectors are not selectors")
	dark := find(t, uses, "background-color")
	assert.Equal(t, []string{"<style>", "@media", "@media (prefers-color-scheme)"}, dark.Within)
	assert.Equal(t, "<style> @media (prefers-color-scheme: dark) { .cm-body", dark.Context)
	assert.Equal(t, "@media (prefers-color-scheme: dark)", find(t, uses, "@media (prefers-color-scheme)").Decl)
}

func TestExtractComments(t *testing.T) {
	uses := Extract(`<style>/* .x { color: red; } */ .a { /* b: c; */ margin: 0 /* ; d: e */ }</style>` +
		`<p style="color:red; /* width: 1px */">`)
	assert.Equal(t, []string{"<style>", "CSS comments", "Class selector", "margin", "CSS comments", "color"}, names(uses),
		"what a comment holds is not used")
	// A comment opener inside a string is text.
	uses = Extract(`<style>.a{font-family:"/*x*/"}</style>`)
	assert.Equal(t, []string{"<style>", "Class selector", "font-family"}, names(uses))
}

func TestExtractImportant(t *testing.T) {
	uses := Extract(`<style>.a{color:red!important;PADDING: 0 ! IMPORTANT}</style><p style="margin:0 !important">`)
	assert.Equal(t, []string{"<style>", "Class selector", "color", "!important", "padding", "!important",
		"margin", "!important"}, names(uses))
	assert.Equal(t, "color:red!important", find(t, uses, "!important").Decl)
}

func TestExtractQuotedValues(t *testing.T) {
	uses := Extract(`<p style="font-family:&#39;A;B&#39;, &quot;C; 2px&quot;, serif; background-image:url(data:image/png;base64,AA==); padding:0">` +
		`<style>.a::before{content:"}; color: red; {"}.b{margin:0}</style>`)
	assert.Equal(t, []string{"font-family", "background-image", "padding",
		"<style>", "Class selector", "::before", "content", "Class selector", "margin"}, names(uses),
		"a ; or } inside quotes or url() ends nothing; quoted text holds no unit")
	assert.Equal(t, `font-family:'A;B', "C; 2px", serif`, find(t, uses, "font-family").Decl)
}

func TestExtractPrefixes(t *testing.T) {
	uses := Extract(`<td style="-webkit-text-size-adjust:100%;mso-line-height-rule:exactly;-ms-interpolation-mode:bicubic;mso-padding-alt:0 12px">`)
	assert.Equal(t, []string{"-webkit-text-size-adjust", "% unit", "mso-line-height-rule",
		"-ms-interpolation-mode", "mso-padding-alt"}, names(uses), "names as written; mso- values are Outlook's")
}

func TestExtractValueFeatures(t *testing.T) {
	uses := Extract(`<div style="display:none;display:inline-block;display:FLEX;` +
		`color:rgba(0,0,0,.5);width:calc(100% - 2rem);font-family:system-ui,-apple-system,BlinkMacSystemFont;` +
		`background:-webkit-linear-gradient(#fff,#000) url(img2x.png);--cm-bg:#fff;color:var(--cm-bg)">`)
	assert.Equal(t, []string{"display:none", "display", "display:flex",
		"color", "rgba()", "width", "calc()", "% unit", "rem unit", "font-family", "system-ui",
		"background", "-webkit-linear-gradient()", "--*", "color", "var()"}, names(uses))
}

// Outlook's conditional comments: what only Outlook for Windows renders, and
// what it alone skips; ordinary comments and text elements hold no CSS.
func TestExtractConditionalComments(t *testing.T) {
	uses := Extract(`<!-- <p style="opacity:0"> -->` +
		`<!--[if mso]><style>td{mso-table-lspace:0}</style><p style="font-size:18px"></p><![endif]-->` +
		`<!--[if !mso]><!--><textarea style="resize:none">x<b style="cursor:pointer"></textarea><!--<![endif]-->` +
		`<!--[if !mso]><p style="clip:auto"></p><![endif]-->` +
		`<title>a<p style="float:left"></title><p style="z-index:1">`)
	assert.Equal(t, []string{"<style>", "Type selector", "mso-table-lspace", "font-size", "px unit", "resize", "z-index"}, names(uses))
	assert.Equal(t, OnlyMSO, find(t, uses, "font-size").Audience)
	assert.Equal(t, OnlyMSO, find(t, uses, "<style>").Audience)
	assert.Equal(t, NotMSO, find(t, uses, "resize").Audience)
	assert.Equal(t, Everyone, find(t, uses, "z-index").Audience, "the revealed block ends at <!--<![endif]-->")
}

func TestExtractSelectors(t *testing.T) {
	assert.Equal(t, []string{"Class selector", "Chaining selectors", "Descendant combinator", "ID selector",
		"Attribute selector", "General sibling combinator", "Type selector", "Adjacent sibling combinator",
		"Universal selector *", "::after", ":not"},
		selectorFeatures(`.a.b #c [data-ogsc] ~ p + *:after:not(.d)`))
	assert.Equal(t, []string{":root"}, selectorFeatures(`:root`))
}

func TestExtractNesting(t *testing.T) {
	uses := Extract(`<style>.a{color:red;&:hover{color:blue}}</style>`)
	assert.Equal(t, []string{"<style>", "Class selector", "color", "CSS nesting", ":hover", "color"}, names(uses))
}

func TestExtractMalformed(t *testing.T) {
	// Unclosed blocks, strings and tags end the scan without a panic.
	for _, doc := range []string{`<style>.a{color:red`, `<style>.a{content:"x}`, `<p style="color:red`, `<!--[if mso]><p style="x:y">`,
		`<style>@media (`, `<`, `<style>`, `<p style=>`, `<p style>`, `<style>}}};;{{</style>`} {
		assert.NotPanics(t, func() { Extract(doc) }, doc)
	}
	assert.Equal(t, []string{"<style>", "Class selector", "color"}, names(Extract(`<style>.a{color:red`)))
}
