// Package check renders every tenant × language × message with sample data
// through the handler's own path and output gate, so that a catalog, a
// template or a tenant that breaks one combination is found before Cognito
// finds it; every message again as the Custom Email Sender function sends
// it, through its gate (sender.go); and every tenant × language × notice
// as the notifier renders it, through the notices' gate (notice.go).
package check

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/locale"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// sample is a user whose data is long where it matters: a sub UUID as the
// username (in the link) and a name near the greeting's limit.
var sample = handler.Sample{
	UserName: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f",
	Name:     "Maximiliane Alexandra Konstantinopoulou-Wittgenstein",
}

// Row is one combination's result.
type Row struct {
	Tenant     string
	TenantName string // the tenant's display name
	Language   string // asked for
	Kind       trigger.Kind
	Lang       string // written in
	Chars      int    // email body, in Cognito's characters
	Outcome    string
	Err        error
	// Warning says what is likely wrong with an email that passes: most
	// of it in a fallback language.
	Warning string
	// Cause, when the row failed because of a problem of the inputs (a
	// tenant's file, the templates), says which, so that the problem's
	// text is printed once and not on every row it breaks.
	Cause string
	// Message is what would go back to Cognito: for the gallery and the CSS
	// lint, which look at the same matrix. The subject and HTML part of a
	// notice, or of a message in sender mode, are in EmailSubject and
	// EmailMessage.
	Message gate.Message

	// Variant is NoLink for a notice without its report link, Sender for
	// a Custom Message kind in custom-email-sender mode, else "". Text is
	// the text part of a notice or a message in sender mode, TextChars its
	// size. Of notices only: Off says the tenant does not send the notice
	// (notifications.kinds), though it is checked: an operator may turn it
	// on.
	Variant   string
	Text      string
	TextChars int
	Off       bool
}

// Name is the row's message: its kind, and its variant if any
// ("recovered-nolink", "reset-sender").
func (r Row) Name() string {
	if r.Variant == "" {
		return string(r.Kind)
	}
	return string(r.Kind) + "-" + r.Variant
}

// Failed reports whether the row would reach a user as anything but the
// rich email: a fallback, a pass-through or a gate failure.
func (r Row) Failed() bool {
	return r.Err != nil || r.Outcome != "rendered" && r.Outcome != "cognito-default"
}

// Problem is something wrong with the inputs rather than with one message:
// a file that does not parse, a tenant that does not validate, or (a
// warning) a setting that is valid but likely wrong.
type Problem struct {
	Tenant  string // "" for the shipped templates and catalogs, and routing
	Err     error  // one problem; its text names the file
	Warning bool
}

// Report is one run of the check.
type Report struct {
	Tenants  int       // tenant folders found, whether they load or not
	Problems []Problem // failures first, then warnings
	Rows     []Row     // every tenant that loads × language × message
}

// Failed counts the failures: problems and rows.
func (rep Report) Failed() int {
	n := 0
	for _, p := range rep.Problems {
		if !p.Warning {
			n++
		}
	}
	for _, r := range rep.Rows {
		if r.Failed() {
			n++
		}
	}
	return n
}

// Warnings counts the warnings: problems and rows.
func (rep Report) Warnings() int {
	n := 0
	for _, p := range rep.Problems {
		if p.Warning {
			n++
		}
	}
	for _, r := range rep.Rows {
		if !r.Failed() && r.Warning != "" {
			n++
		}
	}
	return n
}

// Err joins the failing problems; nil when there are none.
func (rep Report) Err() error {
	var errs []error
	for _, p := range rep.Problems {
		if !p.Warning {
			errs = append(errs, p.Err)
		}
	}
	return errors.Join(errs...)
}

// Languages are the ones checked for t: its own and the pseudo-locale, whose
// longer text finds layouts that break when a translation grows.
func Languages(t *tenant.Tenant) []language.Tag {
	return append(t.SupportedLanguages(), locale.Pseudo)
}

// Run renders the matrix. The error reports problems with the inputs
// themselves (catalogs, tenants); rows report each combination.
func Run(h *handler.Handler) ([]Row, error) {
	rep := Check(h)
	return rep.Rows, rep.Err()
}

