// Command page serves the reference page behind cogmail's links on this
// machine, for development and the end-to-end tests: the same handler the
// Function URL runs.
//
// It reads COGMAIL_PAGE_ADDR (default 127.0.0.1:8088; a non-loopback address
// needs -public), COGMAIL_PAGE_CONFIG, the keyring variables of package keys,
// COGMAIL_TEMPLATES_DIR and the AWS SDK's own variables.
//
// When its Cognito is on this machine (cognito-local, through
// AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER), it also serves /signin, the
// local stack's sign-in page: no application answers signInUrl there.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

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
	h, err := newHandler(getenv, logger)
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

// newHandler builds the page from the environment.
func newHandler(getenv func(string) string, logger *slog.Logger) (http.Handler, error) {
	cfg, err := page.LoadConfig(getenv)
	if err != nil {
		return nil, err
	}
	cfg.Logger = logger
	if cfg.LocalSignIn = localCognito(cfg.Cognito); cfg.LocalSignIn {
		logger.Info("serving the local sign-in page", "path", page.SignInPath)
	}
	return page.New(cfg)
}

// localCognito reports whether the client's endpoint, as the SDK resolved
// it from the environment, is on this machine: cognito-local, never AWS.
func localCognito(c page.Cognito) bool {
	client, ok := c.(*cip.Client)
	if !ok {
		return false
	}
	endpoint := aws.ToString(client.Options().BaseEndpoint)
	u, err := url.Parse(endpoint)
	return endpoint != "" && err == nil && (u.Scheme == "http" || u.Scheme == "https") && link.Loopback(u.Hostname())
}
