// Command pagefn is the reference page in Lambda behind a Function URL
// (InvokeMode RESPONSE_STREAM, which the lambdaurl adapter requires). It
// reads the same variables as lambda/cmd/page, but not COGMAIL_PAGE_ADDR;
// when COGMAIL_PAGE_CONFIG is empty it reads that JSON from the Secrets
// Manager secret COGMAIL_PAGE_CONFIG_SECRET names (see config.go).
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdaurl"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(logger)
	h, err := setup(context.Background(), os.Getenv, logger, time.Now)
	if err != nil {
		logger.Error("page configuration", "error", err.Error())
		os.Exit(1)
	}
	lambdaurl.Start(withCookies(h))
}

// withCookies restores the Cookie header: a Function URL event carries
// cookies in their own field, which lambdaurl does not copy into the
// request, and the page's CSRF check needs them.
func withCookies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ev, ok := lambdaurl.RequestFromContext(r.Context()); ok && len(ev.Cookies) > 0 && r.Header.Get("Cookie") == "" {
			r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
		}
		next.ServeHTTP(w, r)
	})
}
