package check

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/cogmail/cogmail/lambda/gate"
)

// Write prints the report as a table and a closing summary: the inputs'
// problems first, then the rows. With onlyFailures it prints the failures
// and then the warnings, and nothing that passed. Rows that failed because
// of one problem of the inputs are folded into one line per tenant.
func Write(w io.Writer, rep Report, onlyFailures bool) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TENANT\tLANGUAGE\tMESSAGE\tWRITTEN IN\tCHARS\tMARGIN\tRESULT")
	problems := func(warnings bool) {
		for _, p := range rep.Problems {
			if p.Warning == warnings {
				fmt.Fprintf(tw, "%s\t-\t-\t\t\t\t%s %s\n", or(p.Tenant, "-"), label(warnings), oneLine(p.Err.Error()))
			}
		}
	}
	rows := func(keep func(Row) bool) {
		folded := map[[3]string]bool{}
		for i, r := range rep.Rows {
			if !keep(r) {
				continue
			}
			if r.Cause != "" {
				// One line for all the tenant's rows with this cause and
				// outcome, where the first of them stands.
				key := [3]string{r.Tenant, r.Cause, r.Outcome}
				if folded[key] {
					continue
				}
				folded[key] = true
				n := 0
				for _, o := range rep.Rows[i:] {
					if o.Tenant == r.Tenant && o.Cause == r.Cause && o.Outcome == r.Outcome {
						n++
					}
				}
				fmt.Fprintf(tw, "%s\t*\t*\t\t\t\tFAIL %s in %d messages: %s\n", r.Tenant, r.Outcome, n, r.Cause)
				continue
			}
			margin := ""
			if r.Chars > 0 {
				// A notice's text part has the same budget; the HTML is
				// longer, but a margin is the smaller of the two.
				margin = fmt.Sprint(gate.MaxEmailBody - max(r.Chars, r.TextChars))
			}
			chars := fmt.Sprint(r.Chars)
			if r.Text != "" {
				chars += fmt.Sprintf(" text %d", r.TextChars)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Tenant, r.Language, r.Name(), r.Lang, chars, margin, result(r))
		}
	}
	problems(false)
	if onlyFailures {
		rows(Row.Failed)
		problems(true)
		rows(func(r Row) bool { return !r.Failed() && r.Warning != "" })
	} else {
		problems(true)
		rows(func(Row) bool { return true })
	}
	tw.Flush()
	fmt.Fprintf(w, "checked %d tenants and %d messages: %d failed, %d %s\n",
		rep.Tenants, len(rep.Rows), rep.Failed(), rep.Warnings(), plural(rep.Warnings(), "warning", "warnings"))
}

func result(r Row) string {
	switch {
	case r.Failed():
		s := "FAIL " + r.Outcome
		if r.Err != nil {
			s += ": " + oneLine(r.Err.Error())
		}
		return s
	case r.Outcome == "cognito-default":
		return "left to Cognito"
	case r.Warning != "":
		return "WARN " + r.Warning
	case r.Off:
		return "ok (the tenant does not send it)"
	}
	return "ok"
}

func label(warning bool) string {
	if warning {
		return "WARN"
	}
	return "FAIL"
}

func or(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

func plural(n int, one, other string) string {
	if n == 1 {
		return one
	}
	return other
}
