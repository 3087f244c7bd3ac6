package check

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/locale"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// globex is a tenant.json (de, en) whose line 7 is "  }" after a trailing
// comma when broken is true; edit replaces pairs of old and new text.
func globex(broken bool, edit ...string) []byte {
	lines := []string{
		`{`,
		`  "id": "globex",`,
		`  "displayName": "Globex",`,
		`  "links": {"resetUrl": "https://g.example/r", "inviteUrl": "https://g.example/i", "mode": "query", "resetExpiry": "1h", "inviteExpiry": "24h"},`,
		`  "brand": {"productName": "Globex", "primaryColor": "#000000", "buttonTextColor": "#ffffff"},`,
		`  "languages": {"default": "de", "supported": ["de", "en"]}`,
		`}`,
	}
	if broken {
		lines[5] += ","
		lines[6] = "  }"
	}
	s := strings.Join(lines, "\n")
	for i := 0; i+1 < len(edit); i += 2 {
		s = strings.Replace(s, edit[i], edit[i+1], 1)
	}
	return []byte(s)
}

// shippedTenants are the embedded tenants' ids, sorted: tests count on
// them, not on how many an operator has added.
func shippedTenants(t *testing.T) []string {
	t.Helper()
	ids, err := tenant.NewStore(templates.FS).IDs()
	require.NoError(t, err)
	return ids
}

// checked is the start of the summary line for the shipped tenants and
// the overlay's ids.
func checked(t *testing.T, overlay ...string) string {
	t.Helper()
	ids := map[string]bool{}
	for _, id := range append(shippedTenants(t), overlay...) {
		ids[id] = true
	}
	return fmt.Sprintf("checked %d tenants and ", len(ids))
}

// ownLanguage is a language cogmail ships no catalog for: Swedish, the
// example of templates/README.md's "Add a language", unless an operator
// has added it.
func ownLanguage(t *testing.T) string {
	t.Helper()
	for _, tag := range []string{"sv", "fi", "da", "nb", "is"} {
		if !slices.Contains(locale.Shipped, tag) {
			return tag
		}
	}
	t.Fatal("every candidate language is shipped: add another")
	return ""
}

// report checks the shipped tenants and the overlay, and prints it.
func report(t *testing.T, overlay fstest.MapFS, onlyFailures bool) (Report, string) {
	t.Helper()
	base := handler.Setup(context.Background(), func(string) string { return "" }, quiet())
	h := handler.New(handler.Config{Renderer: base.Renderer(), Tenants: tenantStore(overlay), Keyring: keys.Development(), Logger: quiet()})
	rep := Check(h)
	var out bytes.Buffer
	Write(&out, rep, onlyFailures)
	return rep, out.String()
}

