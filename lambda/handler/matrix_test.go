package handler_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// A representative slice of the matrix is kept as golden files, to review
// as a person would: every message in English, Arabic (right to left),
// Japanese and German for the default tenant, and in German for the branded
// tenant with overrides. `cogmail check` covers the whole matrix.
func TestMatrixGolden(t *testing.T) {
	h, _ := fixture(t, nil)
	sample := handler.Sample{UserName: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f", Name: "Ana"}
	slice := map[string][]string{"default": {"en", "ar", "ja", "de"}, "acme": {"de"}}
	for id, langs := range slice {
		tn, err := h.Tenants().Get(id)
		require.NoError(t, err)
		for _, lang := range langs {
			for _, k := range trigger.Kinds {
				name := id + "-" + lang + "-" + string(k)
				t.Run("case="+name, func(t *testing.T) {
					msg, outcome, err := h.Preview(k, tn, language.MustParse(lang), sample)
					require.NoError(t, err)
					if tn.LeavesToCognito(k) {
						assert.Equal(t, "cognito-default", outcome)
						return
					}
					require.Equal(t, "rendered", outcome)
					require.NoError(t, gate.Check(msg))
					out, err := json.MarshalIndent(map[string]string{"emailSubject": msg.EmailSubject, "smsMessage": msg.SMSMessage}, "", "  ")
					require.NoError(t, err)
					dir := filepath.Join(eventsDir, "golden", "matrix")
					golden.Assert(t, filepath.Join(dir, name+".json"), append(out, '\n'))
					golden.Assert(t, filepath.Join(dir, name+".html"), []byte(msg.EmailMessage))
				})
			}
		}
	}
}

// COGMAIL_TEMPLATES_DIR names a folder of tenants that replace the embedded
// ones of the same id and add new ones, without rebuilding the function.
func TestOverlayFolder(t *testing.T) {
	dir := t.TempDir()
	write := func(path, content string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644))
	}
	write("tenants/acme/tenant.json", `{
	  "id": "acme", "displayName": "Acme (overlay)",
	  "match": {"userPoolIds": ["eu-west-1_Mn34Pq56R"]},
	  "links": {"resetUrl": "https://overlay.acme.example/reset", "inviteUrl": "https://overlay.acme.example/invite",
	            "mode": "query", "resetExpiry": "1h", "inviteExpiry": "24h"},
	  "brand": {"productName": "Acme Overlay", "primaryColor": "#000000", "buttonTextColor": "#ffffff"},
	  "languages": {"default": "en", "supported": ["en"]}}`)
	getenv := func(k string) string {
		if k == handler.EnvTemplatesDir {
			return dir
		}
		return ""
	}
	h := handler.Setup(context.Background(), getenv, quietLogger())
	_, a := invoke(t, h, readEvent(t, "odd-email-alias")) // routed to acme by its pool
	assert.Contains(t, a.email(), "Acme Overlay")
	assert.Contains(t, a.email(), `href="https://overlay.acme.example/reset?`)
	assert.NotContains(t, a.email(), "Raketenweg", "the overlay folder replaces the embedded one whole")
}
