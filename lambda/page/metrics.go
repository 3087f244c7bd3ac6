package page

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/cogmail/cogmail/lambda/internal/metrics"
)

// The page's metrics ride on its log lines, read from what a line says
// (method, route, outcome, level): a GET line about a link counts a
// LinkChecks, a POST line that ends an action counts a PageActions, a line
// that precedes a 5xx answer counts a PageErrors. LinkChecks and PageActions
// never share a line: both have a Result dimension.

// Bits of a line's metrics, indexing Handler.metrics.
const (
	hasLink = 1 << iota
	hasAction
	hasError
	metricSets = 1 << iota
)

// newMetricSpecs precomputes every combination a line may carry.
func newMetricSpecs(namespace string) [metricSets]*metrics.Spec {
	var specs [metricSets]*metrics.Spec
	for set := 1; set < metricSets; set++ {
		var ms []metrics.Metric
		if set&hasLink != 0 {
			ms = append(ms, metrics.Metric{Name: metrics.LinkChecks, Unit: metrics.Count, Dims: []string{metrics.DimResult}})
		}
		if set&hasAction != 0 {
			ms = append(ms, metrics.Metric{Name: metrics.PageActions, Unit: metrics.Count, Dims: []string{metrics.DimAction, metrics.DimResult}})
		}
		if set&hasError != 0 {
			ms = append(ms, metrics.Metric{Name: metrics.PageErrors, Unit: metrics.Count})
		}
		specs[set] = metrics.NewSpec(namespace, metrics.FunctionPage, ms...)
	}
	return specs
}

// Outcomes that end an action, and the line that a GET of a valid link
// writes.
const outcomeLinkValid = "link-valid"

var (
	actionCompleted = map[string]bool{"password-reset": true, "account-activated": true, "signup-confirmed": true, "report-requested": true}
	actionRefused   = map[string]bool{"invalid-link": true, "cognito-refused": true, "activation-refused": true, "refused": true}
)

// pageAction is the Action a POST to path is, "" when none.
func pageAction(path string) string {
	switch path {
	case "/reset":
		return "reset"
	case "/activate":
		return "activate"
	case "/confirm":
		return "confirm"
	case reportPath:
		return "report"
	}
	return ""
}

// linkResult is a failed link check's Result: linkFailure's reason, with
// the tampered code under the name the alarms read.
func linkResult(reason string) string {
	if reason == "tampered-code" {
		return "tampered"
	}
	return reason
}

// appendMetrics adds the metrics of a line to its attributes.
func (h *Handler) appendMetrics(attrs []slog.Attr, r *http.Request, level slog.Level, outcome string) []slog.Attr {
	set := 0
	switch {
	case r.Method == http.MethodGet && outcome == outcomeLinkValid:
		set |= hasLink
		attrs = append(attrs, slog.String(metrics.DimResult, "valid"), slog.Int(metrics.LinkChecks, 1))
	case r.Method == http.MethodGet && outcome == "invalid-link":
		set |= hasLink
		attrs = append(attrs, slog.String(metrics.DimResult, linkResult(attrString(attrs, "reason"))), slog.Int(metrics.LinkChecks, 1))
	case r.Method == http.MethodPost && pageAction(r.URL.Path) != "" && (actionCompleted[outcome] || actionRefused[outcome]):
		set |= hasAction
		result := "completed"
		if actionRefused[outcome] {
			result = "refused"
		}
		attrs = append(attrs, slog.String(metrics.DimAction, pageAction(r.URL.Path)), slog.String(metrics.DimResult, result), slog.Int(metrics.PageActions, 1))
	}
	// Every "error" line, and Cognito failing, answers 500 or 502.
	if outcome == "error" || outcome == "cognito-refused" && level >= slog.LevelError {
		set |= hasError
		attrs = append(attrs, slog.Int(metrics.PageErrors, 1))
	}
	if set == 0 {
		return attrs
	}
	return h.metrics[set].Append(attrs, time.Now())
}

// attrString is the string value of the attribute key, "" if none.
func attrString(attrs []slog.Attr, key string) string {
	for _, a := range attrs {
		if a.Key == key {
			return a.Value.String()
		}
	}
	return ""
}
