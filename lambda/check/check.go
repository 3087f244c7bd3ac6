// Package check renders every tenant × language × message with sample data
// through the handler's own path and output gate, so that a catalog, a
// template or a tenant that breaks one combination is found before Cognito
// finds it.
package check

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

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
	// Message is what would go back to Cognito: for the gallery and the CSS
	// lint, which look at the same matrix.
	Message gate.Message
}

// Failed reports whether the row would reach a user as anything but the
// rich email: a fallback, a pass-through or a gate failure.
func (r Row) Failed() bool {
	return r.Err != nil || r.Outcome != "rendered" && r.Outcome != "cognito-default"
}

// Languages are the ones checked for t: its own and the pseudo-locale, whose
// longer text finds layouts that break when a translation grows.
func Languages(t *tenant.Tenant) []language.Tag {
	return append(t.SupportedLanguages(), locale.Pseudo)
}

// Run renders the matrix. The error reports problems with the inputs
// themselves (catalogs, tenants); rows report each combination.
func Run(h *handler.Handler) ([]Row, error) {
	inputErr := h.Validate()
	tenants, _ := h.Tenants().LoadAll() // problems are in inputErr
	sort.Slice(tenants, func(i, j int) bool { return tenants[i].ID < tenants[j].ID })
	var rows []Row
	for _, t := range tenants {
		for _, tag := range Languages(t) {
			for _, k := range trigger.Kinds {
				msg, outcome, err := h.Preview(k, t, tag, sample)
				row := Row{Tenant: t.ID, TenantName: t.DisplayName, Language: tag.String(), Kind: k,
					Outcome: outcome, Err: err, Chars: gate.Length(msg.EmailMessage), Message: msg}
				if outcome == "rendered" {
					row.Lang = htmlLang(msg.EmailMessage)
				}
				rows = append(rows, row)
			}
		}
	}
	return rows, inputErr
}

// htmlLang reads the lang attribute the email was written with.
func htmlLang(body string) string { return before(after(body, `<html lang="`), `"`) }

// Write prints rows as a table and a closing summary.
func Write(w io.Writer, rows []Row, onlyFailures bool) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TENANT\tLANGUAGE\tMESSAGE\tWRITTEN IN\tCHARS\tMARGIN\tRESULT")
	failed := 0
	for _, r := range rows {
		if r.Failed() {
			failed++
		} else if onlyFailures {
			continue
		}
		result := "ok"
		switch {
		case r.Outcome == "cognito-default":
			result = "left to Cognito"
		case r.Failed():
			result = "FAIL " + r.Outcome
			if r.Err != nil {
				result += ": " + oneLine(r.Err.Error())
			}
		}
		margin := ""
		if r.Chars > 0 {
			margin = fmt.Sprint(gate.MaxEmailBody - r.Chars)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.Tenant, r.Language, r.Kind, r.Lang, r.Chars, margin, result)
	}
	tw.Flush()
	fmt.Fprintf(w, "checked %d messages: %d failed\n", len(rows), failed)
}
