package check

import (
	"errors"
	"time"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// Custom Email Sender mode: the sender function renders each Custom
// Message kind itself, with the real values, and sends it through SES
// with a text part. Each is checked as it renders it (render with Sent,
// then gate.CheckSent), for every tenant × language, with sample values
// that need escaping in HTML, links signed with the code (version 3) at
// NoticeWhen, so that the gallery and the golden files do not change with
// the clock.

// Sender is the Variant of a Custom Message kind in custom-email-sender
// mode ("reset-sender"). A tenant's cognitoDefault does not apply in that
// mode (there is no Cognito default to leave a message to): every kind is
// checked.
const Sender = "sender"

// Sample values of sender mode: a code as Cognito sends one, and an
// invitation's temporary password holding every character HTML escapes
// (Cognito's passwords may), for a username such as an administrator
// types.
const (
	SampleCode     = "739214"
	SamplePassword = `Tq8<r>&"x'Z`
	SampleUsername = "ana.o'neil+ops"
)

// senderRow checks kind k for t in tag as the sender function sends it.
func senderRow(h *handler.Handler, t *tenant.Tenant, tag language.Tag, k trigger.Kind, filesErr error) Row {
	row := Row{Tenant: t.ID, TenantName: t.DisplayName, Language: tag.String(), Kind: k, Variant: Sender}
	r := h.Renderer()
	if r == nil {
		row.Outcome, row.Err, row.Cause = Unsent, errors.New("no templates"), "the templates failed to load (above)"
		return row
	}
	m := render.Message{Kind: k, Tenant: t, Locale: tag, Name: sample.Name, Code: SampleCode, Expiry: linkExpiry(k, t), Sent: true}
	username := sample.UserName
	if k == trigger.Invite {
		m.Code, m.Username = SamplePassword, SampleUsername
		username = SampleUsername
	}
	m.Link, row.Err = sampleSenderLink(t, tag, k, username, m.Code)
	var email render.Email
	if row.Err == nil {
		email, row.Err = r.Render(m)
	}
	if row.Err == nil {
		must := []string{m.Code}
		if k.NeedsUsername() {
			must = append(must, m.Username)
		}
		row.Err = gate.CheckSent(email.Subject, email.HTML, email.Text, must...)
	}
	row.Message = gate.Message{EmailSubject: email.Subject, EmailMessage: email.HTML}
	row.Text = email.Text
	row.Chars, row.TextChars = gate.Length(email.HTML), gate.Length(email.Text)
	switch {
	case row.Err == nil:
		row.Outcome = "rendered"
		row.Lang = email.Lang
		row.Warning = fallbackWarning(tag, row.Lang)
	case fromFiles(row.Err, filesErr):
		row.Outcome, row.Cause = Unsent, "the tenant's files (above)"
	default:
		row.Outcome = Unsent
	}
	return row
}

// fromFiles reports whether err is the tenant's files' problem filesErr,
// or one of the problems it joins (render.CheckTenant).
func fromFiles(err, filesErr error) bool {
	if err == nil || filesErr == nil {
		return false
	}
	if errors.Is(err, filesErr) {
		return true
	}
	if j, ok := filesErr.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if e == err {
				return true
			}
		}
	}
	return false
}

// sampleSenderLink is k's link as the sender signs it for the sample
// user: a reset or verify link signs the code too (version 3); an
// invitation's carries no code (its code is the temporary password). ""
// when the tenant has no page for k.
func sampleSenderLink(t *tenant.Tenant, tag language.Tag, k trigger.Kind, username, code string) (string, error) {
	p := link.Params{Mode: t.Links.Mode, Tenant: t.ID, UserPool: samplePoolOf(t), Username: username, Locale: tag.String(),
		Expires: NoticeWhen.Add(linkExpiry(k, t))}
	switch k {
	case trigger.Reset:
		p.Base, p.Purpose, p.Code, p.SignCode = t.Links.ResetURL, link.PurposeReset, code, true
	case trigger.Invite:
		p.Base, p.Purpose = t.Links.InviteURL, link.PurposeInvite
	case trigger.SignUp, trigger.Resend:
		p.Base, p.Purpose, p.Code, p.SignCode = t.Links.VerifyURL, link.PurposeVerify, code, true
	}
	if p.Base == "" {
		return "", nil
	}
	return link.Sign(p, keys.Development())
}

// linkExpiry is how long k's link lives for t (for an invitation, its
// temporary password), as the trigger says it; 0 for kinds without one.
func linkExpiry(k trigger.Kind, t *tenant.Tenant) time.Duration {
	switch k {
	case trigger.Reset:
		return time.Duration(t.Links.ResetExpiry)
	case trigger.Invite:
		return time.Duration(t.Links.InviteExpiry)
	case trigger.SignUp, trigger.Resend:
		return time.Duration(t.Links.VerifyExpiry)
	}
	return 0
}

// samplePoolOf is the user pool of t's sample links: its first, else a
// sample id.
func samplePoolOf(t *tenant.Tenant) string {
	if len(t.Match.UserPoolIDs) > 0 {
		return t.Match.UserPoolIDs[0]
	}
	return samplePool
}
