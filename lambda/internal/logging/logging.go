// Package logging builds the one logger every function writes with: JSON
// lines on stderr, at the level Lambda's AWS_LAMBDA_LOG_LEVEL names, each
// carrying the invocation's request id.
package logging

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// EnvLevel is the variable Lambda sets from the function's
// ApplicationLogLevel.
const EnvLevel = "AWS_LAMBDA_LOG_LEVEL"

// Levels beyond slog's four, as Lambda names them.
const (
	LevelTrace = slog.LevelDebug - 4
	LevelFatal = slog.LevelError + 4
)

// New is the functions' logger, writing to stderr.
func New(getenv func(string) string) *slog.Logger { return NewTo(os.Stderr, getenv) }

// NewTo is New writing to w.
func NewTo(w io.Writer, getenv func(string) string) *slog.Logger {
	return slog.New(Wrap(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: Level(getenv(EnvLevel)), ReplaceAttr: levelName,
	})))
}

// Level reads a Lambda log level; anything else (unset included) is INFO.
func Level(name string) slog.Level {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "TRACE":
		return LevelTrace
	case "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR":
		return slog.LevelError
	case "FATAL":
		return LevelFatal
	}
	return slog.LevelInfo
}

// levelName writes TRACE and FATAL as Lambda names them, where slog would
// write DEBUG-4 and ERROR+4: Lambda filters JSON lines by this name.
func levelName(groups []string, a slog.Attr) slog.Attr {
	if a.Key != slog.LevelKey || len(groups) > 0 {
		return a
	}
	switch a.Value.Any() {
	case LevelTrace:
		a.Value = slog.StringValue("TRACE")
	case LevelFatal:
		a.Value = slog.StringValue("FATAL")
	}
	return a
}

// RequestIDKey is the member holding the Lambda request id.
const RequestIDKey = "requestId"

// Wrap returns a handler adding the request id of the Lambda invocation in
// a record's context, if any, to every record.
func Wrap(h slog.Handler) slog.Handler { return requestID{h} }

type requestID struct{ slog.Handler }

func (h requestID) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		r.AddAttrs(slog.String(RequestIDKey, lc.AwsRequestID))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestID) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestID{h.Handler.WithAttrs(attrs)}
}

func (h requestID) WithGroup(name string) slog.Handler { return requestID{h.Handler.WithGroup(name)} }
