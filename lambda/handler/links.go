package handler

import (
	"fmt"

	"github.com/cogmail/cogmail/lambda/internal/pageurl"
	"github.com/cogmail/cogmail/lambda/internal/tenantenv"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// The reference page's paths (lambda/page) for each kind of link.
const (
	pageReset    = "/reset"
	pageActivate = "/activate"
	pageConfirm  = "/confirm"
)

// base is where a link of kind leads for tenant t, and the tenant.json field
// that says so; "" when the message has no link. COGMAIL_PAGE_URL replaces
// the default tenant's links to example hosts (the shipped ones), so one
// deployment of the stack gives working links; a default tenant from an
// overlay that names real hosts keeps them.
func (h *Handler) base(kind trigger.Kind, t *tenant.Tenant) (base, field string) {
	var path string
	switch kind {
	case trigger.Reset:
		base, field, path = t.Links.ResetURL, "links.resetUrl", pageReset
	case trigger.Invite:
		base, field, path = t.Links.InviteURL, "links.inviteUrl", pageActivate
	case trigger.SignUp, trigger.Resend:
		base, field, path = t.Links.VerifyURL, "links.verifyUrl", pageConfirm
	default:
		return "", ""
	}
	if base != "" && h.cfg.PageURL != "" && t.ID == tenant.DefaultID && exampleHost(base) {
		base = h.cfg.PageURL + path
	}
	return base, field
}

// refused says why a link to base is not signed: inside Lambda no real user
// can use a link to an example host, and sending one would show them a
// stranger's site or none. A loopback address is not refused: such a link
// leads to the reader's own machine, which is how the emulator's local runs
// reach their page, and harmless anywhere else.
func (h *Handler) refused(t *tenant.Tenant, field, base string) error {
	if !h.cfg.RefuseExampleHosts || !exampleHost(base) {
		return nil
	}
	return fmt.Errorf("link: %s of tenant %s (%s) is a reserved example host: not signed inside Lambda; %s",
		field, t.ID, base, fix(t))
}

// fix says how to give a tenant real links.
func fix(t *tenant.Tenant) string {
	if t.ID == tenant.DefaultID {
		return "set " + EnvPageURL + " (template.yaml: PageUrl) or the links in tenants/default/tenant.json (an overlay)"
	}
	return "set the links in tenants/" + t.ID + "/tenant.json"
}

// checkLinks logs, once per tenant and at ERROR, each of its links that is
// not signed because it leads to an example host: at cold start for the
// default tenant (on first use when tenants come from S3, where it may
// live), on first use for the others.
func (h *Handler) checkLinks(t *tenant.Tenant) {
	if !h.cfg.RefuseExampleHosts {
		return
	}
	if _, seen := h.checked.LoadOrStore(t.ID, true); seen {
		return
	}
	for _, kind := range []trigger.Kind{trigger.Reset, trigger.Invite, trigger.SignUp} {
		base, field := h.base(kind, t)
		if base == "" || !exampleHost(base) {
			continue
		}
		h.cfg.Logger.Error("links to an example host are never signed inside Lambda: this tenant's emails go out without a link, with the code",
			"tenant", t.ID, "field", field, "url", base, "fix", fix(t))
	}
}

// exampleHost reports whether rawURL's host is reserved for documentation
// and tests (pageurl.Example): no real user reaches a page there.
func exampleHost(rawURL string) bool { return pageurl.Example(rawURL) }

// pageBase checks COGMAIL_PAGE_URL as a tenant's links are checked (inside
// Lambda https, or http on a loopback address, the emulator's local page) and
// returns it without its trailing slash; "" when unset.
func pageBase(raw string, inLambda bool) (string, error) {
	return tenantenv.PageBase(raw, inLambda, pageReset)
}
