package csslint

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// feature writes one caniemail entry in the package's format: every client
// "y" unless overridden by client ID. A client ID mapped to several
// "version=value" pairs gets them in that order.
func feature(slug string, notes map[string]string, override map[string]string) map[string]any {
	stats := map[string]map[string]json.RawMessage{}
	for _, c := range Clients {
		v := `{"2019-01":"y"}`
		if o, ok := override[c.ID]; ok {
			if strings.Contains(o, "=") { // "2016=n,16.80=y"
				var parts []string
				for _, p := range strings.Split(o, ",") {
					k, val, _ := strings.Cut(p, "=")
					parts = append(parts, `"`+k+`":"`+val+`"`)
				}
				v = "{" + strings.Join(parts, ",") + "}"
			} else {
				v = `{"2019-01":"y","2024-01":"` + o + `"}`
			}
		}
		if stats[c.Family] == nil {
			stats[c.Family] = map[string]json.RawMessage{}
		}
		stats[c.Family][c.Platform] = json.RawMessage(v)
	}
	return map[string]any{"slug": slug, "title": slug, "url": "https://caniemail.example/" + slug,
		"notes": nil, "notes_by_num": notes, "stats": stats}
}

func testData(t *testing.T) *Data {
	t.Helper()
	features := []map[string]any{
		feature("css-background-color", nil, nil),
		feature("css-position", map[string]string{"1": "Partial. `absolute` is not supported.", "2": "Not supported."},
			map[string]string{"gmail-webmail": "n #2", "gmail-ios": "n", "gmail-android": "n", "outlook-windows": "n",
				"outlook-com": "a #1", "outlook-macos": "a #1", "outlook-ios": "n", "outlook-android": "a #1",
				"apple-mail-macos": "a #1", "apple-mail-ios": "a #1"}),
		feature("css-border-radius", map[string]string{"1": "Round corners can be used in VML."},
			map[string]string{"outlook-windows": "n #1"}),
		feature("css-border", nil, map[string]string{"outlook-windows": "a"}),
		// Versions in publication order, not sortable: 16.80 is the latest.
		feature("css-opacity", nil, map[string]string{"outlook-macos": "2011=n,2016=n,16.80=y"}),
		feature("css-at-media", nil, map[string]string{"outlook-windows": "n"}),
		feature("css-at-media-prefers-color-scheme", nil, map[string]string{"gmail-webmail": "n", "gmail-ios": "n",
			"gmail-android": "n", "outlook-windows": "n"}),
		feature("html-style", nil, map[string]string{"gmail-ios": "a", "gmail-android": "a"}),
		feature("css-important", nil, map[string]string{"gmail-webmail": "a", "gmail-ios": "a", "gmail-android": "a"}),
		feature("css-selector-class", nil, nil),
		feature("css-unit-px", nil, nil),
		feature("css-resize", nil, map[string]string{"outlook-windows": "n", "gmail-webmail": "n", "gmail-ios": "n",
			"gmail-android": "n", "outlook-com": "n", "outlook-macos": "n", "outlook-ios": "n", "outlook-android": "n",
			"apple-mail-macos": "n", "apple-mail-ios": "n"}),
	}
	b, err := json.Marshal(map[string]any{"api_version": "1.0.4", "last_update_date": "2026-01-01", "data": features})
	require.NoError(t, err)
	d, err := ParseData(b)
	require.NoError(t, err)
	return d
}

func inline(style string) []Use {
	uses := Extract(`<td style="` + style + `">`)
	for i := range uses {
		uses[i].Source = "default/en/reset"
	}
	return uses
}

func fallbacks(t *testing.T, js string) Fallbacks {
	t.Helper()
	f, err := ParseFallbacks([]byte(js))
	require.NoError(t, err)
	return f
}

func TestSupportReadsTheLatestVersionInPublishedOrder(t *testing.T) {
	d := testData(t)
	mac, _ := clientByID("outlook-macos")
	s := d.Features["css-opacity"].Support(mac)
	assert.Equal(t, Yes, s.Level)
	assert.Equal(t, "16.80", s.Version)

	win, _ := clientByID("outlook-windows")
	s = d.Features["css-border-radius"].Support(win)
	assert.Equal(t, No, s.Level)
	assert.Equal(t, []string{"#1 Round corners can be used in VML."}, s.Notes)

	pos := d.Features["css-position"]
	assert.Equal(t, No, pos.FamilyLevel("gmail"))
	assert.Equal(t, Mixed, pos.FamilyLevel("outlook"))
	assert.Equal(t, Partial, pos.FamilyLevel("apple-mail"))
	assert.Equal(t, Yes, d.Features["css-border-radius"].FamilyLevel("gmail"))
}

