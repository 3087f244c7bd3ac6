package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chrome "github.com/cogmail/cogmail/lambda/dev/browser"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/preview"
	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/handler"
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

// The notices are photographed in a language of each direction, each once
// (with its report link if it offers one): they share the layout's blocks.
var noticeLanguages = []string{"en", "ar"}

// How long Chromium takes at most on an idle machine for one step (a page
// load, a screenshot: well under a second) and for the whole gallery script
// (under a minute; 60–70 s were measured at load average 12 on 2 cores).
// patience.For makes deadlines of them.
const (
	browserStep = 10 * time.Second
	galleryRun  = time.Minute
)

// TestE2EGallery opens the preview gallery's emails in Debian's Chromium,
// driven by Playwright: no email overflows sideways, and every button is on
// screen and clickable, at 375 and 600 px, light and dark. Each cell's email
// is opened on its own; the index, whose hundreds of iframes load only as
// they come on screen, is photographed and filtered. The screenshots stay in
// the test's artifact folder (go test -artifacts -outputdir DIR): the
// README's gallery.png is gallery-index.png.
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
		if e.Kind.Notice() && (e.Variant != "" || !slices.Contains(noticeLanguages, e.Language)) {
			continue
		}
		if !e.Kind.Notice() && e.Variant != "" {
			continue // sender mode: the Custom Message email's HTML, with other values
		}
		require.NotEmpty(t, e.Light, "%s: no email", e.Anchor())
		for _, scheme := range gallerySchemes {
			for _, w := range galleryWidths {
				c := cell{Name: fmt.Sprintf("%s-%s-%s-%s-%d", e.Tenant, e.Language, e.Name(), scheme, w),
					File: fileURL(out, e.Light), Scheme: scheme, Width: w, entry: e}
				if scheme == "dark" {
					c.Twin = fileURL(out, e.Dark)
				}
				cells = append(cells, c)
			}
		}
	}
	require.Len(t, cells, (len(galleryLanguages)*len(trigger.Kinds)+len(noticeLanguages)*len(trigger.Notices))*len(galleryWidths)*len(gallerySchemes))
	const filter = "default/ar"
	var wantFiltered []string
	for _, e := range g.Entries {
		if e.LangAnchor() == filter {
			wantFiltered = append(wantFiltered, e.Anchor())
		}
	}
	// Over http, as cogmail preview --serve shows it: Chromium loads lazy
	// iframes as they come on screen only from http(s); from a file:// URL
	// it loads all of them before the page's load event.
	srv := httptest.NewServer(http.FileServer(http.Dir(out)))
	defer srv.Close()
	jobCells := make([]map[string]any, len(cells))
	for i, c := range cells {
		jobCells[i] = map[string]any{"name": c.Name, "file": c.File, "twin": c.Twin, "scheme": c.Scheme, "width": c.Width}
	}
	job, err := json.Marshal(map[string]any{
		"chromium": chromium, "out": shots, "cells": jobCells, "timeout": patience.For(browserStep).Milliseconds(),
		"index": srv.URL + "/index.html", "filter": filter,
	})
	require.NoError(t, err)

	raw := runNode(t, root, "gallery-shots.js", job, patience.For(galleryRun))
	var report struct {
		OK       bool     `json:"ok"`
		Error    string   `json:"error"`
		Cells    []shot   `json:"cells"`
		Filtered []string `json:"filtered"`
		Index    struct {
			Shot string `json:"shot"`
		} `json:"index"`
		FilteredShot string `json:"filteredShot"`
		Took         struct{ Cells, Index int }
	}
	require.NoError(t, json.Unmarshal(raw, &report), "%s", raw)
	t.Logf("Chromium took %.1fs for %d cells, %.1fs for the index", float64(report.Took.Cells)/1000, len(cells), float64(report.Took.Index)/1000)
	require.True(t, report.OK, report.Error)
	require.Len(t, report.Cells, len(cells))

	for i, c := range cells {
		got := report.Cells[i]
		t.Run("case="+c.Name, func(t *testing.T) {
			require.Equal(t, c.Name, got.Name)
			assert.LessOrEqual(t, got.ScrollWidth, got.ClientWidth, "the email overflows sideways")
			if withButton[c.entry.Kind] || c.entry.Kind.Reportable() {
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
		require.NotEmpty(t, wantFiltered)
		assert.Equal(t, wantFiltered, report.Filtered, "a language's link shows its emails and no others")
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

// runNode runs one of infra/local's browser scripts on job and returns what
// it printed. The deadline ends a hung browser; the script bounds each of its
// own waits with the job's timeout.
func runNode(t *testing.T, root, script string, job []byte, deadline time.Duration) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(root, "infra", "local", script), string(job))
	cmd.Dir = filepath.Join(root, "infra", "local")
	cmd.Stderr = os.Stderr
	// Chromium, node's child, could hold the output open after node is
	// killed: stop waiting for it a little later.
	cmd.WaitDelay = patience.For(time.Second)
	began := time.Now()
	raw, err := cmd.Output()
	require.NoError(t, err, "%s after %s (deadline %s)", script, time.Since(began).Round(time.Second), deadline)
	t.Logf("%s took %s", script, time.Since(began).Round(100*time.Millisecond))
	return raw
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
