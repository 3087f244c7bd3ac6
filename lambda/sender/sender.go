// Package sender is the Custom Email Sender function: Cognito hands it every
// email of a user pool (CustomEmailSender_* events) with the code encrypted
// under the pool's KMS key, and it sends the email itself, through SES v2,
// rendered by cogmail's own pipeline with the real code, a plain-text part
// and links that sign the code.
//
// For each event it reads the source (input.go), decrypts the code
// (Decrypter: lambda/codes, which only the function's main links), finds the
// recipient (the event's email attribute, which Cognito chose; for Threat
// Protection's takeover notice, which carries none, the user looked up with
// AdminGetUser), resolves the tenant and language as the trigger does,
// signs the link, renders with render.Message.Sent and checks the result
// with gate.CheckSent (compose.go), claims the event in DynamoDB so that a
// retried or replayed event sends once, and sends from the tenant's sender
// (deliver.go).
//
// Cognito invokes this trigger asynchronously: the user's call never sees a
// failure, and Lambda retries twice, then hands the event to the
// dead-letter queue. So a failure a later attempt may not meet (KMS, SES,
// DynamoDB or Cognito unreachable, throttled or refusing; a template that
// fails) is returned as an error; one that no attempt can cure (an unknown
// source, a code for another pool, a message that does not decrypt, no
// address) is logged at ERROR with outcome "dropped", for an alarm to
// match, and answered with nil. Logs (log.go) never carry the code,
// decrypted or not, the ciphertext, an address, a username or a name.
package sender

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

// Decrypter decrypts an event's code: lambda/codes in the function. Its
// error says whether a later attempt may pass by a Retryable() bool method;
// an error without one is taken to be retryable.
type Decrypter interface {
	Decrypt(ctx context.Context, ciphertext, pool string) (string, error)
}

// Config is what a Sender works with. Renderer, Tenants, Keyring and
// Decrypter may be nil when they failed to load; Claims nil means no
// idempotency.
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
	// PageURL, when set, replaces the default tenant's links to example
	// hosts: <PageURL>/reset, /confirm, /activate and /report.
	PageURL string
	// InLambda: links and senders on example hosts are refused.
	InLambda bool
	// From is the default tenant's sender when its own is absent or on an
	// example domain (COGMAIL_NOTIFY_FROM).
	From *mail.Address

	Decrypter Decrypter
	// DecrypterErr is why Decrypter is nil.
	DecrypterErr error
	Users        Users       // AdminGetUser, for the takeover notice
	SES          cogmail.SES // SendEmail
	Claims       *once.Store // the idempotency table
	Now          func() time.Time
	Logger       *slog.Logger
	// MetricsNamespace is the CloudWatch namespace of the log line's
	// metrics; "" means metrics.DefaultNamespace.
	MetricsNamespace string
}

// Sender answers Custom Email Sender events. It implements lambda.Handler.
type Sender struct {
	cfg Config
	ses *cogmail.Sender

	keys    *keyring.Keys
	metrics *metrics.Spec // the log line's
}

// withoutKey is what a missing signing key means, for the log.
const withoutKey = "emails go out without a link"

// New returns a Sender; a nil Now or Logger means time.Now and
// slog.Default.
func New(cfg Config) *Sender {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TenantAttribute == "" {
		cfg.TenantAttribute = tenant.DefaultAttribute
	}
	s := &Sender{cfg: cfg, keys: keyring.New(cfg.Keyring, cfg.RetryKeys, cfg.Logger, withoutKey),
		metrics: metrics.NewSpec(cfg.MetricsNamespace, metrics.FunctionSender,
			metrics.Metric{Name: metrics.Sent, Unit: metrics.Count, Dims: []string{metrics.DimKind, metrics.DimOutcome}})}
	if cfg.SES != nil {
		s.ses = &cogmail.Sender{SES: cfg.SES}
	}
	return s
}

// Invoke answers one event: a short JSON summary, and an error when a later
// attempt may succeed (Lambda retries, then the dead-letter queue keeps the
// event).
func (s *Sender) Invoke(ctx context.Context, payload []byte) (out []byte, err error) {
	start := time.Now()
	rec := &record{}
	var in input
	defer func() {
		if p := recover(); p != nil {
			// Its value may quote the event: the type alone.
			rec.outcome, rec.retryable, rec.err = outcomeFailed, true, fmt.Errorf("panic: %T", p)
			out, err = summary(rec), rec.err
		}
		rec.log(ctx, s.cfg.Logger, time.Since(start), s.metrics, in.secrets()...)
	}()
	in = decode(payload, s.cfg.TenantAttribute)
	rec.trigger, rec.kind, rec.pool = in.source, string(in.kind), in.pool
	if err := s.send(ctx, &in, rec); err != nil {
		return summary(rec), err
	}
	return summary(rec), nil
}

// summary is the answer of an asynchronous invocation: what happened, for
// the local stack and the emulator; Cognito reads none.
func summary(rec *record) []byte {
	b, _ := json.Marshal(struct {
		Outcome string `json:"outcome"`
		Reason  string `json:"reason,omitempty"`
	}{rec.outcome, rec.reason})
	return b
}
