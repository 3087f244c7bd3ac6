// Package browser runs Debian's headless Chromium for tests that must see what
// a person sees: how a mail client's HTML parser reads an email, and what it
// looks like.
package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// ErrNotFound means no Chromium is installed; tests skip with its text.
var ErrNotFound = errors.New("chromium not on PATH: install Debian's chromium package (apt-get install chromium); .ci/run does")

// Find returns the Chromium binary.
func Find() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// flags keep Chromium off the network (this machine has none, and a test
// must not depend on it) and out of any profile but a fresh one.
func flags(profile string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--mute-audio", "--hide-scrollbars",
		"--user-data-dir=" + profile,
	}
}

// DumpDOM loads an HTML file, runs its scripts, and returns the document as
// Chromium serialises it.
func DumpDOM(ctx context.Context, bin, file string) ([]byte, error) {
	profile, err := os.MkdirTemp("", "cogmail-chromium-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	args := append(flags(profile), "--dump-dom", fileURL(file))
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("chromium --dump-dom: %w\n%s", err, stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// Screenshot writes a PNG of an HTML file at the given window size.
func Screenshot(ctx context.Context, bin, file, png string, width, height int) error {
	profile, err := os.MkdirTemp("", "cogmail-chromium-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	args := append(flags(profile),
		"--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height),
		"--screenshot="+png, fileURL(file))
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("chromium --screenshot: %w\n%s", err, stderr.Bytes())
	}
	return nil
}

// fileURL escapes the path: a test's temporary folder is named after the
// test, and a '#' or '?' there would cut a plain "file://"+path short.
func fileURL(file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	return (&url.URL{Scheme: "file", Path: abs}).String()
}
