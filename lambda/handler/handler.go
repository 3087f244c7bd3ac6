// Package handler is the Custom Message trigger: raw event in, raw event out.
//
// It never makes Cognito fail. An event it does not render goes back exactly
// as it came; a rich email that cannot be produced is replaced by a minimal one
// that still carries the code; only when that fails too does the event go back
// unchanged, and Cognito sends its default message.
//
// Every answer it may send passes gate.Check, called in one place (message):
// render cleans the text it writes, the gate only checks, and the minimal
// email escapes what it shows.
package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/event"
	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/internal/keyring"
	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/locale"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// Trigger sources whose events need both placeholders.
const (
	ForgotPassword  = "CustomMessage_ForgotPassword"
	AdminCreateUser = "CustomMessage_AdminCreateUser"
)

// Outcomes, as logged.
const (
	outcomeRendered    = "rendered"
	outcomeFallback    = "fallback"
	outcomePassthrough = "passthrough"
	outcomeCognito     = "cognito-default" // the tenant leaves this message to Cognito
)

// Config is what a Handler works with. Renderer, Tenants and Keyring may be
// nil when they failed to load: the handler then degrades as documented.
type Config struct {
	Renderer *render.Renderer
	// RendererErr is why Renderer is nil, for Validate and the logs.
	RendererErr error
	Tenants     *tenant.Store
	// TenantAttribute is the user attribute naming the user's tenant;
	// "" means tenant.DefaultAttribute.
	TenantAttribute string
	Keyring         *link.Keyring
	// RetryKeys, when set, reads the keyring again (each time within
	// keyRetryTimeout): while Keyring is nil at most every
	// keyring.RetryEvery, since a Secrets Manager hiccup at cold start must
	// not leave a warm container without links for hours, and once loaded
	// every keyring.RefreshEvery, so that a warm trigger signs with the key
	// a rotation promoted, never with one it retired.
	RetryKeys func(context.Context) (*link.Keyring, error)
	// PageURL, when set, is the page behind the default tenant's links that
	// lead to example hosts: <PageURL>/reset, /activate and /confirm.
	PageURL string
	// RefuseExampleHosts: links to example hosts are not signed (inside
	// Lambda, where no real user could use them); the email goes out
	// without the link, with the code.
	RefuseExampleHosts bool
	// Now is the clock of links' expiry and of the keyring's re-reads.
	Now    func() time.Time
	Logger *slog.Logger
	// MetricsNamespace is the CloudWatch namespace of the log line's
	// metrics; "" means metrics.DefaultNamespace.
	MetricsNamespace string
}

// Handler answers Custom Message events. It implements lambda.Handler, so the
// runtime hands it the payload's bytes untouched.
type Handler struct {
	cfg     Config
	keys    *keyring.Keys
	checked sync.Map // tenant ids whose links checkLinks has logged
	// The log line's metrics: with an email, and without one.
	emailMetrics, answerMetrics *metrics.Spec
}

// How long a re-read of the keyring may take: Cognito waits 5 seconds for
// the whole answer.
const keyRetryTimeout = time.Second

// New returns a Handler; a nil Now or Logger means time.Now and slog.Default.
func New(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TenantAttribute == "" {
		cfg.TenantAttribute = tenant.DefaultAttribute
	}
	h := &Handler{cfg: cfg,
		emailMetrics: metrics.NewSpec(cfg.MetricsNamespace, metrics.FunctionTrigger,
			metrics.Metric{Name: metrics.Answers, Unit: metrics.Count, Dims: []string{metrics.DimKind, metrics.DimOutcome}},
			metrics.Metric{Name: metrics.RenderMillis, Unit: metrics.Milliseconds, Dims: []string{metrics.DimKind}},
			metrics.Metric{Name: metrics.EmailChars, Unit: metrics.Count, Dims: []string{metrics.DimKind}}),
		answerMetrics: metrics.NewSpec(cfg.MetricsNamespace, metrics.FunctionTrigger,
			metrics.Metric{Name: metrics.Answers, Unit: metrics.Count, Dims: []string{metrics.DimKind, metrics.DimOutcome}}),
	}
	var fetch keyring.Fetch
	if retry := cfg.RetryKeys; retry != nil {
		fetch = func(ctx context.Context) (*link.Keyring, error) {
			ctx, cancel := context.WithTimeout(ctx, keyRetryTimeout)
			defer cancel()
			return retry(ctx)
		}
	}
	h.keys = keyring.New(cfg.Keyring, fetch, cfg.Logger, "emails go out without a link").WithClock(cfg.Now)
	return h
}

