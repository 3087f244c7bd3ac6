// Package accept decides whether a tenant version read while a function runs
// (from S3, tenant.RemoteOptions.Accept) may be served by the notifier or the
// Custom Email Sender: its own files, then every email the function sends in
// every language the tenant offers, rendered with sample values and checked
// by that function's gate. A version that fails is never used, so a broken
// upload costs a refusal in the log, not a user's email. The trigger's own
// check goes through its invocation path (handler.Accept).
package accept

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// Sample values, long where it matters: a name near the greeting's limit,
// an address-length username, codes as long as Cognito's, and a link as
// long as a signed one (which carries the username, pool and signature).
const (
	sampleName     = "Maximiliane Alexandra Konstantinopoulou-Wittgenstein"
	sampleUsername = "maximiliane.konstantinopoulou@example.com"
	sampleCode     = "492817"
	samplePassword = "Tq7#mW2x!pL9"
	sampleQuery    = "?t=" // then a signed link's length of token
	sampleTokenLen = 320
)

var sampleWhen = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// Notices checks every notice the notifier sends, with and without a report
// link where the notice offers one.
func Notices(r *render.Renderer, t *tenant.Tenant) error {
	return each(r, t, trigger.Notices, func(k trigger.Kind, m render.Message) error {
		links := []string{""}
		if k.Reportable() && t.Links.ReportURL != "" {
			links = append(links, sampleLink(t.Links.ReportURL))
		}
		for _, l := range links {
			m.Link = l
			email, err := r.Render(m)
			if err == nil {
				err = gate.CheckNotice(email.Subject, email.HTML, email.Text)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Sent checks every message the Custom Email Sender sends: the Custom
// Message kinds with their real values, and the takeover notice.
func Sent(r *render.Renderer, t *tenant.Tenant) error {
	kinds := append(append([]trigger.Kind(nil), trigger.Kinds...), trigger.Takeover)
	return each(r, t, kinds, func(k trigger.Kind, m render.Message) error {
		if k == trigger.Takeover {
			if t.Links.ReportURL != "" {
				m.Link = sampleLink(t.Links.ReportURL)
			}
			email, err := r.Render(m)
			if err == nil {
				err = gate.CheckNotice(email.Subject, email.HTML, email.Text)
			}
			return err
		}
		m.Sent, m.Code = true, sampleCode
		must := []string{sampleCode}
		switch k {
		case trigger.Reset:
			m.Link, m.Expiry = sampleLink(t.Links.ResetURL), time.Duration(t.Links.ResetExpiry)
		case trigger.Invite:
			m.Code, m.Username = samplePassword, sampleUsername
			m.Link, m.Expiry = sampleLink(t.Links.InviteURL), time.Duration(t.Links.InviteExpiry)
			must = []string{samplePassword, sampleUsername}
		case trigger.SignUp, trigger.Resend:
			m.Link, m.Expiry = sampleLink(t.Links.VerifyURL), time.Duration(t.Links.VerifyExpiry)
		}
		email, err := r.Render(m)
		if err == nil {
			err = gate.CheckSent(email.Subject, email.HTML, email.Text, must...)
		}
		return err
	})
}

// each runs check for every language t offers × kinds, after t's own files,
// and joins what fails.
func each(r *render.Renderer, t *tenant.Tenant, kinds []trigger.Kind, check func(trigger.Kind, render.Message) error) error {
	if r == nil {
		// Without templates every tenant gets the minimal email alike.
		return nil
	}
	if err := r.CheckTenant(t); err != nil {
		return err
	}
	if t.PushChecked() {
		return nil // push rendered this very version's emails (handler.Accept)
	}
	var errs []error
	for _, tag := range t.SupportedLanguages() {
		for _, k := range kinds {
			m := render.Message{Kind: k, Tenant: t, Locale: tag, Name: sampleName,
				Expiry: t.ReportExpiry(), When: sampleWhen, Zone: time.UTC}
			if err := check(k, m); err != nil {
				errs = append(errs, fmt.Errorf("%s in %s: %w", k, tag, err))
			}
		}
	}
	return errors.Join(errs...)
}

// sampleLink is a link to base as long as a signed one; "" without a base.
func sampleLink(base string) string {
	if base == "" {
		return ""
	}
	return base + sampleQuery + strings.Repeat("x", sampleTokenLen)
}
