// Package logging builds the one logger every function writes with: JSON
// lines on stderr, at the level Lambda's AWS_LAMBDA_LOG_LEVEL names, each
// carrying the invocation's request id.
package logging

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

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

// NewTo is New writing to w. Its lines write an Inline attribute's members
// themselves (metrics.Line: the trigger's warm path).
func NewTo(w io.Writer, getenv func(string) string) *slog.Logger {
	s := &splicer{w: w}
	level := Level(getenv(EnvLevel))
	return slog.New(requestID{slog.NewJSONHandler(s, &slog.HandlerOptions{Level: level}), s,
		slog.NewJSONHandler(s, &slog.HandlerOptions{Level: level, ReplaceAttr: levelName})})
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
// write DEBUG-4 and ERROR+4: Lambda filters JSON lines by this name. Every
// level becomes a string: slog would hand a slog.Level to encoding/json
// (its MarshalJSON), a cost on every line.
func levelName(groups []string, a slog.Attr) slog.Attr {
	if a.Key != slog.LevelKey || len(groups) > 0 {
		return a
	}
	l, ok := a.Value.Any().(slog.Level)
	if !ok {
		return a // an attribute named level, not the record's
	}
	switch l {
	case LevelTrace:
		a.Value = slog.StringValue("TRACE")
	case LevelFatal:
		a.Value = slog.StringValue("FATAL")
	default:
		a.Value = slog.StringValue(l.String())
	}
	return a
}

// RequestIDKey is the member holding the Lambda request id.
const RequestIDKey = "requestId"

// Wrap returns a handler adding the request id of the Lambda invocation in
// a record's context, if any, to every record.
func Wrap(h slog.Handler) slog.Handler { return requestID{h, nil, nil} }

// Inline is an empty-keyed attribute's value whose members NewTo's handler
// writes as JSON itself, at the top level of the line, where slog would
// resolve it (LogValue) and encode each member: metrics.Line, whose
// directives and floats slog hands to encoding/json, most of a line's cost.
type Inline interface {
	slog.LogValuer
	// AppendJSON appends the members, each after a comma.
	AppendJSON([]byte) []byte
	// Inlined(true) makes LogValue an empty group (slog then writes
	// nothing), while AppendJSON's members are spliced in.
	Inlined(bool)
}

type requestID struct {
	slog.Handler
	s *splicer // nil for Wrap: no Inline fast path
	// named writes TRACE and FATAL lines (levelName); nil for Wrap. The
	// others skip ReplaceAttr, which costs slog a detour for every member.
	named slog.Handler
}

func (h requestID) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		r.AddAttrs(slog.String(RequestIDKey, lc.AwsRequestID))
	}
	if h.s == nil {
		return h.Handler.Handle(ctx, r)
	}
	out := h.Handler
	if r.Level == LevelTrace || r.Level == LevelFatal {
		out = h.named
	}
	var in Inline
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "" && a.Value.Kind() == slog.KindLogValuer {
			in, _ = a.Value.Any().(Inline)
		}
		return in == nil
	})
	// Every line, spliced or not, holds the lock: the splicer's pending
	// members belong to the one line being written.
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	if in == nil {
		return out.Handle(ctx, r)
	}
	h.s.members = in.AppendJSON(h.s.members[:0])
	in.Inlined(true)
	defer in.Inlined(false)
	err := out.Handle(ctx, r)
	h.s.members = h.s.members[:0]
	return err
}

func (h requestID) WithAttrs(attrs []slog.Attr) slog.Handler {
	if h.named != nil {
		h.named = h.named.WithAttrs(attrs)
	}
	return requestID{h.Handler.WithAttrs(attrs), h.s, h.named}
}

func (h requestID) WithGroup(name string) slog.Handler {
	if h.named != nil {
		h.named = h.named.WithGroup(name)
	}
	return requestID{h.Handler.WithGroup(name), h.s, h.named}
}

// splicer is the JSON handler's writer: it writes each line in one Write,
// with the pending members (if any) before its closing brace, so they sit
// at the top level whatever groups the line opened.
type splicer struct {
	mu      sync.Mutex
	w       io.Writer
	members []byte // set under mu by requestID.Handle
	line    []byte // reused
}

func (s *splicer) Write(p []byte) (int, error) {
	if len(s.members) == 0 || !bytes.HasSuffix(p, []byte("}\n")) {
		return s.w.Write(p)
	}
	s.line = append(append(append(s.line[:0], p[:len(p)-2]...), s.members...), "}\n"...)
	if _, err := s.w.Write(s.line); err != nil {
		return 0, err
	}
	return len(p), nil
}
