package check

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// Every tenant × language × notice is checked: a notice that offers a
// report link with it (when the tenant has a report page) and without,
// the others once; a notice the tenant does not send is checked too.
func TestEveryNoticeChecked(t *testing.T) {
	h := handler.Setup(context.Background(), func(string) string { return "" }, quiet())
	rep := Check(h)
	require.NoError(t, rep.Err())
	tenants, err := h.Tenants().LoadAll()
	require.NoError(t, err)
	for _, tn := range tenants {
		for _, tag := range Languages(tn) {
			for _, k := range trigger.Notices {
				t.Run("case="+tn.ID+"/"+tag.String()+"/"+string(k), func(t *testing.T) {
					var variants []string
					for _, r := range rep.Rows {
						if r.Tenant != tn.ID || r.Language != tag.String() || r.Kind != k {
							continue
						}
						variants = append(variants, r.Variant)
						require.False(t, r.Failed(), "%s: %v", r.Name(), r.Err)
						assert.Equal(t, "rendered", r.Outcome)
						assert.Equal(t, !tn.Sends(k), r.Off)
						assert.NoError(t, gate.CheckNotice(r.Message.EmailSubject, r.Message.EmailMessage, r.Text))
						assert.Equal(t, gate.Length(r.Text), r.TextChars)
						assert.Contains(t, r.Text, "Asia/Tokyo", "the sample reader's zone")
						assert.Equal(t, r.Variant == "" && k.Reportable(), strings.Contains(r.Text, "\n"+tn.Links.ReportURL), "the sample report link")
					}
					switch {
					case !k.Reportable():
						assert.Equal(t, []string{""}, variants)
					case tn.Links.ReportURL == "":
						assert.Equal(t, []string{NoLink}, variants)
					default:
						assert.Equal(t, []string{"", NoLink}, variants)
					}
				})
			}
		}
	}
}

// A tenant's broken notice template fails its notices, said once, and not
// its Custom Message emails.
func TestBrokenNoticeTemplate(t *testing.T) {
	rep, out := report(t, fstest.MapFS{
		"tenants/globex/tenant.json":      {Data: globex(false)},
		"tenants/globex/changed.txt.tmpl": {Data: []byte(`{{define "content"}}{{if}}{{end}}`)},
	}, true)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4, "header, the problem, the folded notices, summary:\n%s", out)
	assert.Regexp(t, `^globex\s+-\s+-\s+FAIL tenants/globex/changed\.txt\.tmpl:1: `, lines[1])
	// de, en and the pseudo-locale, 6 notices each.
	assert.Regexp(t, `^globex\s+\*\s+\*\s+FAIL unsent in 18 messages: the tenant's files \(above\)$`, lines[2])
	assert.Equal(t, 19, rep.Failed())
	for _, r := range rep.Rows {
		if r.Tenant == "globex" && !r.Kind.Notice() {
			assert.False(t, r.Failed(), r.Name(), "in either mode")
		}
	}
}

// The table shows a notice's HTML and text sizes, its margin, and whether
// the tenant sends it.
func TestNoticeRowsPrinted(t *testing.T) {
	h := handler.Setup(context.Background(), func(string) string { return "" }, quiet())
	var out bytes.Buffer
	Write(&out, Check(h), false)
	assert.Regexp(t, `\ndefault\s+en\s+changed\s+en\s+\d+ text \d+\s+\d+\s+ok\n`, out.String())
	assert.Regexp(t, `\ndefault\s+en\s+changed-nolink\s+en\s+\d+ text \d+\s+\d+\s+ok\n`, out.String())
	assert.Regexp(t, `\ndefault\s+en\s+welcome\s+en\s+\d+ text \d+\s+\d+\s+ok \(the tenant does not send it\)\n`, out.String())
}

// The notices of the same slice of the matrix as the Custom Message golden
// files (lambda/handler's TestMatrixGolden), with their text parts, kept to
// review as a person would.
func TestNoticeGolden(t *testing.T) {
	assertGolden(t, func(r Row) bool { return r.Kind.Notice() })
}

// The Custom Message kinds in sender mode, of the same slice, with their
// text parts: "<tenant>-<language>-<kind>-sender".
func TestSenderGolden(t *testing.T) {
	assertGolden(t, func(r Row) bool { return r.Variant == Sender })
}

// assertGolden compares the rows of the golden slice that keep picks with
// their golden files: the subject, the HTML part and the text part.
func assertGolden(t *testing.T, keep func(Row) bool) {
	h := handler.Setup(context.Background(), func(string) string { return "" }, quiet())
	rows, err := Run(h)
	require.NoError(t, err)
	slice := map[string][]string{"default": {"en", "ar", "ja", "de"}, "acme": {"de"}}
	dir := filepath.Join("..", "..", "..", "events", "golden", "matrix")
	n := 0
	for _, r := range rows {
		if !keep(r) || !slices.Contains(slice[r.Tenant], r.Language) {
			continue
		}
		n++
		name := r.Tenant + "-" + r.Language + "-" + r.Name()
		t.Run("case="+name, func(t *testing.T) {
			require.Equal(t, "rendered", r.Outcome, "%v", r.Err)
			out, err := json.MarshalIndent(map[string]string{"subject": r.Message.EmailSubject}, "", "  ")
			require.NoError(t, err)
			golden.Assert(t, filepath.Join(dir, name+".json"), append(out, '\n'))
			golden.Assert(t, filepath.Join(dir, name+".html"), []byte(r.Message.EmailMessage))
			golden.Assert(t, filepath.Join(dir, name+".txt"), []byte(r.Text))
		})
	}
	assert.NotZero(t, n)
}
