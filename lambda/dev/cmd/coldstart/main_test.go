package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/rie"
)

func TestParseInitTrace(t *testing.T) {
	out := []byte(`init internal/bytealg @0.006 ms, 0 ms clock, 0 bytes, 0 allocs
init runtime @0.043 ms, 0.059 ms clock, 0 bytes, 0 allocs
{"level":"INFO","msg":"signing keys loaded"}
init github.com/cogmail/cogmail/lambda/link @5.3 ms, 0.63 ms clock, 95440 bytes, 1351 allocs
init broken line
`)
	got := parseInitTrace(out)
	assert.Equal(t, map[string]time.Duration{
		"internal/bytealg":                       0,
		"runtime":                                59 * time.Microsecond,
		"github.com/cogmail/cogmail/lambda/link": 630 * time.Microsecond,
	}, got)
}

func TestMedian(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		var ds []time.Duration
		for _, v := range n {
			ds = append(ds, time.Duration(v)*time.Millisecond)
		}
		return ds
	}
	assert.Equal(t, 2*time.Millisecond, median(ms(3, 1, 2)))
	assert.Equal(t, 2500*time.Microsecond, median(ms(4, 1, 2, 3)))
}

// Only cogmail's rendered email counts as its first answer: a fallback or
// an event passed through would flatter it.
func TestRendered(t *testing.T) {
	for _, tc := range []struct {
		name, answer string
		ok           bool
	}{
		{"case=rendered", `{"response":{"emailMessage":"<!DOCTYPE html><a href=\"http://127.0.0.1:8088/reset?code={####}\">"}}`, true},
		{"case=minimal without link", `{"response":{"emailMessage":"<!DOCTYPE html><p>{####}</p>"}}`, false},
		{"case=passed through", `{"response":{"emailMessage":null}}`, false},
		{"case=not JSON", `<html>`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.ok, rendered([]byte(tc.answer)) == nil)
		})
	}
	assert.NoError(t, same([]byte(`{"a": 1}`), []byte("{\n  \"a\": 1\n}")))
	assert.Error(t, same([]byte(`{"a": 2}`), []byte(`{"a": 1}`)))
}

// The flags are checked before anything runs.
func TestUsage(t *testing.T) {
	var out bytes.Buffer
	assert.ErrorIs(t, run(context.Background(), []string{"-runs", "0"}, nil, &out, &out), errUsage)
	assert.ErrorIs(t, run(context.Background(), []string{"extra"}, nil, &out, &out), errUsage)
	assert.ErrorIs(t, run(context.Background(), []string{"-answer", "nope"}, nil, &out, &out), errUsage)
	err := run(context.Background(), []string{"-event", filepath.Join(t.TempDir(), "absent.json")}, nil, &out, &out)
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// make coldstart end to end, one cold start of each: both functions built
// as the Makefile builds them, through the real emulator.
func TestColdStart(t *testing.T) {
	root, err := rie.ModuleRoot()
	require.NoError(t, err)
	if _, err := rie.Find(root); err != nil {
		t.Skip("aws-lambda-rie not installed: run make tools")
	}
	goTool, err := exec.LookPath("go")
	require.NoError(t, err)
	dir := t.TempDir()
	for name, pkg := range map[string]string{"bootstrap": "./lambda/cmd/bootstrap", "echo": "./lambda/dev/rie/testdata/echo"} {
		build := exec.Command(goTool, "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, name), pkg)
		build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=0")
		out, err := build.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"-runs", "1", "-bootstrap", filepath.Join(dir, "bootstrap"), "-echo", filepath.Join(dir, "echo"),
		"-event", filepath.Join(root, "events", "forgot-password.json")}, os.Environ(), &stdout, &stderr)
	require.NoError(t, err, stderr.String())
	for _, want := range []string{"cogmail  median", "echo     median", "ratio cogmail/echo:", "package init", "its own packages"} {
		assert.Contains(t, stdout.String(), want)
	}
}
