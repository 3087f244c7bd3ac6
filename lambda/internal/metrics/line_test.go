package metrics_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/internal/logging"
	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/internal/metrics/emftest"
)

// A Line is the same EMF document whether the functions' logger writes it
// (its precomputed JSON) or any slog handler does (LogValue), and it leaves
// the line's other members alone.
func TestLine(t *testing.T) {
	spec := metrics.NewSpec("cogmail-test", metrics.FunctionTrigger,
		metrics.Metric{Name: metrics.Answers, Unit: metrics.Count, Dims: []string{metrics.DimKind, metrics.DimOutcome}},
		metrics.Metric{Name: metrics.RenderMillis, Unit: metrics.Milliseconds, Dims: []string{metrics.DimKind}})
	for _, tc := range []struct {
		name   string
		logger func(*bytes.Buffer) *slog.Logger
	}{
		{"functions-logger", func(b *bytes.Buffer) *slog.Logger { return logging.NewTo(b, func(string) string { return "" }) }},
		{"any-json-handler", func(b *bytes.Buffer) *slog.Logger { return slog.New(slog.NewJSONHandler(b, nil)) }},
		// The functions' logger lifts the members to the top level, where
		// EMF reads them, whatever group the logger opened.
		{"inside-a-group", func(b *bytes.Buffer) *slog.Logger {
			return logging.NewTo(b, func(string) string { return "" }).WithGroup("g").With("x", 1)
		}},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			m := spec.Line(now)
			m.Dim(metrics.DimKind, "reset")
			m.Dim(metrics.DimOutcome, `odd "quoted" \ value`)
			m.Int(metrics.Answers, 1)
			m.Float(metrics.RenderMillis, 0.412)
			m.Float("duration_ms", math.NaN()) // a property; JSON has no NaN
			tc.logger(&buf).LogAttrs(t.Context(), slog.LevelInfo, "custom message", slog.String("tenant", "acme"), m.Attr())
			lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
			require.Len(t, lines, 1, "one line")
			got, err := emftest.Parse(lines[0])
			require.NoError(t, err, "%s", lines[0])
			assert.Equal(t, emftest.Line{
				Namespace: "cogmail-test",
				Values:    map[string]float64{metrics.Answers: 1, metrics.RenderMillis: 0.412},
				Dims:      map[string]string{metrics.DimFunction: "trigger", metrics.DimKind: "reset", metrics.DimOutcome: `odd "quoted" \ value`},
			}, got)
			var members map[string]any
			require.NoError(t, json.Unmarshal(lines[0], &members))
			assert.Equal(t, 0.0, members["duration_ms"])
			assert.Equal(t, float64(now.UnixMilli()), members["_aws"].(map[string]any)["Timestamp"])
			if tc.name != "inside-a-group" {
				assert.Equal(t, "acme", members["tenant"])
			}
		})
	}
}