// Invoke answers one event. It returns an error never: every failure becomes
// a fallback email or the unchanged event.
func (h *Handler) Invoke(ctx context.Context, payload []byte) (out []byte, err error) {
	start := time.Now()
	var rec record
	defer func() {
		if p := recover(); p != nil {
			rec.outcome, rec.err = outcomePassthrough, fmt.Errorf("panic: %T", p) // its value may quote the event
			out, err = payload, nil
		}
		rec.log(ctx, h.cfg.Logger, start, time.Now(), h.emailMetrics, h.answerMetrics)
	}()

	e, perr := event.Parse(payload)
	if perr != nil {
		rec.outcome, rec.reason = outcomePassthrough, "event is not a JSON object"
		return payload, nil
	}
	rec.trigger = e.TriggerSource
	kind, ok := trigger.Of(e.TriggerSource)
	if ok {
		rec.kind = string(kind)
	}
	switch {
	case !ok:
		rec.outcome, rec.reason = outcomePassthrough, "trigger source not rendered"
		return payload, nil
	case e.CodeParameter == "":
		rec.outcome, rec.reason = outcomePassthrough, "event has no codeParameter"
		return payload, nil
	case kind.NeedsUsername() && e.UsernameParameter == "":
		rec.outcome, rec.reason = outcomePassthrough, "event has no usernameParameter"
		return payload, nil
	}

	t := h.tenant(e, &rec)
	if t != nil && t.LeavesToCognito(kind) {
		rec.outcome = outcomeCognito
		return payload, nil
	}
	tag := language.English
	if t != nil {
		var source locale.Source
		tag, source = t.Negotiate(e.Metadata("locale"), e.Attribute("locale"))
		rec.localeFrom = string(source)
	}
	msg, outcome, renderErr := h.message(ctx, e, kind, t, tag, &rec)
	rec.outcome, rec.err = outcome, renderErr
	if outcome == outcomePassthrough {
		return payload, nil
	}
	rec.chars = gate.Length(msg.EmailMessage)
	answer, werr := e.WithResponse(event.Response{
		EmailSubject: msg.EmailSubject, EmailMessage: msg.EmailMessage, SMSMessage: msg.SMSMessage,
	})
	if werr != nil {
		rec.outcome, rec.err = outcomePassthrough, errors.Join(renderErr, werr)
		return payload, nil
	}
	return answer, nil
}

// tenant finds the event's tenant from trusted fields only; nil when the
// event's tenant (perhaps the default) failed to load: the event then gets
// the minimal email, without a link, and the log says why.
func (h *Handler) tenant(e *event.Event, rec *record) *tenant.Tenant {
	if h.cfg.Tenants == nil {
		rec.tenantErr = errors.New("no tenants loaded")
		return nil
	}
	res, err := h.cfg.Tenants.Resolve(tenant.Route{
		Attribute: e.Attribute(h.cfg.TenantAttribute), ClientID: e.ClientID, UserPoolID: e.UserPoolID,
	})
	rec.tenant, rec.tenantBy, rec.warning, rec.tenantErr = res.ID, res.By, res.Warning, err
	return res.Tenant
}

