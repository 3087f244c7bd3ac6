package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/internal/mailfrom"
	"github.com/cogmail/cogmail/lambda/internal/pageurl"
	"github.com/cogmail/cogmail/lambda/internal/userattr"
	"github.com/cogmail/cogmail/lambda/link"
	cogmail "github.com/cogmail/cogmail/lambda/mail"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// pageReport is the reference page's path for report links.
const pageReport = "/report"

// target is who a notice goes to and from, once routed.
type target struct {
	tenant           *tenant.Tenant
	from             mail.Address
	replyTo          []string
	configurationSet string
	to               string
}

// route decides, without the network, whether in gets a notice: the
// tenant's (resolved as the trigger resolves it, from trusted fields only)
// sends this kind, the address is verified, a sender is known. skip says
// why not.
func (n *Notifier) route(in input, rec *record) (target, string) {
	if n.cfg.Tenants == nil {
		return target{}, "no tenants loaded"
	}
	res, err := n.cfg.Tenants.Resolve(tenant.Route{
		Attribute: in.attrs[n.cfg.TenantAttribute], ClientID: in.clientID, UserPoolID: in.pool,
	})
	rec.tenant, rec.tenantBy = res.ID, res.By
	if res.Warning != "" {
		rec.warning = join(rec.warning, res.Warning)
	}
	t := res.Tenant
	if err != nil || t == nil {
		rec.err = err
		return target{}, "the tenant failed to load"
	}
	if !t.Sends(in.kind) {
		return target{}, "the tenant does not send this notice"
	}
	// Never an address nobody proved: anyone can sign up with a
	// stranger's.
	to := in.attrs["email"]
	switch {
	case to == "":
		return target{}, "the user has no email address"
	case in.attrs["email_verified"] != "true":
		return target{}, "the email address is not verified"
	case !plainAddress(to):
		return target{}, "the email address is not one SES can send to"
	}
	from, replyTo, set, skip := n.sender(t)
	if skip != "" {
		return target{}, skip
	}
	return target{tenant: t, from: from, replyTo: replyTo, configurationSet: set, to: to}, ""
}

// plainAddress: one ASCII address, as a raw message's To header takes it.
func plainAddress(s string) bool { return mailfrom.Plain(s) }

// sender is who the tenant's notices come from (mailfrom.Choose, shared
// with the Custom Email Sender function): inside Lambda a sender on an
// example domain is refused.
func (n *Notifier) sender(t *tenant.Tenant) (from mail.Address, replyTo []string, set, skip string) {
	c, skip := mailfrom.Choose(t, n.cfg.From, n.cfg.InLambda)
	return c.From, c.ReplyTo, c.ConfigurationSet, skip
}

// write renders in's notice for tg: the user's language (their locale
// attribute; clientMetadata is not trusted here), the time in their zone,
// the report link; then the gate. Its error is a bug in a template or a
// tenant, which retries will not cure but the dead-letter queue keeps.
func (n *Notifier) write(ctx context.Context, in input, tg target, rec *record) (cogmail.Message, error) {
	t := tg.tenant
	tag, source := t.Negotiate("", in.attrs["locale"])
	rec.locale, rec.localeFrom = tag.String(), string(source)
	if n.cfg.Renderer == nil {
		return cogmail.Message{}, errors.Join(errors.New("templates failed to load"), n.cfg.RendererErr)
	}
	signed, linkErr := n.link(ctx, in, t, tag)
	if linkErr != nil {
		rec.warning = join(rec.warning, "no report link: "+linkErr.Error())
	}
	email, err := n.cfg.Renderer.Render(render.Message{
		Kind: in.kind, Tenant: t, Locale: tag, Name: userattr.Name(in.attrs), Link: signed,
		Expiry: t.ReportExpiry(), When: in.when, Zone: userattr.Zone(in.attrs["zoneinfo"]),
	})
	if err != nil {
		return cogmail.Message{}, fmt.Errorf("render: %w", err)
	}
	rec.locale = email.Lang
	if err := gate.CheckNotice(email.Subject, email.HTML, email.Text); err != nil {
		return cogmail.Message{}, fmt.Errorf("gate: %w", err)
	}
	return cogmail.Message{
		From: tg.from, ReplyTo: tg.replyTo, To: tg.to,
		Subject: email.Subject, Text: email.Text, HTML: email.HTML, Date: n.cfg.Now(),
	}, nil
}

// link signs the report link, for notices that offer one when the tenant
// has a page for it; "" and why not otherwise. The page is the tenant's
// alone (COGMAIL_PAGE_URL for the default tenant's example host); inside
// Lambda no link leads to an example host.
func (n *Notifier) link(ctx context.Context, in input, t *tenant.Tenant, tag language.Tag) (string, error) {
	base := t.Links.ReportURL
	if !in.kind.Reportable() || base == "" {
		return "", nil
	}
	if n.cfg.PageURL != "" && t.ID == tenant.DefaultID && pageurl.Example(base) {
		base = n.cfg.PageURL + pageReport
	}
	switch {
	case n.cfg.InLambda && pageurl.Example(base):
		return "", fmt.Errorf("links.reportUrl of tenant %s is a reserved example host: not signed inside Lambda; %s", t.ID, fixLink(t))
	case in.username == "":
		return "", errors.New("the event names no username")
	case in.pool == "":
		return "", errors.New("the event names no user pool")
	}
	ring := n.keys.Get(ctx)
	if ring == nil {
		return "", errors.New("no signing key loaded")
	}
	return link.Sign(link.Params{
		Base: base, Mode: t.Links.Mode, Purpose: link.PurposeReport, Tenant: t.ID, UserPool: in.pool,
		Username: in.username, Locale: tag.String(), Expires: n.cfg.Now().Add(t.ReportExpiry()),
	}, ring)
}

func fixLink(t *tenant.Tenant) string {
	if t.ID == tenant.DefaultID {
		return "set " + envPageURL + " or links.reportUrl in tenants/default/tenant.json (an overlay)"
	}
	return "set links.reportUrl in tenants/" + t.ID + "/tenant.json"
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
