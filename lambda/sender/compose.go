package sender

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/internal/mailfrom"
	"github.com/cogmail/cogmail/lambda/internal/pageurl"
	"github.com/cogmail/cogmail/lambda/internal/userattr"
	"github.com/cogmail/cogmail/lambda/link"
	cogmail "github.com/cogmail/cogmail/lambda/mail"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// The reference page's paths (lambda/page), as the trigger and the notifier
// lead to them.
const (
	pageReset    = "/reset"
	pageActivate = "/activate"
	pageConfirm  = "/confirm"
	pageReport   = "/report"
)

// target is who an email goes to and from, once routed.
type target struct {
	tenant *tenant.Tenant
	from   mailfrom.Choice
	to     string
}

// route resolves the tenant (from trusted fields only, as the trigger
// does), the recipient and the sender. Every kind is sent: there is no
// Cognito default in this mode. skip is a deliberate skip (a takeover
// notice the tenant does not send, or to an unverified address); drop a
// permanent failure; err a failure a later attempt may not meet.
func (s *Sender) route(in input, rec *record) (tg target, skip, drop string, err error) {
	if s.cfg.Tenants == nil {
		return tg, "", "", errors.New("no tenants loaded")
	}
	res, rerr := s.cfg.Tenants.Resolve(tenant.Route{
		Attribute: in.attrs[s.cfg.TenantAttribute], ClientID: in.clientID, UserPoolID: in.pool,
	})
	rec.tenant, rec.tenantBy = res.ID, res.By
	if res.Warning != "" {
		rec.warning = join(rec.warning, res.Warning)
	}
	t := res.Tenant
	if rerr != nil || t == nil {
		// A tenant that fails to load is an operator's to fix: the
		// dead-letter queue keeps the event until then.
		return tg, "", "", errors.Join(errors.New("the tenant failed to load"), rerr)
	}
	// Cognito chose the address: for sign-up and attribute changes it is
	// the one being verified.
	to := in.attrs["email"]
	switch {
	case to == "":
		return tg, "", "the user has no email address", nil
	case !mailfrom.Plain(to):
		return tg, "", "the email address is not one SES can send to", nil
	}
	if in.kind == trigger.Takeover {
		switch {
		case !t.Sends(trigger.Takeover):
			return tg, reasonKindOff, "", nil
		case in.attrs["email_verified"] != "true":
			// A notice goes to a proven address only, as the notifier's.
			return tg, "the email address is not verified", "", nil
		}
	}
	from, why := mailfrom.Choose(t, s.cfg.From, s.cfg.InLambda)
	if why != "" {
		// Configuration: an operator can set a sender and redrive.
		return tg, "", "", errors.New(why)
	}
	return target{tenant: t, from: from, to: to}, "", "", nil
}

// write renders in's email for tg in the user's language (clientMetadata's
// locale among the tenant's languages, then their locale attribute, then the
// tenant's default), with the real code and the signed link, and checks it.
// Its error is a template or a tenant that fails, which a retry will not
// cure but the dead-letter queue keeps.
func (s *Sender) write(ctx context.Context, in input, tg target, rec *record) (cogmail.Message, error) {
	t := tg.tenant
	tag, source := t.Negotiate(in.locale, in.attrs["locale"])
	if in.kind == trigger.Takeover {
		tag, source = t.Negotiate("", in.attrs["locale"]) // Cognito sends it no metadata
	}
	rec.locale, rec.localeFrom = tag.String(), string(source)
	if s.cfg.Renderer == nil {
		return cogmail.Message{}, errors.Join(errors.New("templates failed to load"), s.cfg.RendererErr)
	}
	signed, linkErr := s.link(ctx, in, t, tag)
	if linkErr != nil {
		rec.warning = join(rec.warning, "no link: "+linkErr.Error())
	}
	m := render.Message{
		Kind: in.kind, Tenant: t, Locale: tag, Name: userattr.Name(in.attrs), Link: signed,
		Expiry: expiry(in.kind, t), Sent: true,
	}
	var must []string
	switch in.kind {
	case trigger.Takeover:
		m.When, m.Zone = in.when, userattr.Zone(in.attrs["zoneinfo"])
		if m.When.IsZero() {
			m.When = s.cfg.Now()
		}
	case trigger.Invite:
		m.Code, m.Username = in.code, signInName(in)
		must = []string{m.Code, m.Username}
	default:
		m.Code = in.code
		must = []string{m.Code}
	}
	start := time.Now()
	email, err := s.cfg.Renderer.Render(m)
	if err != nil {
		return cogmail.Message{}, fmt.Errorf("render: %w", err)
	}
	rec.locale = email.Lang
	if in.kind == trigger.Takeover {
		err = gate.CheckNotice(email.Subject, email.HTML, email.Text)
	} else {
		err = gate.CheckSent(email.Subject, email.HTML, email.Text, must...)
	}
	rec.renderTime = time.Since(start)
	if err != nil {
		return cogmail.Message{}, fmt.Errorf("gate: %w", err)
	}
	return cogmail.Message{
		From: tg.from.From, ReplyTo: tg.from.ReplyTo, To: tg.to,
		Subject: email.Subject, Text: email.Text, HTML: email.HTML, Date: s.cfg.Now(),
	}, nil
}