// Check renders the matrix and reports, once each, the problems of the
// inputs: the templates and catalogs, every tenant folder (one that does not
// load is a failure, not a gap in the matrix), each tenant's own files, and
// the warnings of tenants that load.
func Check(h *handler.Handler) Report {
	var rep Report
	seen := map[string]bool{}
	add := func(tenantID string, err error, warning bool) {
		if !seen[err.Error()] {
			seen[err.Error()] = true
			rep.Problems = append(rep.Problems, Problem{Tenant: tenantID, Err: err, Warning: warning})
		}
	}

	var ids []string
	var tenants []*tenant.Tenant
	if store := h.Tenants(); store != nil {
		ids, _ = store.IDs() // an error here is in Validate's
		tenants, _ = store.LoadAll()
	}
	rep.Tenants = len(ids)
	for _, err := range leaves(h.Validate()) {
		add(tenantOf(err.Error(), ids), err, false)
	}
	sort.Slice(tenants, func(i, j int) bool { return tenants[i].ID < tenants[j].ID })

	r := h.Renderer()
	for _, t := range tenants {
		var filesErr error
		if r != nil {
			filesErr = r.CheckTenant(t)
			for _, err := range leaves(filesErr) {
				add(t.ID, err, false)
			}
		}
		for _, w := range t.Warnings() {
			add(t.ID, fmt.Errorf("tenants/%s/tenant.json: %w", t.ID, w), true)
		}
		for _, tag := range Languages(t) {
			for _, k := range trigger.Kinds {
				rep.Rows = append(rep.Rows, row(h, t, tag, k, filesErr))
			}
			for _, k := range trigger.Kinds {
				rep.Rows = append(rep.Rows, senderRow(h, t, tag, k, filesErr))
			}
			for _, k := range trigger.Notices {
				rep.Rows = append(rep.Rows, noticeRows(h, t, tag, k, filesErr)...)
			}
		}
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool {
		a, b := rep.Problems[i], rep.Problems[j]
		if a.Warning != b.Warning {
			return !a.Warning
		}
		return a.Tenant < b.Tenant
	})
	return rep
}

// row renders one combination; filesErr is what is wrong with the tenant's
// own files, which fails every message of the tenant alike.
func row(h *handler.Handler, t *tenant.Tenant, tag language.Tag, k trigger.Kind, filesErr error) Row {
	msg, outcome, err := h.Preview(k, t, tag, sample)
	r := Row{Tenant: t.ID, TenantName: t.DisplayName, Language: tag.String(), Kind: k,
		Outcome: outcome, Err: err, Chars: gate.Length(msg.EmailMessage), Message: msg}
	switch {
	case outcome == "rendered":
		r.Lang = htmlLang(msg.EmailMessage)
		r.Warning = fallbackWarning(tag, r.Lang)
	case !r.Failed():
	case h.Renderer() == nil:
		r.Cause = "the templates failed to load (above)"
	case filesErr != nil && errors.Is(err, filesErr):
		r.Cause = "the tenant's files (above)"
	}
	return r
}

// fallbackWarning says when an email asked for in one language is mostly
// written in another that is not its parent (en-GB's English is fine): a
// tenant's catalog for a language that lacks most of the message's keys.
func fallbackWarning(asked language.Tag, written string) string {
	w, err := language.Parse(written)
	if err != nil {
		return ""
	}
	for t := asked; t != language.Und; t = t.Parent() {
		if t == w {
			return ""
		}
	}
	return fmt.Sprintf("written mostly in %s: the %s texts lack most of this message", written, asked)
}

// htmlLang reads the lang attribute the email was written with.
func htmlLang(body string) string { return before(after(body, `<html lang="`), `"`) }

// tenantOf is the tenant a problem's text names: tenants/<id>/…, or the
// store's "tenant <id>:" and `tenant id "<id>"`; "" for none.
func tenantOf(msg string, ids []string) string {
	for _, id := range ids {
		for _, prefix := range []string{"tenants/" + id + "/", "tenants/" + id + ":", "tenant " + id + ":", `tenant id "` + id + `"`} {
			if strings.HasPrefix(msg, prefix) {
				return id
			}
		}
	}
	return ""
}
