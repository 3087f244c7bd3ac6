package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/handler"
	chrome "github.com/cogmail/cogmail/lambda/internal/browser"
	"github.com/cogmail/cogmail/lambda/preview"
	"github.com/cogmail/cogmail/lambda/rie"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// shot is what infra/local/gallery-shots.js reports for one cell.
type shot struct {
	Name        string `json:"name"`
	Shot        string `json:"shot"`
	ScrollWidth int    `json:"scrollWidth"`
	ClientWidth int    `json:"clientWidth"`
	Colors      colors `json:"colors"`
	TwinColors  colors `json:"twinColors"`
	Button      struct {
		Found      bool   `json:"found"`
		Href       string `json:"href"`
		Visible    bool   `json:"visible"`
		InViewport bool   `json:"inViewport"`
		Clickable  bool   `json:"clickable"`
	} `json:"button"`
}

type colors struct{ Body, Card, Heading string }

// The key cells: the default tenant's every message in a left-to-right, a
// right-to-left, a CJK language and the pseudo-locale, whose longer text
// finds what breaks when a translation grows; on a phone and at the width
// the layout is made for; light and dark.
var (
	galleryLanguages = []string{"en", "ar", "ja", "en-XA"}
	galleryWidths    = []int{375, 600}
	gallerySchemes   = []string{"light", "dark"}
	// The messages whose email carries a signed button for the default tenant.
	withButton = map[trigger.Kind]bool{trigger.Reset: true, trigger.Invite: true, trigger.SignUp: true, trigger.Resend: true}
)

// TestE2EGallery opens the preview gallery's emails in Debian's Chromium,
// driven by Playwright: no email overflows sideways, and every button is on
// screen and clickable, at 375 and 600 px, light and dark. The screenshots
// stay in the test's artifact folder (go test -artifacts -outputdir DIR).
func TestE2EGallery(t *testing.T) {
	root := galleryTools(t)
	chromium, err := chrome.Find()
	if err != nil {
		t.Skip(err.Error())
	}
	out := t.ArtifactDir()
	g := preview.Build(handler.Setup(t.Context(), func(string) string { return "" },
		slog.New(slog.NewJSONHandler(io.Discard, nil))), "the embedded templates")
	require.NoError(t, g.Write(out))
	shots := filepath.Join(out, "shots")
	require.NoError(t, os.MkdirAll(shots, 0o755))

	type cell struct {
		Name, File, Twin, Scheme string
		Width                    int
		entry                    preview.Entry
	}
	var cells []cell
	for _, e := range g.Entries {
		if e.Tenant != "default" || !slices.Contains(galleryLanguages, e.Language) {
			continue
		}
		require.NotEmpty(t, e.Light, "%s: no email", e.Anchor())
		for _, scheme := range gallerySchemes {
			for _, w := range galleryWidths {
				c := cell{Name: fmt.Sprintf("%s-%s-%s-%s-%d", e.Tenant, e.Language, e.Kind, scheme, w),
					File: fileURL(out, e.Light), Scheme: scheme, Width: w, entry: e}
				if scheme == "dark" {
					c.Twin = fileURL(out, e.Dark)
				}
				cells = append(cells, c)
			}
		}
	}
	require.Len(t, cells, len(galleryLanguages)*len(trigger.Kinds)*len(galleryWidths)*len(gallerySchemes))
	jobCells := make([]map[string]any, len(cells))
	for i, c := range cells {
		jobCells[i] = map[string]any{"name": c.Name, "file": c.File, "twin": c.Twin, "scheme": c.Scheme, "width": c.Width}
	}
	job, err := json.Marshal(map[string]any{
		"chromium": chromium, "out": shots, "cells": jobCells,
		"index": fileURL(out, "index.html"), "filter": "default/ar",
	})
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(root, "infra", "local", "gallery-shots.js"), string(job))
	cmd.Dir = filepath.Join(root, "infra", "local")
	cmd.Stderr = os.Stderr
	raw, err := cmd.Output()
	require.NoError(t, err)
	var report struct {
		OK       bool     `json:"ok"`
		Error    string   `json:"error"`
		Cells    []shot   `json:"cells"`
		Filtered []string `json:"filtered"`
		Index    struct {
			Shot string `json:"shot"`
		} `json:"index"`
		FilteredShot string `json:"filteredShot"`
	}
	require.NoError(t, json.Unmarshal(raw, &report), "%s", raw)
	require.True(t, report.OK, report.Error)
	require.Len(t, report.Cells, len(cells))

	for i, c := range cells {
		got := report.Cells[i]
		t.Run("case="+c.Name, func(t *testing.T) {
			require.Equal(t, c.Name, got.Name)
			assert.LessOrEqual(t, got.ScrollWidth, got.ClientWidth, "the email overflows sideways")
			if withButton[c.entry.Kind] {
				b := got.Button
				require.True(t, b.Found, "no link in the main card")
				assert.Contains(t, b.Href, "sig=", "the card's first link is the signed button")
				assert.True(t, b.Visible, "the button is visible")
				assert.True(t, b.InViewport, "the button is inside the viewport sideways")
				assert.True(t, b.Clickable, "a tap at the button's centre reaches the button")
			}
			if c.Scheme == "dark" {
				assert.Equal(t, got.Colors, got.TwinColors, "the dark twin paints what dark mode paints")
			}
			assertPNG(t, got.Shot)
		})
	}
	t.Run("case=gallery", func(t *testing.T) {
		assertPNG(t, report.Index.Shot)
		assertPNG(t, report.FilteredShot)
		assert.Len(t, report.Filtered, len(trigger.Kinds), "a language's link shows its emails: %v", report.Filtered)
		for _, id := range report.Filtered {
			assert.True(t, strings.HasPrefix(id, "default/ar/"), id)
		}
	})
}

// galleryTools returns the module root, or skips saying what is missing:
// node on PATH and playwright-core under infra/local.
func galleryTools(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH: the gallery test drives Chromium from Node.js")
	}
	root, err := rie.ModuleRoot()
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(root, "infra", "local", "node_modules", "playwright-core", "package.json")); err != nil {
		t.Skip("infra/local/node_modules/playwright-core is missing: run make node-deps")
	}
	return root
}

func assertPNG(t *testing.T, path string) {
	t.Helper()
	info, err := os.Stat(path)
	if assert.NoError(t, err) {
		assert.Greater(t, info.Size(), int64(2000), path)
	}
}

// fileURL names a gallery file for the browser, escaped: the artifact
// folder is named after the test, and a '#' or '?' in a path would cut a
// plain "file://"+path short.
func fileURL(dir, slashPath string) string {
	return (&url.URL{Scheme: "file", Path: filepath.Join(dir, filepath.FromSlash(slashPath))}).String()
}