// A broken tenant is reported once, by file and place, and counted; a bad
// file of a tenant that loads is said once, not on each row it breaks;
// warnings pass.
func TestReportSaysWhatAndWhere(t *testing.T) {
	const shippedRows = `(\d+)` // the shipped tenants', whatever their languages
	// globex writes de, en, its own language and the pseudo-locale: 4 × 7
	// Custom Message emails, 4 × 7 again in sender mode and 4 × 6 notices
	// (no report page: each once, without a link).
	withGlobex := checked(t, "globex")
	own := ownLanguage(t)
	catalog := func(name, data string) fstest.MapFS {
		return fstest.MapFS{"tenants/globex/tenant.json": {Data: globex(false, `"en"]`, `"en", "`+own+`"]`)}, "tenants/globex/locales/" + name: {Data: []byte(data)}}
	}
	for _, tc := range []struct {
		name     string
		overlay  fstest.MapFS
		lines    []string // regexps, each matching exactly one line
		summary  string
		failed   int
		warnings int
	}{
		{"tenant.json that is not JSON", fstest.MapFS{"tenants/globex/tenant.json": {Data: globex(true)}},
			[]string{`^globex\s+-\s+-\s+FAIL tenants/globex/tenant\.json:7:3: invalid character '\}' looking for beginning of object key string$`},
			withGlobex + shippedRows + ` messages: 1 failed, 0 warnings`, 1, 0},
		{"misspelt field", fstest.MapFS{"tenants/globex/tenant.json": {Data: globex(false, `"primaryColor"`, `"primaryColour"`)}},
			[]string{`^globex\s+-\s+-\s+FAIL tenants/globex/tenant\.json: brand\.primaryColour: unknown field; did you mean "primaryColor"\?$`},
			`: 1 failed, 0 warnings`, 1, 0},
		{"two problems, a line each", fstest.MapFS{"tenants/globex/tenant.json": {Data: globex(false, `"query"`, `"path"`, `"#000000"`, `"black"`)}},
			[]string{`FAIL tenants/globex/tenant\.json: links\.mode: must be "query" or "fragment"$`, `FAIL tenants/globex/tenant\.json: brand\.primaryColor: must be #rrggbb$`},
			`: 2 failed, 0 warnings`, 2, 0},
		{"catalog that is not JSON", catalog("de.json", "{\"reset.heading\": \"x\"\n\"reset.button\": \"y\"}"),
			[]string{`^globex\s+-\s+-\s+FAIL tenants/globex/locales/de\.json:2:1: invalid character`,
				`^globex\s+\*\s+\*\s+FAIL fallback in 28 messages: the tenant's files \(above\)$`,
				`^globex\s+\*\s+\*\s+FAIL unsent in 52 messages: the tenant's files \(above\)$`},
			withGlobex + shippedRows + ` messages: 81 failed, 0 warnings`, 81, 0},
		{"empty text", catalog("de.json", `{"reset.heading": ""}`),
			[]string{`FAIL tenants/globex/locales/de\.json: "reset\.heading" is empty$`, `^globex\s+\*\s+\*\s+FAIL fallback in 28 messages`},
			`: 81 failed`, 81, 0},
		{"unknown key", catalog(own+".json", `{"reset.headlin": "Nytt lösenord"}`),
			[]string{`FAIL tenants/globex/locales/` + own + `\.json: unknown key "reset\.headlin"; did you mean "reset\.heading"\?$`},
			`: 81 failed`, 81, 0},
		{"invitations outliving the password", fstest.MapFS{"tenants/globex/tenant.json": {Data: globex(false, `"24h"`, `"336h"`)}},
			[]string{`^globex\s+-\s+-\s+WARN tenants/globex/tenant\.json: links\.inviteExpiry: 336h outlives .* TemporaryPasswordValidityDays is at least 14$`},
			`: 0 failed, 1 warning$`, 0, 1},
		{"a language with one key", catalog(own+".json", `{"reset.heading": "Nytt lösenord"}`),
			[]string{`^globex\s+` + own + `\s+reset\s+de\s+\d+\s+\d+\s+WARN written mostly in de: the ` + own + ` texts lack most of this message$`,
				`^globex\s+` + own + `\s+mfa\s+de\s+.*WARN written mostly in de`,
				`^globex\s+` + own + `\s+mfa-sender\s+de\s+\d+ text \d+\s+\d+\s+WARN written mostly in de`,
				`^globex\s+` + own + `\s+changed-nolink\s+de\s+.*WARN written mostly in de`},
			`: 0 failed, 20 warnings$`, 0, 20},
		{"a language without any catalog", fstest.MapFS{"tenants/globex/tenant.json": {Data: globex(false, `"en"]`, `"en", "`+own+`"]`)}},
			[]string{`^globex\s+` + own + `\s+invite\s+de\s+.*WARN written mostly in de: the ` + own + ` texts lack most of this message$`},
			`: 0 failed, 20 warnings$`, 0, 20},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			rep, out := report(t, tc.overlay, true)
			assert.Equal(t, tc.failed, rep.Failed(), out)
			assert.Equal(t, tc.warnings, rep.Warnings(), out)
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			for _, want := range tc.lines {
				n := 0
				for _, line := range lines {
					if regexp.MustCompile(want).MatchString(line) {
						n++
					}
				}
				assert.Equal(t, 1, n, "want one line matching %s in\n%s", want, out)
			}
			assert.Regexp(t, tc.summary, lines[len(lines)-1])
			if tc.failed > 0 {
				assert.Error(t, rep.Err())
			} else {
				assert.NoError(t, rep.Err(), "warnings pass")
			}
		})
	}
}