// signInName is what the invitation tells the user to sign in with: the
// pool's username, except in a pool that signs in by email, where the
// username is the sub, which nobody types: there the address.
func signInName(in input) string {
	if in.username == in.attrs["sub"] && in.attrs["email"] != "" {
		return in.attrs["email"]
	}
	return in.username
}

// link signs the button's link, if the message has one: reset and
// confirmation links sign the code too (version 3); the invitation's
// carries no code (it is the temporary password); the takeover notice's is
// a "This wasn't me" report link. Without a key, or inside Lambda to an
// example host, the email goes out without the link, with the code.
func (s *Sender) link(ctx context.Context, in input, t *tenant.Tenant, tag language.Tag) (string, error) {
	base, field := s.base(in.kind, t)
	if base == "" {
		return "", nil
	}
	if s.cfg.InLambda && pageurl.Example(base) {
		return "", fmt.Errorf("%s of tenant %s is a reserved example host: not signed inside Lambda; %s", field, t.ID, fix(t))
	}
	p := link.Params{
		Base: base, Mode: t.Links.Mode, Tenant: t.ID, UserPool: in.pool, Username: in.username, Locale: tag.String(),
		Expires: s.cfg.Now().Add(expiry(in.kind, t)),
	}
	switch in.kind {
	case trigger.Reset:
		p.Purpose, p.Code, p.SignCode = link.PurposeReset, in.code, true
	case trigger.SignUp, trigger.Resend:
		p.Purpose, p.Code, p.SignCode = link.PurposeVerify, in.code, true
	case trigger.Invite:
		p.Purpose = link.PurposeInvite
	case trigger.Takeover:
		p.Purpose = link.PurposeReport
	}
	ring := s.keys.Get(ctx)
	if ring == nil {
		return "", errors.New("no signing key loaded")
	}
	return link.Sign(p, ring)
}

// base is where kind's link leads for tenant t, and the tenant.json field
// that says so; "" when the message has none. COGMAIL_PAGE_URL replaces the
// default tenant's links to example hosts, as in the trigger and the
// notifier.
func (s *Sender) base(kind trigger.Kind, t *tenant.Tenant) (base, field string) {
	var path string
	switch kind {
	case trigger.Reset:
		base, field, path = t.Links.ResetURL, "links.resetUrl", pageReset
	case trigger.Invite:
		base, field, path = t.Links.InviteURL, "links.inviteUrl", pageActivate
	case trigger.SignUp, trigger.Resend:
		base, field, path = t.Links.VerifyURL, "links.verifyUrl", pageConfirm
	case trigger.Takeover:
		base, field, path = t.Links.ReportURL, "links.reportUrl", pageReport
	default:
		return "", ""
	}
	if base != "" && s.cfg.PageURL != "" && t.ID == tenant.DefaultID && pageurl.Example(base) {
		base = s.cfg.PageURL + path
	}
	return base, field
}

func fix(t *tenant.Tenant) string {
	if t.ID == tenant.DefaultID {
		return "set " + envPageURL + " or the links in tenants/default/tenant.json (an overlay)"
	}
	return "set the links in tenants/" + t.ID + "/tenant.json"
}

// expiry is what the email says of the link's life (the temporary
// password's, for invitations), as the trigger says it.
func expiry(kind trigger.Kind, t *tenant.Tenant) time.Duration {
	switch kind {
	case trigger.Reset:
		return time.Duration(t.Links.ResetExpiry)
	case trigger.Invite:
		return time.Duration(t.Links.InviteExpiry)
	case trigger.SignUp, trigger.Resend:
		return time.Duration(t.Links.VerifyExpiry)
	case trigger.Takeover:
		return t.ReportExpiry()
	}
	return 0
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
