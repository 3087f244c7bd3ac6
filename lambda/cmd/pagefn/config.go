package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/page"
)

// EnvConfigSecret names the Secrets Manager secret (name or ARN) holding the
// page's configuration JSON: template.yaml creates it as <stack>-page-config
// (from the PageConfig parameter, or for the demo pool) and refers to it by
// name, so the page does not depend on the pool, whose trigger depends on
// the page's URL.
const EnvConfigSecret = "COGMAIL_PAGE_CONFIG_SECRET"

// A failed read of the secret is tried again on a later request, at most
// this often: a passing fault at cold start must not leave the page down
// until the next deployment, nor every request wait on Secrets Manager.
const retryEvery = 30 * time.Second

// setup builds the page. Inside Lambda the configuration (an app client's
// secret, the CSRF key) comes only from the secret COGMAIL_PAGE_CONFIG_SECRET
// names: an environment variable is readable by anyone allowed
// lambda:GetFunctionConfiguration, so COGMAIL_PAGE_CONFIG there is an error.
// Outside Lambda (a local run) COGMAIL_PAGE_CONFIG, when set, wins, and a
// bad one is fatal. A page that cannot be built from the secret yet
// answers 503 until a later try works. after runs the work the page starts
// after its answers.
func setup(ctx context.Context, getenv func(string) string, logger *slog.Logger, now func() time.Time, after func(context.Context, func())) (http.Handler, error) {
	build := func(getenv func(string) string) (http.Handler, error) {
		cfg, err := page.LoadConfig(getenv)
		if err != nil {
			return nil, err
		}
		// A Function URL is HTTPS only, and says so in X-Forwarded-Proto.
		cfg.Logger, cfg.After, cfg.TrustForwardedProto = logger, after, true
		return page.New(cfg)
	}
	secret := strings.TrimSpace(getenv(EnvConfigSecret))
	inline := strings.TrimSpace(getenv(page.EnvConfig)) != ""
	if inline && keys.InLambda(getenv) {
		return nil, fmt.Errorf("%s is not read inside Lambda, where any holder of lambda:GetFunctionConfiguration reads environment variables: "+
			"put the configuration in the Secrets Manager secret %s names (template.yaml's PageConfig parameter does)", page.EnvConfig, EnvConfigSecret)
	}
	if inline || secret == "" {
		return build(getenv)
	}
	l := &lazy{logger: logger, now: now, build: func(ctx context.Context) (http.Handler, error) {
		value, err := readSecret(ctx, secret, secretTimeout)
		if err != nil {
			return nil, err
		}
		return build(func(name string) string {
			if name == page.EnvConfig {
				return value
			}
			return getenv(name)
		})
	}}
	l.get(ctx) // at cold start; a failure is logged and tried again later
	return l, nil
}

// lazy is a page built on first success: until then every request gets a
// 503, and a build is tried at most every retryEvery.
type lazy struct {
	build  func(context.Context) (http.Handler, error)
	now    func() time.Time
	logger *slog.Logger

	h     atomic.Pointer[http.Handler]
	mu    sync.Mutex // one build at a time
	last  time.Time
	tries int
}

func (l *lazy) get(ctx context.Context) http.Handler {
	if h := l.h.Load(); h != nil {
		return *h
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if h := l.h.Load(); h != nil {
		return *h
	}
	if l.tries > 0 && l.now().Sub(l.last) < retryEvery {
		return nil
	}
	l.tries++
	l.last = l.now()
	h, err := l.build(ctx)
	if err != nil {
		l.logger.Error("page configuration unavailable: answering 503, trying again on a request at least 30 s from now",
			"error", err.Error(), "tries", l.tries)
		return nil
	}
	if l.tries > 1 {
		l.logger.Info("page configuration loaded", "tries", l.tries)
	}
	l.h.Store(&h)
	return h
}

func (l *lazy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := l.get(r.Context()); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	// The page's own headers, for a page that is not there yet.
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	w.Header().Set("Strict-Transport-Security", page.HSTS)
	w.Header().Set("Retry-After", "30")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte("This page is not available right now. Please try again in a minute.\n"))
}
