package handler

import (
	"errors"
	"fmt"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// acceptSample is the user Accept writes to: long where it matters, a sub
// UUID as the username (in the link) and a name near the greeting's limit,
// as `cogmail check` does.
var acceptSample = Sample{
	UserName: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f",
	Name:     "Maximiliane Alexandra Konstantinopoulou-Wittgenstein",
}

// Accept decides whether a tenant version read while the function runs (from
// S3) may be served: its own files, then every message the trigger sends in
// every language the tenant offers, rendered through the invocation's own
// path and gate. A version that fails is never used (tenant.RemoteOptions),
// so a broken upload costs a refusal in the log, not a user's email. A
// version `cogmail tenants push` checked (tenant.Tenant.PushChecked) needs
// only its own files read: the rest is what push proved.
func (h *Handler) Accept(t *tenant.Tenant) error {
	r := h.cfg.Renderer
	if r == nil {
		// Without templates every tenant gets the minimal email alike:
		// refusing would only hide the tenant's links.
		return nil
	}
	if err := r.CheckTenant(t); err != nil {
		return err
	}
	if t.PushChecked() {
		// `cogmail tenants push` rendered this very version's matrix with
		// these very templates: too slow to repeat inside Cognito's 5 s
		// at 128 MB, and it would find nothing new.
		return nil
	}
	var errs []error
	for _, tag := range t.SupportedLanguages() {
		for _, k := range trigger.Kinds {
			// A rendered email whose link failed (no key loaded yet, a
			// host refused in Lambda) is the deployment's problem, which
			// every version of the tenant shares: not a reason to refuse.
			_, outcome, err := h.Preview(k, t, tag, acceptSample)
			if outcome != outcomeRendered && outcome != outcomeCognito {
				errs = append(errs, fmt.Errorf("%s in %s: %s: %v", k, tag, outcome, err))
			}
		}
	}
	return errors.Join(errs...)
}
