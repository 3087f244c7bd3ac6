package check

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
	"github.com/cogmail/cogmail/templates"
)

func tenantStore(overlay fstest.MapFS) *tenant.Store { return tenant.NewStore(overlay, templates.FS) }

func quiet() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// The full matrix of the shipped tenants and languages passes.
func TestShippedMatrixPasses(t *testing.T) {
	h := handler.Setup(context.Background(), func(string) string { return "" }, quiet())
	rows, err := Run(h)
	require.NoError(t, err)
	var failed []string
	langs := map[string]bool{}
	for _, r := range rows {
		if r.Failed() {
			failed = append(failed, r.Tenant+"/"+r.Language+"/"+string(r.Kind)+": "+r.Outcome)
		}
		langs[r.Language] = true
		if r.Outcome == "rendered" {
			assert.Less(t, r.Chars, 20000)
		}
	}
	assert.Empty(t, failed)
	assert.True(t, langs["en-XA"], "the pseudo-locale is checked")
	assert.GreaterOrEqual(t, len(rows), 2*16*len(trigger.Kinds)-7*14, "every tenant × language × message")

	rep := Check(h)
	assert.Empty(t, rep.Problems)
	assert.Equal(t, len(rows), len(rep.Rows))
	var out bytes.Buffer
	Write(&out, rep, false)
	assert.Contains(t, out.String(), "MARGIN")
	assert.NotContains(t, out.String(), "WARN")
	assert.Regexp(t, `\nchecked \d+ tenants and \d+ messages: 0 failed, 0 warnings\n$`, out.String())
}

// A tenant whose text breaks the gate fails its rows, and the table says so.
func TestBrokenTenantFails(t *testing.T) {
	overlay := fstest.MapFS{
		"tenants/broken/tenant.json": {Data: []byte(`{
		  "id": "broken", "displayName": "Broken",
		  "links": {"resetUrl": "https://b.example/r", "inviteUrl": "https://b.example/i", "mode": "query",
		            "resetExpiry": "1h", "inviteExpiry": "24h"},
		  "brand": {"productName": "Broken", "primaryColor": "#000000", "buttonTextColor": "#ffffff"},
		  "languages": {"default": "en", "supported": ["en"]}}`)},
		// A subject over Cognito's 140 characters.
		"tenants/broken/locales/en.json": {Data: []byte(`{"mfa.subject": "` + strings.Repeat("Long subject ", 12) + `{product}"}`)},
	}
	h := handler.Setup(context.Background(), func(string) string { return "" }, quiet())
	h = handler.New(handler.Config{Renderer: h.Renderer(), Tenants: tenantStore(overlay), Keyring: keys.Development(), Logger: quiet()})
	var out bytes.Buffer
	Write(&out, Check(h), true)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 4, "header, the failing row in either mode, summary: %s", out.String())
	assert.Regexp(t, `^broken\s+en\s+mfa\s.*FAIL fallback: subject: 162 characters`, lines[1])
	assert.Regexp(t, `^broken\s+en\s+mfa-sender\s.*FAIL unsent: subject: 162 characters`, lines[2])
	assert.Contains(t, lines[3], "2 failed")
}