// message writes the answer: the rich email, else the minimal one with the
// link, else the minimal one without it (a link the gate refuses must not
// cost the user the code); the first that passes the gate. This is the one
// place the invocation path calls the gate: render cleans what it writes,
// the gate only checks.
func (h *Handler) message(ctx context.Context, e *event.Event, kind trigger.Kind, t *tenant.Tenant, tag language.Tag, rec *record) (gate.Message, string, error) {
	msg := gate.Message{
		TriggerSource:     e.TriggerSource,
		CodeParameter:     e.CodeParameter,
		UsernameParameter: e.UsernameParameter,
	}
	rec.locale = tag.String()
	// The username Cognito will write into the invitation, if it would
	// not read back in the field that holds it.
	unfit := ""
	if kind.NeedsUsername() && !fitsField(e.UserName) {
		unfit = e.UserName
	}
	var signed string
	var linkErr error
	if t != nil {
		signed, linkErr = h.link(ctx, e, kind, t, tag.String())
	}
	// The rich email, then the minimal one with the link and without it:
	// an attempt is its link, and whether it is the rich one.
	var richErr, minimalErr error
	for attempt, link := range [...]string{signed, signed, ""} {
		if attempt == 2 && signed == "" {
			break // the minimal email had no link to leave out
		}
		var email render.Email
		var err error
		if attempt == 0 {
			email, err = h.rich(e, kind, t, tag, signed, unfit, rec)
		} else {
			email, err = minimal(kind, e.CodeParameter, e.UsernameParameter, unfit, link)
		}
		if err == nil {
			msg.EmailSubject, msg.EmailMessage, msg.SMSMessage, msg.Link = email.Subject, email.HTML, email.SMS, link
			if err = gate.Check(msg); err == nil {
				if attempt == 0 {
					return msg, outcomeRendered, linkErr
				}
				return msg, outcomeFallback, errors.Join(linkErr, richErr)
			}
		}
		if attempt == 0 {
			richErr = err
		} else {
			minimalErr = err
		}
	}
	return msg, outcomePassthrough, errors.Join(linkErr, richErr, minimalErr)
}

// rich renders the tenant's email; the reason when there is none.
func (h *Handler) rich(e *event.Event, kind trigger.Kind, t *tenant.Tenant, tag language.Tag, signed, unfit string, rec *record) (render.Email, error) {
	switch {
	case t == nil:
		return render.Email{}, errors.Join(errors.New("no tenant"), rec.tenantErr)
	case unfit != "":
		// No template can hold it: the minimal email writes it as text.
		return render.Email{}, errUnfitUsername
	case h.cfg.Renderer == nil:
		return render.Email{}, h.templatesErr()
	}
	email, err := h.cfg.Renderer.Render(render.Message{
		Kind: kind, Tenant: t, Locale: tag, Name: name(e), Code: e.CodeParameter,
		Username: e.UsernameParameter, Link: signed, Expiry: expiry(kind, t),
	})
	if err == nil {
		rec.locale = email.Lang
	}
	return email, err
}

// name is the user's name, as the event gives it. The renderer alone
// decides whether an email may greet by it (render.greetingName: only to a
// proven address, never carrying a placeholder); the minimal email never
// does.
func name(e *event.Event) string {
	if n := e.Attribute("given_name"); n != "" {
		return n
	}
	return e.Attribute("name")
}

// expiry is what the email says of the link's life (the temporary
// password's, for invitations).
func expiry(kind trigger.Kind, t *tenant.Tenant) time.Duration {
	switch kind {
	case trigger.Reset:
		return time.Duration(t.Links.ResetExpiry)
	case trigger.Invite:
		return time.Duration(t.Links.InviteExpiry)
	case trigger.SignUp, trigger.Resend:
		return time.Duration(t.Links.VerifyExpiry)
	}
	return 0
}