func TestCheckSupportedPropertyPasses(t *testing.T) {
	assert.Empty(t, Check(inline("background-color:#fff;mso-line-height-rule:exactly"), testData(t), Fallbacks{}),
		"supported everywhere; mso- properties pass by definition")
}

func TestCheckUnsupportedPropertyFails(t *testing.T) {
	problems := Check(inline("position:absolute;top:0"), testData(t), Fallbacks{})
	require.Len(t, problems, 2)
	p := problems[0]
	assert.Equal(t, "position", p.Name)
	assert.Equal(t, Unsupported, p.Kind)
	assert.Equal(t, "css-position", p.Feature)
	assert.Len(t, p.Clients, len(Clients), "no client supports it fully")
	assert.Contains(t, p.Message, "gmail-webmail     no       Gmail (desktop webmail) 2024-01: #2 Not supported.")
	assert.Contains(t, p.Message, "outlook-com       partial  Outlook.com 2024-01: #1 Partial. `absolute` is not supported.")
	assert.Contains(t, p.Message, "families: Gmail no, Outlook mixed, Apple Mail partial")
	assert.Contains(t, p.Message, `e.g. default/en/reset: position:absolute in <td style="position:absolute;top:0">`)
	assert.Contains(t, p.Message, `add to templates/css-fallbacks.json:`+"\n"+
		`    "position": {"clients":["gmail-webmail","gmail-ios","gmail-android","outlook-windows","outlook-com","outlook-macos","outlook-ios","outlook-android","apple-mail-macos","apple-mail-ios"],"fallback":"TODO: what these clients show instead, and why the email still works"}`,
		"the message is the entry to add")

	// top has no feature in this data: unknown, which fails too.
	assert.Equal(t, "top", problems[1].Name)
	assert.Equal(t, UnknownFeature, problems[1].Kind)
	assert.Contains(t, problems[1].Message, `"top": {"clients":[],"fallback":"TODO: `)
}

func TestCheckDeclaredFallbackPasses(t *testing.T) {
	f := fallbacks(t, `{
	  "border-radius": {"clients": ["outlook-windows"], "fallback": "square corners in Outlook for Windows"},
	  "top": {"clients": [], "fallback": "only with position, which is declared"}
	}`)
	assert.Empty(t, Check(inline("border-radius:8px;top:0"), testData(t), f))
}

func TestCheckStaleFallbackFails(t *testing.T) {
	f := fallbacks(t, `{
	  "border-radius": {"clients": ["outlook-windows"], "fallback": "square corners"},
	  "background-color": {"clients": ["outlook-windows"], "fallback": "no background"},
	  "border": {"clients": ["outlook-windows", "gmail-ios"], "fallback": "thin borders"},
	  "mso-hide": {"clients": [], "fallback": "Outlook only"}
	}`)
	problems := Check(inline("background-color:#fff;border:1px solid #000;mso-hide:all"), testData(t), f)
	var msgs []string
	for _, p := range problems {
		assert.Equal(t, Stale, p.Kind, p.Message)
		msgs = append(msgs, p.Message)
	}
	require.Len(t, msgs, 4, strings.Join(msgs, "\n"))
	assert.Equal(t, `templates/css-fallbacks.json: background-color: stale entry: every client supports it now (outlook-windows supports it fully): remove the entry`, msgs[0])
	assert.Equal(t, `templates/css-fallbacks.json: border: stale clients in the entry: gmail-ios supports it fully: remove them from "clients" (keep "outlook-windows")`, msgs[1])
	assert.Equal(t, `templates/css-fallbacks.json: border-radius: stale entry: no rendered email uses it any more: remove the entry`, msgs[2])
	assert.Contains(t, msgs[3], `mso-hide: entry "mso-hide": mso- properties are Outlook for Windows' own and pass by definition`)
}

