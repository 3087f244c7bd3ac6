// Package emftest reads log lines as CloudWatch Embedded Metric Format, for
// the functions' tests: what CloudWatch would extract, or why it would not.
package emftest

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cogmail/cogmail/lambda/internal/metrics"
)

// Line is what CloudWatch extracts from one line.
type Line struct {
	Namespace string
	Values    map[string]float64 // metric name → value
	Dims      map[string]string  // dimension name → value
}

// Parse checks line against the EMF specification (a `_aws` member with a
// millisecond Timestamp and CloudWatchMetrics directives; every declared
// dimension a top-level string and every declared metric a top-level
// number) and cogmail's own rules (one namespace, Function on every
// dimension set, names from package metrics).
func Parse(line []byte) (Line, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(line, &top); err != nil {
		return Line{}, err
	}
	var aws struct {
		Timestamp         *int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	}
	raw, ok := top["_aws"]
	if !ok {
		return Line{}, fmt.Errorf("no _aws member")
	}
	if err := json.Unmarshal(raw, &aws); err != nil {
		return Line{}, fmt.Errorf("_aws: %w", err)
	}
	if aws.Timestamp == nil || *aws.Timestamp < 1e12 {
		return Line{}, fmt.Errorf("_aws.Timestamp missing or not in milliseconds")
	}
	if len(aws.CloudWatchMetrics) == 0 {
		return Line{}, fmt.Errorf("_aws.CloudWatchMetrics is empty")
	}
	out := Line{Values: map[string]float64{}, Dims: map[string]string{}}
	for _, d := range aws.CloudWatchMetrics {
		if d.Namespace == "" || out.Namespace != "" && d.Namespace != out.Namespace {
			return Line{}, fmt.Errorf("namespace %q", d.Namespace)
		}
		out.Namespace = d.Namespace
		if len(d.Dimensions) == 0 || len(d.Metrics) == 0 {
			return Line{}, fmt.Errorf("a directive without dimensions or metrics")
		}
		for _, set := range d.Dimensions {
			if !slices.Contains(set, metrics.DimFunction) {
				return Line{}, fmt.Errorf("dimension set %v lacks %s", set, metrics.DimFunction)
			}
			for _, name := range set {
				if !slices.Contains(Dimensions, name) {
					return Line{}, fmt.Errorf("dimension %q is not one of package metrics", name)
				}
				var v string
				if err := json.Unmarshal(top[name], &v); err != nil || v == "" {
					return Line{}, fmt.Errorf("dimension %q: not a non-empty top-level string", name)
				}
				out.Dims[name] = v
			}
		}
		for _, m := range d.Metrics {
			if !slices.Contains(Metrics, m.Name) {
				return Line{}, fmt.Errorf("metric %q is not one of package metrics", m.Name)
			}
			if m.Unit != string(metrics.Count) && m.Unit != string(metrics.Milliseconds) {
				return Line{}, fmt.Errorf("metric %q: unit %q", m.Name, m.Unit)
			}
			var v float64
			if err := json.Unmarshal(top[m.Name], &v); err != nil {
				return Line{}, fmt.Errorf("metric %q: not a top-level number", m.Name)
			}
			out.Values[m.Name] = v
		}
	}
	return out, nil
}

// Metrics and Dimensions are every name package metrics declares.
var (
	Metrics = []string{metrics.Answers, metrics.RenderMillis, metrics.EmailChars, metrics.LinkChecks,
		metrics.PageActions, metrics.PageErrors, metrics.Notices, metrics.Sent}
	Dimensions = []string{metrics.DimFunction, metrics.DimKind, metrics.DimOutcome, metrics.DimResult, metrics.DimAction}
)
