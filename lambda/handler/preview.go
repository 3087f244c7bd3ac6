package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/event"
	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// Sample is the user a preview writes to.
type Sample struct {
	UserName string // the pool's username; the sub UUID in email pools
	Name     string // given_name
}

// Preview renders what Invoke would answer for a kind of message to tenant t
// in language tag, through the same path and the same gate, including
// languages negotiation never picks (the pseudo-locale). Outcome is
// "rendered", "fallback", "passthrough" or "cognito-default". It is for
// `cogmail check` and previews, not for the invocation path.
func (h *Handler) Preview(kind trigger.Kind, t *tenant.Tenant, tag language.Tag, s Sample) (gate.Message, string, error) {
	if t.LeavesToCognito(kind) {
		return gate.Message{}, outcomeCognito, nil
	}
	username := ""
	if kind.NeedsUsername() {
		username = "{username}"
	}
	payload, err := json.Marshal(map[string]any{
		"version": "1", "triggerSource": kind.Source(), "userName": s.UserName, "userPoolId": previewPool(t),
		"request": map[string]any{
			"userAttributes":    map[string]string{"given_name": s.Name},
			"codeParameter":     "{####}",
			"usernameParameter": username,
		},
	})
	if err != nil {
		return gate.Message{}, "", err
	}
	e, err := event.Parse(payload)
	if err != nil {
		return gate.Message{}, "", err
	}
	var rec record
	return h.message(context.Background(), e, kind, t, tag, &rec)
}

// previewPool is the user pool a preview's event comes from, for its signed
// link: the tenant's first, else a sample id.
func previewPool(t *tenant.Tenant) string {
	if len(t.Match.UserPoolIDs) > 0 {
		return t.Match.UserPoolIDs[0]
	}
	return "eu-west-1_Ab12Cd34E"
}

// Tenants is the store the handler resolves tenants from.
func (h *Handler) Tenants() *tenant.Store { return h.cfg.Tenants }

// Validate reports what is wrong with the templates, catalogs and tenants
// the handler would use, all at once: what Setup logs and carries on with,
// and what `cogmail check` fails on.
func (h *Handler) Validate() error {
	var errs []error
	if h.cfg.Renderer == nil {
		errs = append(errs, h.templatesErr())
	} else if err := h.cfg.Renderer.Validate(); err != nil {
		errs = append(errs, err)
	}
	if h.cfg.Tenants == nil {
		errs = append(errs, errors.New("no tenant store"))
	} else if _, err := h.cfg.Tenants.LoadAll(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Renderer is the renderer the handler writes with; nil if templates failed
// to load.
func (h *Handler) Renderer() *render.Renderer { return h.cfg.Renderer }

// templatesErr says why there is no renderer.
func (h *Handler) templatesErr() error {
	if h.cfg.RendererErr == nil {
		return errors.New("templates failed to load")
	}
	return fmt.Errorf("templates failed to load: %w", h.cfg.RendererErr)
}
