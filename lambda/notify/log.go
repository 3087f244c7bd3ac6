package notify

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/smithy-go"

	"github.com/cogmail/cogmail/lambda/internal/metrics"
)

// Outcomes, as logged.
const (
	outcomeSent      = "sent"
	outcomeHandedOff = "handed-off" // the Post confirmation event went to the asynchronous half
	outcomeSkipped   = "skipped"    // deliberately not sent: the reason says why
	outcomeDuplicate = "duplicate"  // sent already, by an earlier copy of the event
	outcomeIgnored   = "ignored"    // not an event, or not a call, the notifier serves
	outcomeFailed    = "failed"     // an error: Lambda retries (not the Post confirmation half)
)

// record is one invocation's log line. It holds no address, username, name
// or sub: the input, the event id, tenant, kind, pool, outcome and reason.
type record struct {
	input, name, id, kind, pool string
	tenant, tenantBy            string
	locale, localeFrom          string
	outcome, reason, warning    string
	messageID                   string
	retryable                   bool
	err                         error
}

func (r *record) log(ctx context.Context, logger *slog.Logger, d time.Duration, spec *metrics.Spec) {
	level := slog.LevelInfo
	switch {
	case r.outcome == outcomeFailed:
		level = slog.LevelError
	case r.err != nil, r.warning != "", r.outcome == outcomeSkipped && r.reason != reasonKindOff:
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("input", r.input),
		slog.String("outcome", r.outcome),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
	}
	for _, a := range []struct{ key, value string }{
		{"event", r.name}, {"id", r.id}, {"kind", r.kind}, {"pool", r.pool},
		{"tenant", r.tenant}, {"tenant_by", r.tenantBy}, {"locale", r.locale}, {"locale_from", r.localeFrom},
		{"reason", r.reason}, {"warning", r.warning}, {"ses_message_id", r.messageID},
	} {
		if a.value != "" {
			attrs = append(attrs, slog.String(a.key, a.value))
		}
	}
	if r.err != nil {
		attrs = append(attrs, slog.String("error", r.err.Error()), slog.Bool("retryable", r.retryable))
	}
	attrs = spec.Append(append(attrs, slog.String(metrics.DimKind, cmp.Or(r.kind, metrics.KindOther)),
		slog.String(metrics.DimOutcome, r.outcome), slog.Int(metrics.Notices, 1)), time.Now())
	logger.LogAttrs(ctx, level, "notice", attrs...)
}

// reasonKindOff is a skip that is configuration, not a problem: logged at
// INFO.
const reasonKindOff = "the tenant does not send this notice"

// safeError is err's text for a log line: for an AWS API error, the service,
// the operation and the error's code, never its message, which may quote
// the request (an address, a username).
func safeError(err error) string {
	if err == nil {
		return ""
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return err.Error()
	}
	var op *smithy.OperationError
	if errors.As(err, &op) {
		return op.Service() + " " + op.Operation() + ": " + api.ErrorCode()
	}
	return api.ErrorCode()
}
