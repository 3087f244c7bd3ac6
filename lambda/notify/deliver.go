package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	cogmail "github.com/cogmail/cogmail/lambda/mail"
	"github.com/cogmail/cogmail/lambda/once"
)

// notify serves the wrapper and CloudTrail events: the asynchronous half.
// Its error means "try again": Lambda does, twice, then keeps the event in
// the dead-letter queue.
func (n *Notifier) notify(ctx context.Context, in input, rec *record) error {
	rec.name, rec.kind, rec.pool, rec.id = in.name, string(in.kind), in.pool, in.id
	rec.warning = join(rec.warning, in.warning)
	if in.reason != "" {
		rec.outcome, rec.reason = outcomeIgnored, in.reason
		return nil
	}
	if in.cloudTrail() {
		skip, err := n.lookup(ctx, &in)
		rec.pool = in.pool
		switch {
		case err != nil:
			rec.outcome, rec.err, rec.retryable = outcomeFailed, err, true
			return err
		case skip != "":
			rec.outcome, rec.reason = outcomeSkipped, skip
			return nil
		}
	}
	return n.send(ctx, in, rec)
}

// send routes, writes, claims and sends in's notice.
func (n *Notifier) send(ctx context.Context, in input, rec *record) error {
	tg, skip := n.route(in, rec)
	if skip != "" {
		rec.outcome, rec.reason = outcomeSkipped, skip
		return nil
	}
	return n.sendTo(ctx, in, tg, rec)
}

// sendTo writes, claims and sends in's notice to tg.
func (n *Notifier) sendTo(ctx context.Context, in input, tg target, rec *record) error {
	msg, err := n.write(ctx, in, tg, rec)
	if err != nil {
		rec.outcome, rec.err = outcomeFailed, err
		return err
	}
	return n.deliver(ctx, in.id, msg, tg.configurationSet, rec)
}

// errInFlight: another attempt holds the claim now. It will mark the notice
// sent or release it; this attempt fails, so that Lambda tries again later
// and finds which.
var errInFlight = errors.New("another attempt is sending this notice now")

// deliver claims id, sends, and marks it sent, or releases it when the send
// failed, so that a retry can send.
func (n *Notifier) deliver(ctx context.Context, id string, msg cogmail.Message, set string, rec *record) error {
	if n.ses == nil {
		rec.outcome = outcomeFailed
		rec.err = errors.New("ses: no client configured")
		return rec.err
	}
	if n.cfg.Claims != nil {
		got, err := n.cfg.Claims.Claim(ctx, id)
		switch {
		case err != nil:
			rec.outcome, rec.retryable = outcomeFailed, true
			rec.err = fmt.Errorf("dynamodb: claim: %s", safeError(err))
			return rec.err
		case got == once.Done:
			rec.outcome, rec.reason = outcomeDuplicate, "already sent"
			return nil
		case got == once.InFlight:
			rec.outcome, rec.retryable, rec.err = outcomeFailed, true, errInFlight
			return errInFlight
		}
	}
	messageID, err := n.ses.Send(ctx, msg, set)
	if err != nil {
		rec.outcome, rec.err, rec.retryable = outcomeFailed, err, cogmail.Retryable(err)
		if n.cfg.Claims != nil {
			// A context of its own: the send may have used up ctx.
			rctx, cancel := detached(ctx)
			defer cancel()
			if rerr := n.cfg.Claims.Release(rctx, id); rerr != nil {
				rec.err = errors.Join(err, fmt.Errorf("dynamodb: release: %s", safeError(rerr)))
			}
		}
		return rec.err
	}
	rec.outcome, rec.messageID = outcomeSent, messageID
	if n.cfg.Claims != nil {
		mctx, cancel := detached(ctx)
		defer cancel()
		if err := n.cfg.Claims.Mark(mctx, id); err != nil {
			// Sent: not an error to retry (that would send again).
			rec.warning = join(rec.warning, "sent, but not marked sent: a copy of this event after "+
				once.DefaultStale.String()+" would send again: "+safeError(err))
		}
	}
	return nil
}

// detached is a context for the bookkeeping after a send, which must run
// even when the send used up ctx's time, but not for ever.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
}

const bookkeepingTimeout = 3 * time.Second