func TestCheckEntryMustCoverEveryClientAndGiveAReason(t *testing.T) {
	d := testData(t)
	problems := Check(inline("position:absolute"), d, fallbacks(t,
		`{"position": {"clients": ["gmail-webmail", "outlook-window"], "fallback": "shown in the flow"}}`))
	require.Len(t, problems, 2)
	assert.Equal(t, BadEntry, problems[0].Kind)
	assert.Contains(t, problems[0].Message, "unknown clients outlook-window; the clients are gmail-webmail, gmail-ios,")
	assert.Equal(t, Unsupported, problems[1].Kind)
	assert.Contains(t, problems[1].Message, "which its entry in templates/css-fallbacks.json leaves out")
	assert.Contains(t, problems[1].Message, `"fallback":"shown in the flow"`, "the suggestion keeps the reason")
	assert.Len(t, problems[1].Clients, len(Clients)-1, "gmail-webmail is covered")

	for _, reason := range []string{"", "  ", "TODO: what these clients show instead"} {
		js, _ := json.Marshal(map[string]Fallback{"border-radius": {Clients: []string{"outlook-windows"}, Fallback: reason}})
		problems := Check(inline("border-radius:4px"), d, fallbacks(t, string(js)))
		require.Len(t, problems, 1, reason)
		assert.Equal(t, BadEntry, problems[0].Kind)
	}

	problems = Check(inline("top:0"), d, fallbacks(t, `{"top": {"clients": ["outlook-windows"], "fallback": "fine"}}`))
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0].Message, `caniemail has no feature for it, so no data names the clients: make "clients" []`)
}

// A use inside a rule that a client drops whole is not held to that client;
// a use behind a conditional comment only to the clients that render it.
func TestCheckHoldsUsesOnlyToClientsThatApplyThem(t *testing.T) {
	d := testData(t)
	uses := Extract(`<style>@media (prefers-color-scheme: dark) { .cm-a { border-radius: 4px !important } }</style>`)
	byName := map[string]Problem{}
	for _, p := range Check(uses, d, Fallbacks{}) {
		byName[p.Name] = p
	}
	assert.NotContains(t, byName, "!important", "only Gmail lacks it, and Gmail has no prefers-color-scheme")
	assert.NotContains(t, byName, "border-radius", "Outlook for Windows has no @media")
	require.Contains(t, byName, "@media (prefers-color-scheme)")
	require.Contains(t, byName, "<style>")

	problems := Check(Extract(`<!--[if !mso]><!--><textarea style="resize:none"></textarea><!--<![endif]-->`), d, Fallbacks{})
	require.Len(t, problems, 1)
	assert.Len(t, problems[0].Clients, len(Clients)-1, "Outlook for Windows never sees it")
	assert.NotContains(t, problems[0].Message, "outlook-windows")

	assert.Empty(t, Check(Extract(`<!--[if mso]><p style="border-radius:0"></p><![endif]-->`), d,
		fallbacks(t, `{"border-radius": {"clients": ["outlook-windows"], "fallback": "square"}}`)))
	problems = Check(Extract(`<!--[if mso]><p style="border:0"></p><![endif]-->`), d,
		fallbacks(t, `{"border": {"clients": ["outlook-windows", "gmail-webmail"], "fallback": "x"}}`))
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0].Message, "gmail-webmail is not reached by it")
}

func TestLookup(t *testing.T) {
	d := testData(t)
	for name, want := range map[string]string{
		"border-radius":                 "css-border-radius",
		"-webkit-border-radius":         "css-border-radius",
		"border-top-left-radius":        "css-border-radius",
		"border-top":                    "css-border",
		"-ms-border-left-color":         "css-border",
		"<style>":                       "html-style",
		"!important":                    "css-important",
		"@media":                        "css-at-media",
		"@media (prefers-color-scheme)": "css-at-media-prefers-color-scheme",
		"Class selector":                "css-selector-class",
		"color":                         "",
		"@media (min-resolution)":       "",
	} {
		slug, _, mso := Lookup(d, name)
		assert.Equal(t, want, slug, name)
		assert.False(t, mso, name)
	}
	_, how, _ := Lookup(d, "-webkit-border-radius")
	assert.Equal(t, "as its unprefixed border-radius", how)
	_, _, mso := Lookup(d, "mso-hide")
	assert.True(t, mso)
}

func TestParseFallbacksIsStrict(t *testing.T) {
	for js, want := range map[string]string{
		`{"a": {"clients": [], "fallback": "x"}, "a": {"clients": [], "fallback": "y"}}`: `"a": declared twice`,
		`{"a": {"clients": [], "fallback": "x", "reason": "y"}}`:                         `unknown field "reason"`,
		`["a"]`: "not a JSON object",
		`{"a": {"clients": [], "fallback": "x"}} {}`: "data after the object",
	} {
		_, err := ParseFallbacks([]byte(js))
		require.Error(t, err, js)
		assert.Contains(t, err.Error(), want, js)
	}
}