// With -failures, failures come first, then warnings, and nothing that
// passed; the full table has every row too.
func TestReportOrder(t *testing.T) {
	own := ownLanguage(t)
	overlay := fstest.MapFS{
		"tenants/globex/tenant.json":               {Data: globex(false, `"24h"`, `"336h"`, `"en"]`, `"en", "`+own+`"]`)},
		"tenants/globex/locales/" + own + ".json":  {Data: []byte(`{"reset.heading": "Nytt lösenord"}`)},
		"tenants/initech/tenant.json":              {Data: globex(false, `"globex"`, `"initech"`, `"mode"`, `"mod"`)},
		"tenants/initech/locales/" + own + ".json": {Data: []byte(`{}`)},
		"tenants/umbrella/locales/de.json":         {Data: []byte(`{}`)}, // a folder without tenant.json
	}
	rep, out := report(t, overlay, true)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var kinds []string
	for _, line := range lines[1 : len(lines)-1] {
		switch {
		case strings.Contains(line, "FAIL"):
			kinds = append(kinds, "FAIL")
		case strings.Contains(line, "WARN"):
			kinds = append(kinds, "WARN")
		default:
			t.Errorf("a line that neither fails nor warns: %q", line)
		}
	}
	// The tenant's warning, then its own language's 7 messages, the same
	// 7 in sender mode and 6 notices.
	assert.Equal(t, append([]string{"FAIL", "FAIL"}, slices.Repeat([]string{"WARN"}, 1+7+7+6)...), kinds, out)
	assert.Contains(t, out, `FAIL tenants/initech/tenant.json: links.mod: unknown field; did you mean "mode"?`)
	assert.Contains(t, out, "FAIL tenants/umbrella: a folder without tenant.json")
	assert.Contains(t, lines[len(lines)-1], checked(t, "globex", "initech", "umbrella"))
	assert.Equal(t, 2, rep.Failed())

	_, full := report(t, overlay, false)
	assert.Regexp(t, `\ndefault\s+en\s+reset\s+en\s+\d+\s+\d+\s+ok\n`, full)
	assert.Equal(t, lines[len(lines)-1], lastLine(full), "the same summary")
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestLeaves(t *testing.T) {
	rep, _ := report(t, fstest.MapFS{"tenants/globex/tenant.json": {Data: globex(false, `"query"`, `"path"`, `"Globex",`, `" ",`)}}, false)
	require.Len(t, rep.Problems, 2)
	for _, p := range rep.Problems {
		assert.Equal(t, "globex", p.Tenant)
		assert.True(t, strings.HasPrefix(p.Err.Error(), "tenants/globex/tenant.json: "), p.Err)
	}
}

// Templates that failed to load (Setup carries on with the minimal email)
// are one failure line, and every message they break one line per tenant.
func TestReportWithoutTemplates(t *testing.T) {
	h := handler.New(handler.Config{Tenants: tenantStore(fstest.MapFS{}), Keyring: keys.Development(), Logger: quiet()})
	rep := Check(h)
	var out bytes.Buffer
	Write(&out, rep, true)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	shipped := shippedTenants(t)
	require.Len(t, lines, 3+2*len(shipped), "header, the problem, each shipped tenant's folded rows (%v), summary:\n%s", shipped, out.String())
	assert.Regexp(t, `^-\s+-\s+-\s+FAIL templates failed to load$`, lines[1])
	for i, id := range shipped {
		assert.Regexp(t, `^`+regexp.QuoteMeta(id)+`\s+\*\s+\*\s+FAIL fallback in \d+ messages: the templates failed to load \(above\)$`, lines[2+2*i])
		assert.Regexp(t, `^`+regexp.QuoteMeta(id)+`\s+\*\s+\*\s+FAIL unsent in \d+ messages: the templates failed to load \(above\)$`, lines[3+2*i])
	}
	assert.Equal(t, 1+len(rep.Rows)-countLeftToCognito(rep.Rows), rep.Failed())
}

func countLeftToCognito(rows []Row) int {
	n := 0
	for _, r := range rows {
		if r.Outcome == "cognito-default" {
			n++
		}
	}
	return n
}
