package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/internal/logging"
)

func env(level string) func(string) string {
	return func(name string) string {
		if name == logging.EnvLevel {
			return level
		}
		return ""
	}
}

// lines logs one line at each level and returns the levels written.
func lines(t *testing.T, level string) []string {
	t.Helper()
	var buf bytes.Buffer
	logger := logging.NewTo(&buf, env(level))
	for _, l := range []slog.Level{logging.LevelTrace, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, logging.LevelFatal} {
		logger.Log(context.Background(), l, "x")
	}
	var out []string
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var rec struct{ Level string }
		require.NoError(t, dec.Decode(&rec))
		out = append(out, rec.Level)
	}
	return out
}

func TestLevel(t *testing.T) {
	all := []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
	for _, tc := range []struct {
		env  string
		want []string
	}{
		{"", all[2:]}, // unset: INFO
		{"TRACE", all},
		{"DEBUG", all[1:]},
		{"INFO", all[2:]},
		{"WARN", all[3:]},
		{"warn", all[3:]},
		{"ERROR", all[4:]},
		{"FATAL", all[5:]},
		{"LOUD", all[2:]}, // unknown: INFO
	} {
		t.Run("case="+tc.env, func(t *testing.T) {
			assert.Equal(t, tc.want, lines(t, tc.env))
		})
	}
}

func TestRequestID(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want any
	}{
		{"invocation", lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "c0ffee00-1111-2222-3333-444455556666"}), "c0ffee00-1111-2222-3333-444455556666"},
		{"cold-start", context.Background(), nil},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := logging.NewTo(&buf, env("")).With("function", "test")
			logger.InfoContext(tc.ctx, "x", "outcome", "ok")
			var rec map[string]any
			require.NoError(t, json.Unmarshal(buf.Bytes(), &rec))
			assert.Equal(t, tc.want, rec[logging.RequestIDKey])
			assert.Equal(t, "test", rec["function"], "With keeps the wrapper's attributes")
		})
	}
}