// link signs the button's link, if the message has one. Without a key,
// username or user pool, or inside Lambda to an example host, the email goes
// out without a link, with the code: worse, but never broken. Host and path
// come from the tenant's configuration (and COGMAIL_PAGE_URL) alone.
func (h *Handler) link(ctx context.Context, e *event.Event, kind trigger.Kind, t *tenant.Tenant, locale string) (string, error) {
	// The pool is signed (a version-2 link): the page refuses the link
	// against any other pool than its tenant's.
	p := link.Params{Mode: t.Links.Mode, Tenant: t.ID, UserPool: e.UserPoolID, Username: e.UserName, Locale: locale}
	base, field := h.base(kind, t)
	if base == "" {
		return "", nil // no link for this message, or no verifyUrl
	}
	if err := h.refused(t, field, base); err != nil {
		h.checkLinks(t)
		return "", err
	}
	p.Base = base
	switch kind {
	case trigger.Reset:
		p.Purpose, p.Code = link.PurposeReset, e.CodeParameter
	case trigger.Invite:
		p.Purpose = link.PurposeInvite
	default: // sign-up and resent codes
		p.Purpose, p.Code = link.PurposeVerify, e.CodeParameter
	}
	ring := h.keys.Get(ctx)
	switch {
	case ring == nil:
		return "", errors.New("link: no signing key loaded")
	case e.UserName == "":
		return "", errors.New("link: event has no userName")
	case e.UserPoolID == "":
		return "", errors.New("link: event has no userPoolId: a link must name its pool")
	}
	p.Expires = h.cfg.Now().Add(expiry(kind, t))
	return link.Sign(p, ring)
}

// record is one invocation's log line. It holds no address, phone number,
// name, username or key: only what helps an operator.
type record struct {
	trigger, kind, tenant, tenantBy, locale, localeFrom string
	outcome, reason, warning                            string
	chars                                               int
	err, tenantErr                                      error
}

// log writes the line; with an email, emailMetrics are its metrics, else
// answerMetrics.
func (r *record) log(ctx context.Context, logger *slog.Logger, start, end time.Time, emailMetrics, answerMetrics *metrics.Spec) {
	level := slog.LevelInfo
	switch {
	case r.outcome == outcomePassthrough && r.err != nil, r.outcome == outcomeFallback:
		level = slog.LevelError
	case r.err != nil, r.outcome == outcomePassthrough, r.warning != "":
		level = slog.LevelWarn
	}
	ms := float64(end.Sub(start).Microseconds()) / 1000
	// Room for every attribute: the warm path grows no slice.
	attrs := append(make([]slog.Attr, 0, 20),
		slog.String("trigger", r.trigger),
		slog.String("tenant", r.tenant),
		slog.String("locale", r.locale),
		slog.String("outcome", r.outcome),
	)
	if r.chars > 0 {
		attrs = append(attrs, slog.Int("email_chars", r.chars))
	}
	if r.tenantBy != "" {
		attrs = append(attrs, slog.String("tenant_by", r.tenantBy))
	}
	if r.localeFrom != "" {
		attrs = append(attrs, slog.String("locale_from", r.localeFrom))
	}
	if r.reason != "" {
		attrs = append(attrs, slog.String("reason", r.reason))
	}
	if r.warning != "" {
		attrs = append(attrs, slog.String("warning", r.warning))
	}
	if r.err != nil {
		attrs = append(attrs, slog.String("error", r.err.Error()))
	}
	kind := r.kind
	if kind == "" {
		kind = metrics.KindOther // a source it does not render, or no event
	}
	// The metrics, and duration_ms, go in one Line: the production logger
	// (lambda/internal/logging) writes them itself, where slog would hand the
	// directives and each float to encoding/json.
	spec := answerMetrics
	withEmail := r.chars > 0 && r.outcome != outcomePassthrough
	if withEmail {
		spec = emailMetrics
	}
	m := spec.Line(end)
	m.Dim(metrics.DimKind, kind)
	m.Dim(metrics.DimOutcome, r.outcome)
	m.Int(metrics.Answers, 1)
	m.Float("duration_ms", ms)
	if withEmail {
		m.Float(metrics.RenderMillis, ms)
		m.Int(metrics.EmailChars, int64(r.chars))
	}
	attrs = append(attrs, m.Attr())
	logger.LogAttrs(ctx, level, "custom message", attrs...)
}
