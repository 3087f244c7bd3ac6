package metrics_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/internal/metrics/emftest"
)

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func line(t *testing.T, spec *metrics.Spec, members ...slog.Attr) []byte {
	t.Helper()
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).LogAttrs(t.Context(), slog.LevelInfo, "x", spec.Append(members, now)...)
	return buf.Bytes()
}

func TestSpec(t *testing.T) {
	spec := metrics.NewSpec("", metrics.FunctionTrigger,
		metrics.Metric{Name: metrics.Answers, Unit: metrics.Count, Dims: []string{metrics.DimKind, metrics.DimOutcome}},
		metrics.Metric{Name: metrics.RenderMillis, Unit: metrics.Milliseconds, Dims: []string{metrics.DimKind}},
		metrics.Metric{Name: metrics.EmailChars, Unit: metrics.Count, Dims: []string{metrics.DimKind}})
	raw := line(t, spec, slog.String(metrics.DimKind, "reset"), slog.String(metrics.DimOutcome, metrics.OutcomeRendered),
		slog.Int(metrics.Answers, 1), slog.Float64(metrics.RenderMillis, 0.4), slog.Int(metrics.EmailChars, 7563))
	got, err := emftest.Parse(raw)
	require.NoError(t, err, "%s", raw)
	assert.Equal(t, emftest.Line{
		Namespace: metrics.DefaultNamespace,
		Values:    map[string]float64{metrics.Answers: 1, metrics.RenderMillis: 0.4, metrics.EmailChars: 7563},
		Dims:      map[string]string{metrics.DimFunction: "trigger", metrics.DimKind: "reset", metrics.DimOutcome: "rendered"},
	}, got)

	// Metrics with the same dimensions share one directive.
	var doc struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct{ Dimensions [][]string }
		} `json:"_aws"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	assert.Equal(t, now.UnixMilli(), doc.AWS.Timestamp)
	require.Len(t, doc.AWS.CloudWatchMetrics, 2)
	assert.Equal(t, [][]string{{"Function", "Kind", "Outcome"}}, doc.AWS.CloudWatchMetrics[0].Dimensions)
	assert.Equal(t, [][]string{{"Function", "Kind"}}, doc.AWS.CloudWatchMetrics[1].Dimensions)
}

func TestNamespace(t *testing.T) {
	for _, tc := range []struct{ env, want string }{{"", metrics.DefaultNamespace}, {"acme/mail", "acme/mail"}} {
		t.Run("case="+tc.want, func(t *testing.T) {
			ns := metrics.Namespace(func(name string) string {
				if name == metrics.EnvNamespace {
					return tc.env
				}
				return ""
			})
			assert.Equal(t, tc.want, ns)
			got, err := emftest.Parse(line(t, metrics.NewSpec(ns, metrics.FunctionPage, metrics.Metric{Name: metrics.PageErrors, Unit: metrics.Count}),
				slog.Int(metrics.PageErrors, 1)))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.Namespace)
		})
	}
}

// Parse refuses what CloudWatch would not extract.
func TestParseRefuses(t *testing.T) {
	spec := metrics.NewSpec("", metrics.FunctionSender,
		metrics.Metric{Name: metrics.Sent, Unit: metrics.Count, Dims: []string{metrics.DimKind, metrics.DimOutcome}})
	for _, tc := range []struct {
		name string
		line []byte
	}{
		{"no-aws", []byte(`{"msg":"x","Sent":1}`)},
		{"seconds", []byte(`{"_aws":{"Timestamp":1764504000,"CloudWatchMetrics":[{"Namespace":"cogmail","Dimensions":[["Function"]],"Metrics":[{"Name":"Sent","Unit":"Count"}]}]},"Function":"sender","Sent":1}`)},
		{"no-function", []byte(`{"_aws":{"Timestamp":1764504000000,"CloudWatchMetrics":[{"Namespace":"cogmail","Dimensions":[["Kind"]],"Metrics":[{"Name":"Sent","Unit":"Count"}]}]},"Kind":"reset","Sent":1}`)},
		{"unknown-metric", []byte(`{"_aws":{"Timestamp":1764504000000,"CloudWatchMetrics":[{"Namespace":"cogmail","Dimensions":[["Function"]],"Metrics":[{"Name":"Other","Unit":"Count"}]}]},"Function":"sender","Other":1}`)},
		{"value-missing", line(t, spec, slog.String(metrics.DimKind, "reset"), slog.String(metrics.DimOutcome, "sent"))},
		{"value-not-number", line(t, spec, slog.String(metrics.DimKind, "reset"), slog.String(metrics.DimOutcome, "sent"), slog.String(metrics.Sent, "1"))},
		{"dimension-missing", line(t, spec, slog.String(metrics.DimKind, "reset"), slog.Int(metrics.Sent, 1))},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			_, err := emftest.Parse(tc.line)
			assert.Error(t, err, "%s", tc.line)
		})
	}
}
