// Package notify is the notifier: it tells people by email that their
// password changed (or that an administrator requires a new one), for every
// path that changes a password, rendered by cogmail's own pipeline and sent
// through SES v2.
//
// It takes four inputs (input.go):
//
//  1. Cognito's Post confirmation event (PostConfirmation_ConfirmForgotPassword,
//     _ConfirmSignUp). Cognito waits on it and fails the user's call on an
//     error, so the notifier never returns one: it answers with the event
//     unchanged and hands the work to an asynchronous invocation of itself
//     (handoff.go), which Lambda retries; if that hand-off fails, it sends
//     at once, within the time left.
//  2. The wrapper that hand-off sends ({"cogmail": "notice", …}).
//  3. EventBridge's "AWS API Call via CloudTrail" events of ChangePassword,
//     AdminSetUserPassword and AdminResetUserPassword, whose user is looked
//     up with AdminGetUser (lookup.go).
//  4. The same event wrapped by the EventBridge rule's input transformer
//     ({"cogmail": "cloudtrail", "userPools": […], "event": …}, pools.go):
//     the pools it names are served besides COGMAIL_NOTIFY_POOLS.
//
// For 2 to 4 it resolves the tenant, checks the tenant sends that notice,
// that the address is verified and that a sender is known (compose.go),
// renders and gates the email, claims the event id in DynamoDB so that a
// retried event sends once, and sends (deliver.go). A failure that a later
// attempt may not meet is returned as an error, so that Lambda retries and
// then keeps the event in the dead-letter queue; a deliberate skip returns
// nil. Logs (log.go) carry no address, username, name or sub.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/mail"
	"time"

	"github.com/cogmail/cogmail/lambda/internal/keyring"
	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/link"
	cogmail "github.com/cogmail/cogmail/lambda/mail"
	"github.com/cogmail/cogmail/lambda/once"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// Config is what a Notifier works with. Renderer, Tenants and Keyring may be
// nil when they failed to load; Claims nil means no idempotency (a warning
// at cold start); Invoke nil means no hand-off (the Post confirmation event
// is sent at once).
type Config struct {
	Renderer *render.Renderer
	// RendererErr is why Renderer is nil.
	RendererErr error
	Tenants     *tenant.Store
	// TenantAttribute names the user attribute holding the tenant id; ""
	// means tenant.DefaultAttribute.
	TenantAttribute string
	Keyring         *link.Keyring
	// RetryKeys, when set, reads the keyring again: at most every
	// keyring.RetryEvery while Keyring is nil, every keyring.RefreshEvery
	// once loaded (lambda/internal/keyring).
	RetryKeys func(context.Context) (*link.Keyring, error)
	// PageURL, when set, replaces the default tenant's report link to an
	// example host: <PageURL>/report.
	PageURL string
	// InLambda: links and senders on example hosts are refused, as the
	// trigger refuses such links.
	InLambda bool
	// From is the default tenant's sender when its own is absent or on an
	// example domain (COGMAIL_NOTIFY_FROM).
	From *mail.Address
	// Pools are the user pools whose CloudTrail events are served
	// (COGMAIL_NOTIFY_POOLS), besides those a rule's wrapper names for its
	// event; AdminGetUser is called on these only.
	Pools []string

	Users  Users                                           // AdminGetUser
	SES    cogmail.SES                                     // SendEmail
	Claims *once.Store                                     // the idempotency table
	Invoke func(ctx context.Context, payload []byte) error // the asynchronous self-invoke

	Now    func() time.Time
	Logger *slog.Logger
	// MetricsNamespace is the CloudWatch namespace of the log line's
	// metrics; "" means metrics.DefaultNamespace.
	MetricsNamespace string
}

// Notifier answers the notifier's events. It implements lambda.Handler.
type Notifier struct {
	cfg Config
	ses *cogmail.Sender

	keys    *keyring.Keys
	metrics *metrics.Spec // the log line's
}

// withoutKey is what a missing signing key means, for the log.
const withoutKey = "notices go out without a report link"

// New returns a Notifier; a nil Now or Logger means time.Now and
// slog.Default.
func New(cfg Config) *Notifier {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TenantAttribute == "" {
		cfg.TenantAttribute = tenant.DefaultAttribute
	}
	n := &Notifier{cfg: cfg, keys: keyring.New(cfg.Keyring, cfg.RetryKeys, cfg.Logger, withoutKey),
		metrics: metrics.NewSpec(cfg.MetricsNamespace, metrics.FunctionNotifier,
			metrics.Metric{Name: metrics.Notices, Unit: metrics.Count, Dims: []string{metrics.DimKind, metrics.DimOutcome}})}
	if cfg.SES != nil {
		n.ses = &cogmail.Sender{SES: cfg.SES}
	}
	return n
}

// Invoke answers one event. A Post confirmation event gets itself back and
// never an error; the wrapper and CloudTrail events get a short JSON
// summary, and an error when a later attempt may succeed.
func (n *Notifier) Invoke(ctx context.Context, payload []byte) (out []byte, err error) {
	start := time.Now()
	rec := &record{}
	in := decode(payload, n.cfg.TenantAttribute)
	rec.input = in.shape
	defer func() {
		if p := recover(); p != nil {
			// Its value may quote the event: the type alone.
			rec.outcome, rec.err = outcomeFailed, fmt.Errorf("panic: %T", p)
			if in.shape == shapePostConfirmation {
				out, err = payload, nil
			} else {
				out, err = summary(rec), rec.err
			}
		}
		rec.log(ctx, n.cfg.Logger, time.Since(start), n.metrics)
	}()

	switch in.shape {
	case shapePostConfirmation:
		n.postConfirmation(ctx, payload, in, rec)
		return payload, nil
	case shapeWrapper, shapeCloudTrail, shapeCloudTrailWrapper:
		err = n.notify(ctx, in, rec)
		return summary(rec), err
	default:
		rec.outcome, rec.reason = outcomeIgnored, in.reason
		return payload, nil
	}
}

// summary is the answer of an asynchronous invocation: what happened, for
// the local stack and the emulator; no one else reads it.
func summary(rec *record) []byte {
	b, _ := json.Marshal(struct {
		Outcome string `json:"outcome"`
		Reason  string `json:"reason,omitempty"`
	}{rec.outcome, rec.reason})
	return b
}
