package handler_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/cogmail/cogmail/lambda/handler"
)

// Warm invocations: what Cognito waits for on every message once the
// function is up. Logs go to io.Discard so the figure is the handler's.
func benchmarkEvent(b *testing.B, name string) {
	h, _ := fixture(b, func(c *handler.Config) { c.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil)) })
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

// BenchmarkColdSetup is the work done once per cold start: parsing every
// template and catalog, loading the tenant and the keyring.
func BenchmarkColdSetup(b *testing.B) {
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	getenv := func(string) string { return "" }
	b.ReportAllocs()
	for b.Loop() {
		handler.Setup(context.Background(), getenv, logger)
	}
}
