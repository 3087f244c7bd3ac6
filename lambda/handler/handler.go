// Package handler is the Custom Message trigger: raw event in, raw event out.
//
// It never makes Cognito fail. An event it does not render goes back exactly
// as it came; a rich email that cannot be produced is replaced by a minimal one
// that still carries the code; only when that fails too does the event go back
// unchanged, and Cognito sends its default message.
package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cogmail/cogmail/lambda/event"
	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// Trigger sources cogmail renders.
const (
	ForgotPassword  = "CustomMessage_ForgotPassword"
	AdminCreateUser = "CustomMessage_AdminCreateUser"
)

// Outcomes, as logged.
const (
	outcomeRendered    = "rendered"
	outcomeFallback    = "fallback"
	outcomePassthrough = "passthrough"
)

// Config is what a Handler works with. Renderer, Tenant and Keyring may be
// nil when they failed to load: the handler then degrades as documented.
type Config struct {
	Renderer *render.Renderer
	Tenant   *tenant.Tenant
	Keyring  *link.Keyring
	Now      func() time.Time
	Logger   *slog.Logger
}

// Handler answers Custom Message events. It implements lambda.Handler, so the
// runtime hands it the payload's bytes untouched.
type Handler struct {
	cfg Config
}

// New returns a Handler; a nil Now or Logger means time.Now and slog.Default.
func New(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Handler{cfg: cfg}
}

// Invoke answers one event. It returns an error never: every failure becomes
// a fallback email or the unchanged event.
func (h *Handler) Invoke(ctx context.Context, payload []byte) (out []byte, err error) {
	start := time.Now()
	var rec record
	defer func() {
		if p := recover(); p != nil {
			rec.outcome, rec.err = outcomePassthrough, fmt.Errorf("panic: %v", p)
			out, err = payload, nil
		}
		rec.log(ctx, h.cfg.Logger, time.Since(start))
	}()

	e, perr := event.Parse(payload)
	if perr != nil {
		rec.outcome, rec.reason = outcomePassthrough, "event is not a JSON object"
		return payload, nil
	}
	rec.trigger = e.TriggerSource
	if e.TriggerSource != ForgotPassword && e.TriggerSource != AdminCreateUser {
		rec.outcome, rec.reason = outcomePassthrough, "trigger source not rendered"
		return payload, nil
	}
	if e.CodeParameter == "" {
		rec.outcome, rec.reason = outcomePassthrough, "event has no codeParameter"
		return payload, nil
	}
	if e.TriggerSource == AdminCreateUser && e.UsernameParameter == "" {
		rec.outcome, rec.reason = outcomePassthrough, "AdminCreateUser event has no usernameParameter"
		return payload, nil
	}

	msg, outcome, renderErr := h.message(e, &rec)
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

// message renders the rich email, or the minimal one when the rich one
// fails, each through the gate.
func (h *Handler) message(e *event.Event, rec *record) (gate.Message, string, error) {
	t := h.cfg.Tenant
	locale := "en"
	if t != nil {
		rec.tenant = t.ID
	}
	rec.locale = locale
	msg := gate.Message{
		TriggerSource:     e.TriggerSource,
		CodeParameter:     e.CodeParameter,
		UsernameParameter: e.UsernameParameter,
	}

	signed, linkErr := h.link(e, t, locale)
	var richErr error
	if h.cfg.Renderer == nil || t == nil {
		richErr = errors.New("templates or tenant failed to load at cold start")
	} else {
		email, err := h.render(e, t, signed)
		if err == nil {
			msg.EmailSubject, msg.EmailMessage, msg.SMSMessage = email.Subject, email.HTML, email.SMS
			err = gate.Check(msg)
		}
		if err == nil {
			return msg, outcomeRendered, linkErr
		}
		richErr = err
	}

	email := minimal(e.TriggerSource, e.CodeParameter, e.UsernameParameter, signed)
	msg.EmailSubject, msg.EmailMessage, msg.SMSMessage = email.Subject, email.HTML, email.SMS
	if err := gate.Check(msg); err != nil {
		return msg, outcomePassthrough, errors.Join(linkErr, richErr, err)
	}
	return msg, outcomeFallback, errors.Join(linkErr, richErr)
}

func (h *Handler) render(e *event.Event, t *tenant.Tenant, signed string) (render.Email, error) {
	name := e.Attribute("given_name")
	if name == "" {
		name = e.Attribute("name")
	}
	if e.TriggerSource == AdminCreateUser {
		return h.cfg.Renderer.Invite(render.Invite{
			Tenant: t, Name: name, Username: e.UsernameParameter, Code: e.CodeParameter,
			Link: signed, LinkExpiry: time.Duration(t.Links.InviteExpiry),
		})
	}
	return h.cfg.Renderer.Reset(render.Reset{
		Tenant: t, Name: name, Code: e.CodeParameter,
		Link: signed, LinkExpiry: time.Duration(t.Links.ResetExpiry),
	})
}

// link signs the button's link. Without a key, tenant or username the email
// goes out without a link, with the code: worse, but never broken.
func (h *Handler) link(e *event.Event, t *tenant.Tenant, locale string) (string, error) {
	switch {
	case h.cfg.Keyring == nil:
		return "", errors.New("link: no signing key loaded")
	case t == nil:
		return "", errors.New("link: no tenant loaded")
	case e.UserName == "":
		return "", errors.New("link: event has no userName")
	}
	p := link.Params{
		Mode: t.Links.Mode, Tenant: t.ID, Username: e.UserName, Locale: locale,
	}
	now := h.cfg.Now()
	if e.TriggerSource == AdminCreateUser {
		p.Base, p.Purpose = t.Links.InviteURL, link.PurposeInvite
		p.Expires = now.Add(time.Duration(t.Links.InviteExpiry))
	} else {
		p.Base, p.Purpose, p.Code = t.Links.ResetURL, link.PurposeReset, e.CodeParameter
		p.Expires = now.Add(time.Duration(t.Links.ResetExpiry))
	}
	return link.Sign(p, h.cfg.Keyring)
}

// record is one invocation's log line. It holds no address, phone number,
// name, username or key: only what helps an operator.
type record struct {
	trigger, tenant, locale string
	outcome, reason         string
	chars                   int
	err                     error
}

func (r record) log(ctx context.Context, logger *slog.Logger, d time.Duration) {
	level := slog.LevelInfo
	switch {
	case r.outcome == outcomePassthrough && r.err != nil, r.outcome == outcomeFallback:
		level = slog.LevelError
	case r.err != nil, r.outcome == outcomePassthrough:
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("trigger", r.trigger),
		slog.String("tenant", r.tenant),
		slog.String("locale", r.locale),
		slog.String("outcome", r.outcome),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
	}
	if r.chars > 0 {
		attrs = append(attrs, slog.Int("email_chars", r.chars))
	}
	if r.reason != "" {
		attrs = append(attrs, slog.String("reason", r.reason))
	}
	if r.err != nil {
		attrs = append(attrs, slog.String("error", r.err.Error()))
	}
	logger.LogAttrs(ctx, level, "custom message", attrs...)
}
