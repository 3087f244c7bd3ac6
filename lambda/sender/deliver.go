package sender

import (
	"context"
	"errors"
	"fmt"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	cogmail "github.com/cogmail/cogmail/lambda/mail"
	"github.com/cogmail/cogmail/lambda/once"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// send serves one event. Its error means "try again": Lambda does, twice,
// then keeps the event in the dead-letter queue. A permanent failure is
// recorded as dropped, and nil.
func (s *Sender) send(ctx context.Context, in *input, rec *record) error {
	msg, set, ok, err := s.prepare(ctx, in, rec)
	if err != nil || !ok {
		return err
	}
	return s.deliver(ctx, in.id(), msg, set, rec)
}

// prepare writes in's email and returns it with the SES configuration set
// to send it in; ok is false when there is nothing to send (rec says why:
// dropped or skipped), err a failure to retry.
func (s *Sender) prepare(ctx context.Context, in *input, rec *record) (msg cogmail.Message, set string, ok bool, err error) {
	if in.reason != "" {
		return msg, "", false, rec.drop(in.reason, nil)
	}
	if in.kind == trigger.Takeover {
		drop, err := s.lookup(ctx, in)
		switch {
		case err != nil:
			return msg, "", false, rec.fail(err, true)
		case drop != "":
			return msg, "", false, rec.drop(drop, nil)
		}
	} else if err := s.decrypt(ctx, in, rec); err != nil {
		if retryable(err) {
			return msg, "", false, rec.fail(err, true)
		}
		return msg, "", false, rec.drop("the code did not decrypt", err)
	}
	tg, skip, drop, err := s.route(*in, rec)
	switch {
	case err != nil:
		return msg, "", false, rec.fail(err, false)
	case drop != "":
		return msg, "", false, rec.drop(drop, nil)
	case skip != "":
		rec.outcome, rec.reason = outcomeSkipped, skip
		return msg, "", false, nil
	}
	if msg, err = s.write(ctx, *in, tg, rec); err != nil {
		return msg, "", false, rec.fail(err, false)
	}
	return msg, tg.from.ConfigurationSet, true, nil
}

// decrypt puts the event's code in in.code; invitation codes (temporary
// passwords) unescaped as Cognito's documentation asks.
func (s *Sender) decrypt(ctx context.Context, in *input, rec *record) error {
	if s.cfg.Decrypter == nil {
		return errors.Join(errors.New("no KMS key to decrypt with (COGMAIL_KMS_KEY_ARN)"), s.cfg.DecrypterErr)
	}
	start := time.Now()
	code, err := s.cfg.Decrypter.Decrypt(ctx, in.ciphertext, in.pool)
	rec.decryptTime = time.Since(start)
	if err != nil {
		return err
	}
	if in.kind == trigger.Invite {
		code = unescapeInvitation.Replace(code)
	}
	if code == "" {
		return permanent{errors.New("decrypt: the code is empty")}
	}
	in.code = code
	return nil
}

// permanent marks an error no retry cures.
type permanent struct{ error }

func (permanent) Retryable() bool { return false }
func (p permanent) Unwrap() error { return p.error }

// retryable reports whether err may pass later: what it says of itself,
// else yes.
func retryable(err error) bool {
	var r interface{ Retryable() bool }
	if errors.As(err, &r) {
		return r.Retryable()
	}
	return err != nil
}

// Users is the one Cognito call the sender makes (*cognitoidentityprovider.Client).
type Users interface {
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, optFns ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
}

// errInFlight: another attempt holds the claim now. It will mark the email
// sent or release it; this attempt fails, so that Lambda tries again later
// and finds which.
var errInFlight = errors.New("another attempt is sending this email now")

// deliver claims id, sends, and marks it sent, or releases it when the send
// failed, so that a retry can send.
func (s *Sender) deliver(ctx context.Context, id string, msg cogmail.Message, set string, rec *record) error {
	rec.id = id
	if s.ses == nil {
		return rec.fail(errors.New("ses: no client configured"), true)
	}
	claims := s.cfg.Claims
	if id == "" {
		claims = nil
		rec.warning = join(rec.warning, "the event has nothing to claim it by: a copy of it would send again")
	}
	if claims != nil {
		got, err := claims.Claim(ctx, id)
		switch {
		case err != nil:
			return rec.fail(fmt.Errorf("dynamodb: claim: %s", safeError(err)), true)
		case got == once.Done:
			rec.outcome, rec.reason = outcomeDuplicate, "already sent"
			return nil
		case got == once.InFlight:
			return rec.fail(errInFlight, true)
		}
	}
	start := time.Now()
	messageID, err := s.ses.Send(ctx, msg, set)
	rec.sendTime = time.Since(start)
	if err != nil {
		if claims != nil {
			// A context of its own: the send may have used up ctx.
			rctx, cancel := detached(ctx)
			defer cancel()
			if rerr := claims.Release(rctx, id); rerr != nil {
				err = errors.Join(err, fmt.Errorf("dynamodb: release: %s", safeError(rerr)))
			}
		}
		if !cogmail.Retryable(err) {
			return rec.drop("SES refuses this message as it is", err)
		}
		return rec.fail(err, true)
	}
	rec.outcome, rec.messageID = outcomeSent, messageID
	if claims != nil {
		mctx, cancel := detached(ctx)
		defer cancel()
		if err := claims.Mark(mctx, id); err != nil {
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
