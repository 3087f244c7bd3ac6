package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdaurl"

	"github.com/cogmail/cogmail/lambda/page"
)

// functionHandler is the Lambda handler behind the Function URL: lambdaurl
// around the page, after checking that the event's URL reads as a request.
// lambdaurl fails on one that does not, with an error that quotes the whole
// URL, query included (a username, a code), and aws-lambda-go logs that
// error: such a request is answered 400 here, and logged without it.
func functionHandler(h http.Handler, a *afterwork, logger *slog.Logger) func(context.Context, *events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error) {
	serve := lambdaurl.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer a.handled(r.Context())
		withCookies(h).ServeHTTP(w, r)
	}))
	return func(ctx context.Context, ev *events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error) {
		if !readable(ev) {
			a.handled(ctx)
			logger.LogAttrs(ctx, slog.LevelWarn, "page", slog.String("method", ev.RequestContext.HTTP.Method),
				slog.String("route", "other"), slog.String("outcome", "refused"), slog.String("reason", "unreadable request URL"))
			return plain(http.StatusBadRequest, "This address cannot be read.\n"), nil
		}
		res, err := serve(ctx, ev)
		if err != nil { // not reached: readable checked what lambdaurl checks
			a.handled(ctx)
			logger.LogAttrs(ctx, slog.LevelError, "page", slog.String("outcome", "error"), slog.String("reason", "request not built"))
			return plain(http.StatusBadRequest, "This address cannot be read.\n"), nil
		}
		return res, nil
	}
}

// readable reports whether lambdaurl can build a request from ev: it does
// what lambdaurl.Wrap does before calling the handler.
func readable(ev *events.LambdaFunctionURLRequest) bool {
	u := "https://" + ev.RequestContext.DomainName + ev.RawPath
	if ev.RawQueryString != "" {
		u += "?" + ev.RawQueryString
	}
	_, err := http.NewRequest(ev.RequestContext.HTTP.Method, u, nil)
	return err == nil
}

// plain is an answer of the page's own making, with its headers: for a
// page that is not configured yet, or a request that cannot be read.
func plain(status int, text string) *events.LambdaFunctionURLStreamingResponse {
	return &events.LambdaFunctionURLStreamingResponse{
		StatusCode: status,
		Headers: map[string]string{
			"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
			"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
			"Strict-Transport-Security": page.HSTS,
		},
		Body: strings.NewReader(text),
	}
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
