package handler_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/internal/logging"
)

// Warm invocations: what Cognito waits for on every message once the
// function is up. Logs go to io.Discard through the functions' own logger
// (lambda/internal/logging), which writes the metrics itself, so the figure
// is the handler's and its log line's as deployed.
func benchmarkEvent(b *testing.B, name string) {
	h, _ := fixture(b, func(c *handler.Config) { c.Logger = logging.NewTo(io.Discard, func(string) string { return "" }) })
	payload := readEvent(b, name)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := h.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWarmReset(b *testing.B)  { benchmarkEvent(b, "forgot-password") }
func BenchmarkWarmInvite(b *testing.B) { benchmarkEvent(b, "admin-create-user") }

// BenchmarkColdSetup is the work done once per cold start, before the first
// event: the keyring (from the environment here), the renderer, which parses
// nothing yet, and the default tenant, read without validation (embedded).
func BenchmarkColdSetup(b *testing.B) {
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	getenv := func(string) string { return "" }
	b.ReportAllocs()
	for b.Loop() {
		handler.Setup(context.Background(), getenv, logger)
	}
}

// BenchmarkColdFirstMessage is a cold start's whole own work, set-up and
// the first event's answer: routing (which reads every tenant once), the
// layout and the reset template parsed, the English catalog read, the
// template executed once. A process's first run of it also pays for its
// code's first use, which this loop does not: make coldstart measures that.
func BenchmarkColdFirstMessage(b *testing.B) {
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	getenv := func(string) string { return "" }
	payload := readEvent(b, "forgot-password")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := handler.Setup(ctx, getenv, logger).Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}
