// Command page serves the reference page behind cogmail's links on this
// machine, for development and the end-to-end tests: the same handler the
// Function URL runs.
//
// It reads COGMAIL_PAGE_ADDR (default 127.0.0.1:8088; a non-loopback address
// needs -public), COGMAIL_PAGE_CONFIG, the keyring variables of package keys
// (with -public or behind a proxy, never the development keyring),
// COGMAIL_TEMPLATES_DIR and the AWS SDK's own variables.
//
// Behind a proxy that terminates TLS, pass -behind-proxy (or set
// COGMAIL_PAGE_BEHIND_PROXY=true): only then is X-Forwarded-Proto: https
// believed, which makes the cookie Secure and adds Strict-Transport-Security.
// Without it a client could claim HTTPS it does not have.
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
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
)

// EnvAddr is the address to listen on.
const EnvAddr = "COGMAIL_PAGE_ADDR"

// EnvBehindProxy, true, says a proxy terminates TLS in front of the page
// and sets X-Forwarded-Proto (the -behind-proxy flag says the same).
const EnvBehindProxy = "COGMAIL_PAGE_BEHIND_PROXY"

const defaultAddr = "127.0.0.1:8088"

func main() {
	public := flag.Bool("public", false, "allow listening on a non-loopback address")
	behindProxy := flag.Bool("behind-proxy", false, "believe X-Forwarded-Proto from a proxy that terminates TLS (or "+EnvBehindProxy+"=true)")
	flag.Parse()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// keys.Getenv: a keyring variable set to "" is an error, never "unset"
	// and the public development keyring.
	getenv := keys.Getenv
	if *behindProxy {
		getenv = func(name string) string {
			if name == EnvBehindProxy {
				return "true"
			}
			return keys.Getenv(name)
		}
	}
	if err := run(ctx, *public, getenv, logger); err != nil {
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
	var later sync.WaitGroup // work the page does after its answers
	h, err := newPage(getenv, public, logger, &later)
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
	// A new email asked for just before the signal still goes out.
	done := make(chan struct{})
	go func() { later.Wait(); close(done) }()
	select {
	case <-done:
	case <-shutdownCtx.Done():
		logger.Warn("stopped before the work after some answers was done")
	}
	return nil
}

// newHandler builds the page from the environment. A page others reach
// (-public, or behind a proxy, which is there to serve others) refuses the
// development key (by its id or its bytes): whoever reaches it could
// otherwise sign their own links, set passwords with them, and have it
// email any user they name.
func newHandler(getenv func(string) string, public bool, logger *slog.Logger) (http.Handler, error) {
	return newPage(getenv, public, logger, new(sync.WaitGroup))
}

// newPage is newHandler counting the work the page starts after its
// answers in later, so that run can let it finish.
func newPage(getenv func(string) string, public bool, logger *slog.Logger, later *sync.WaitGroup) (http.Handler, error) {
	behindProxy := false
	if v := getenv(EnvBehindProxy); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: want true or false", EnvBehindProxy, v)
		}
		behindProxy = b
	}
	cfg, err := page.LoadConfig(getenv)
	if err != nil {
		return nil, err
	}
	cfg.TrustForwardedProto = behindProxy
	cfg.After = func(_ context.Context, work func()) { later.Go(work) }
	if public || behindProxy {
		if err := keys.RefuseDevelopment(cfg.Keyring); err != nil {
			why := "-public"
			if !public {
				why = "-behind-proxy (" + EnvBehindProxy + ")"
			}
			return nil, fmt.Errorf("%s: others reach this page: %w: set %s or %s", why, err, keys.EnvSecretARN, keys.EnvSigningKeys)
		}
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
