package metrics

import (
	"encoding/json"
	"log/slog"
	"time"
)

// Unit is a CloudWatch unit.
type Unit string

// Units cogmail uses.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
)

// Metric declares one metric of a line: its name, unit and the dimensions it
// carries besides Function.
type Metric struct {
	Name string
	Unit Unit
	Dims []string
}

// Spec is the `_aws` member of one shape of log line, built once (NewSpec)
// so that a warm invocation only adds the timestamp and values. Its
// directives are plain structs: encoding/json writes them from a cached
// encoder, where precomputed JSON (a json.Marshaler) would be validated and
// compacted on every line, twice the cost.
//
// Line's fast path writes precomputed bytes instead: head and tail.
type Spec struct {
	function   string
	directives *[]directive // a pointer: slog.Any boxes it without allocating
	head       []byte       // ,"Function":"<function>"
	tail       []byte       // ,"CloudWatchMetrics":[<directives>]
}

type name struct {
	Name string
	Unit Unit
}

type directive struct {
	Namespace  string
	Dimensions [][]string
	Metrics    []name
}

// NewSpec declares metrics for function's lines in namespace ("" means
// DefaultNamespace). Metrics with the same dimensions share a directive.
func NewSpec(namespace, function string, metrics ...Metric) *Spec {
	if namespace == "" {
		namespace = DefaultNamespace
	}
	var ds []directive
	key := func(dims []string) string { b, _ := json.Marshal(dims); return string(b) }
	index := map[string]int{}
	for _, m := range metrics {
		dims := append([]string{DimFunction}, m.Dims...)
		k := key(dims)
		i, ok := index[k]
		if !ok {
			i = len(ds)
			index[k] = i
			ds = append(ds, directive{Namespace: namespace, Dimensions: [][]string{dims}})
		}
		ds[i].Metrics = append(ds[i].Metrics, name{m.Name, m.Unit})
	}
	cwm, err := json.Marshal(ds)
	if err != nil {
		panic(err) // strings and slices only: cannot fail
	}
	return &Spec{function: function, directives: &ds,
		head: appendString([]byte(`,"`+DimFunction+`":`), function),
		tail: append([]byte(`,"CloudWatchMetrics":`), cwm...)}
}

// Namespace is the namespace the environment names, else DefaultNamespace.
func Namespace(getenv func(string) string) string {
	if ns := getenv(EnvNamespace); ns != "" {
		return ns
	}
	return DefaultNamespace
}

// Append adds the Function member and the `_aws` member, stamped now, to a
// line's attributes. The caller adds each declared dimension (a string) and
// metric (a number) as a top-level attribute, under the names of this
// package.
func (s *Spec) Append(attrs []slog.Attr, now time.Time) []slog.Attr {
	return append(attrs, slog.String(DimFunction, s.function), slog.Attr{Key: "_aws", Value: slog.GroupValue(
		slog.Int64("Timestamp", now.UnixMilli()),
		slog.Any("CloudWatchMetrics", s.directives),
	)})
}
