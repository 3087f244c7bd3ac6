package sender

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/smithy-go"

	"github.com/cogmail/cogmail/lambda/internal/metrics"
)

// Outcomes, as logged.
const (
	outcomeSent      = "sent"
	outcomeSkipped   = "skipped"   // deliberately not sent: the reason says why
	outcomeDuplicate = "duplicate" // sent already, by an earlier copy of the event
	// outcomeDropped: no attempt can send it (logged at ERROR, for an
	// alarm); the invocation succeeds, so Lambda does not retry.
	outcomeDropped = "dropped"
	// outcomeFailed: an error; Lambda retries, then the dead-letter queue
	// keeps the event.
	outcomeFailed = "failed"
)

// reasonKindOff is a skip that is configuration, not a problem: logged at
// INFO.
const reasonKindOff = "the tenant does not send this notice"

// record is one invocation's log line. It holds no code, ciphertext,
// address, username, name or sub: the trigger source, kind, pool, tenant,
// locale, outcome, reason, the claim's id (a hash) and the timings.
type record struct {
	trigger, kind, pool, id  string
	tenant, tenantBy         string
	locale, localeFrom       string
	outcome, reason, warning string
	messageID                string
	retryable                bool
	err                      error
	decryptTime, renderTime  time.Duration
	sendTime                 time.Duration
}

// drop records a permanent failure: nil, so that Lambda does not retry.
func (r *record) drop(reason string, err error) error {
	r.outcome, r.reason, r.err, r.retryable = outcomeDropped, reason, err, false
	return nil
}

// fail records a failure and returns it, for Lambda to retry; retryable
// says whether a retry may cure it (else only the dead-letter queue's
// redrive, after a fix, will).
func (r *record) fail(err error, retryable bool) error {
	r.outcome, r.err, r.retryable = outcomeFailed, err, retryable
	return err
}

// minSecret is the shortest value scrubbed from a log line's texts: a
// shorter one (a one-letter username) would shred the line, and the texts
// are written without data in the first place.
const minSecret = 4

func (r *record) log(ctx context.Context, logger *slog.Logger, d time.Duration, spec *metrics.Spec, secrets ...string) {
	level := slog.LevelInfo
	switch {
	case r.outcome == outcomeFailed, r.outcome == outcomeDropped:
		level = slog.LevelError
	case r.err != nil, r.warning != "", r.outcome == outcomeSkipped && r.reason != reasonKindOff:
		level = slog.LevelWarn
	}
	scrub := scrubber(secrets)
	attrs := []slog.Attr{
		slog.String("trigger", r.trigger),
		slog.String("outcome", r.outcome),
		slog.Float64("duration_ms", ms(d)),
	}
	for _, a := range []struct{ key, value string }{
		{"kind", r.kind}, {"pool", r.pool}, {"id", r.id},
		{"tenant", r.tenant}, {"tenant_by", r.tenantBy}, {"locale", r.locale}, {"locale_from", r.localeFrom},
		{"reason", scrub.Replace(r.reason)}, {"warning", scrub.Replace(r.warning)}, {"ses_message_id", r.messageID},
	} {
		if a.value != "" {
			attrs = append(attrs, slog.String(a.key, a.value))
		}
	}
	for _, t := range []struct {
		key string
		d   time.Duration
	}{{"decrypt_ms", r.decryptTime}, {"render_ms", r.renderTime}, {"send_ms", r.sendTime}} {
		if t.d > 0 {
			attrs = append(attrs, slog.Float64(t.key, ms(t.d)))
		}
	}
	if r.err != nil {
		attrs = append(attrs, slog.String("error", scrub.Replace(r.err.Error())), slog.Bool("retryable", r.retryable))
	}
	attrs = spec.Append(append(attrs, slog.String(metrics.DimKind, cmp.Or(r.kind, metrics.KindOther)),
		slog.String(metrics.DimOutcome, r.outcome), slog.Int(metrics.Sent, 1)), time.Now())
	logger.LogAttrs(ctx, level, "custom email sender", attrs...)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// scrubber blanks secrets out of a text: the last defence, should an
// error ever quote one.
func scrubber(secrets []string) *strings.Replacer {
	var pairs []string
	for _, s := range secrets {
		if len(s) >= minSecret {
			pairs = append(pairs, s, "[redacted]")
		}
	}
	return strings.NewReplacer(pairs...)
}

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
