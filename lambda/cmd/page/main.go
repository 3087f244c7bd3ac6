// Command page serves the reference page behind cogmail's links on this
// machine, for development and the end-to-end tests: the same handler the
// Function URL runs.
//
// It reads COGMAIL_PAGE_ADDR (default 127.0.0.1:8088; a non-loopback address
// needs -public), COGMAIL_PAGE_CONFIG, the keyring variables of package keys,
// COGMAIL_TEMPLATES_DIR and the AWS SDK's own variables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
)

// EnvAddr is the address to listen on.
const EnvAddr = "COGMAIL_PAGE_ADDR"

const defaultAddr = "127.0.0.1:8088"

func main() {
	public := flag.Bool("public", false, "allow listening on a non-loopback address")
	flag.Parse()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *public, os.Getenv, logger); err != nil {
		logger.Error("page server stopped", "error", err.Error())
		os.Exit(1)
	}
}

func run(ctx context.Context, public bool, getenv func(string) string, logger *slog.Logger) error {
	addr := getenv(EnvAddr)
	if addr == "" {
		addr = defaultAddr
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s: %w", EnvAddr, err)
	}
	// The page sets passwords: exposing it by accident is worse than a flag.
	if !public && !link.Loopback(host) {
		return fmt.Errorf("%s=%s is not a loopback address; pass -public to listen there", EnvAddr, addr)
	}
	cfg, err := page.LoadConfig(getenv)
	if err != nil {
		return err
	}
	cfg.Logger = logger
	h, err := page.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("page listening", "addr", ln.Addr().String())
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
