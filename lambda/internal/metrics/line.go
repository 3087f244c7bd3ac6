package metrics

import (
	"encoding/json"
	"log/slog"
	"math"
	"strconv"
	"time"
)

// Line is one log line's metrics: Function, the dimensions, the values and
// the `_aws` member, built on the stack by a hot path (the trigger's) and
// logged as Attr. A logger from lambda/internal/logging writes it itself, as
// the JSON its Spec precomputed with only the values and the timestamp
// formatted, where slog would hand the directives and every float to
// encoding/json (most of the line's cost). Any other slog handler gets the
// same members through LogValue.
type Line struct {
	spec    *Spec
	stamp   int64 // Unix milliseconds
	dims    [maxDims]dim
	values  [maxValues]value
	nd, nv  int
	inlined bool
}

// Room for the trigger's members; more are dropped (Line's callers are
// this module's own, with fixed sets). Small: a Line is allocated per line.
const (
	maxDims   = 3
	maxValues = 4
)

type dim struct{ name, value string }

type value struct {
	name  string
	bits  uint64 // an int64, or a float64's bits
	float bool
}

// Line starts a line's metrics, stamped now.
func (s *Spec) Line(now time.Time) Line { return Line{spec: s, stamp: now.UnixMilli()} }

// Dim adds a dimension's value.
func (l *Line) Dim(name, v string) {
	if l.nd < maxDims {
		l.dims[l.nd] = dim{name, v}
		l.nd++
	}
}

// Int adds an integer metric value (or property, as for Float).
func (l *Line) Int(name string, v int64) {
	if l.nv < maxValues {
		l.values[l.nv] = value{name: name, bits: uint64(v)}
		l.nv++
	}
}

// Float adds a metric value, or a plain number the line carries beside
// them (a property: one Spec did not declare); a value JSON cannot write
// (NaN, ±Inf) is 0.
func (l *Line) Float(name string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	if l.nv < maxValues {
		l.values[l.nv] = value{name: name, bits: math.Float64bits(v), float: true}
		l.nv++
	}
}

// Attr is the line's attribute: empty-keyed, so its members sit at the top
// level of the log line, as EMF wants them.
func (l *Line) Attr() slog.Attr { return slog.Any("", l) }

// LogValue is the members as slog attributes, for a handler that does not
// write the line itself; nothing once Inlined(true).
func (l *Line) LogValue() slog.Value {
	if l.inlined {
		return slog.GroupValue()
	}
	attrs := make([]slog.Attr, 0, 2+l.nd+l.nv)
	attrs = append(attrs, slog.String(DimFunction, l.spec.function))
	for _, d := range l.dims[:l.nd] {
		attrs = append(attrs, slog.String(d.name, d.value))
	}
	for _, v := range l.values[:l.nv] {
		if v.float {
			attrs = append(attrs, slog.Float64(v.name, math.Float64frombits(v.bits)))
		} else {
			attrs = append(attrs, slog.Int64(v.name, int64(v.bits)))
		}
	}
	return slog.GroupValue(append(attrs, slog.Attr{Key: "_aws", Value: slog.GroupValue(
		slog.Int64("Timestamp", l.stamp),
		slog.Any("CloudWatchMetrics", l.spec.directives),
	)})...)
}

// Inlined says whether a handler is writing the members itself
// (AppendJSON), so that LogValue must not repeat them.
func (l *Line) Inlined(on bool) { l.inlined = on }

// AppendJSON appends the members to a JSON object being written, each
// after a comma.
func (l *Line) AppendJSON(b []byte) []byte {
	b = append(b, l.spec.head...)
	for _, d := range l.dims[:l.nd] {
		b = appendString(append(appendString(append(b, ','), d.name), ':'), d.value)
	}
	for _, v := range l.values[:l.nv] {
		b = append(appendString(append(b, ','), v.name), ':')
		if v.float {
			b = strconv.AppendFloat(b, math.Float64frombits(v.bits), 'f', -1, 64)
		} else {
			b = strconv.AppendInt(b, int64(v.bits), 10)
		}
	}
	b = strconv.AppendInt(append(b, `,"_aws":{"Timestamp":`...), l.stamp, 10)
	return append(append(b, l.spec.tail...), '}')
}

// appendString appends s as a JSON string: names and dimension values are
// this package's plain words, so the copy is the common case.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}
