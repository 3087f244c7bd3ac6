package check

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cogmail/cogmail/lambda/internal/hint"
)

// leaves lists the single problems in err, one per line of the report.
// Joined errors are taken apart; so is a file's name wrapped around several
// problems ("tenants/x/tenant.json: " around a joined list, as the tenant
// store writes it), the name going to each. A problem at a line and column
// is written file:line:col, as compilers do.
func leaves(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	inner := errors.Unwrap(err)
	if inner == nil {
		return []error{err}
	}
	prefix, ok := strings.CutSuffix(err.Error(), inner.Error())
	if !ok || prefix == "" {
		return []error{err}
	}
	var at *hint.At
	switch _, joined := inner.(interface{ Unwrap() []error }); {
	case joined:
		var out []error
		for _, e := range leaves(inner) {
			out = append(out, named(prefix, e))
		}
		return out
	case errors.As(inner, &at) && inner == error(at):
		return []error{named(prefix, inner)}
	}
	return []error{err}
}

// named puts a file's name before one problem.
func named(prefix string, err error) error {
	var at *hint.At
	if errors.As(err, &at) && err == error(at) && strings.HasSuffix(prefix, ": ") {
		return fmt.Errorf("%s:%w", strings.TrimSuffix(prefix, ": "), err)
	}
	return fmt.Errorf("%s%w", prefix, err)
}
