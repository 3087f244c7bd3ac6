package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/internal/logging"
	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/internal/metrics/emftest"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// Every recorded event's log line is one EMF document CloudWatch can read:
// Answers by Kind and Outcome, and for an email its time and size; the
// request id rides along.
func TestLogLineIsEMF(t *testing.T) {
	const requestID = "5f0c3a52-1b7e-4c55-9a11-6f3d2e8b7c90"
	events := recorded(t)
	events["not-json"] = []byte("[]")
	for name, payload := range events {
		t.Run("case="+name, func(t *testing.T) {
			logs := new(bytes.Buffer)
			h, _ := fixture(t, func(c *handler.Config) {
				c.Logger = logging.NewTo(logs, func(string) string { return "" })
				c.MetricsNamespace = "cogmail-test"
			})
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: requestID})
			_, err := h.Invoke(ctx, payload)
			require.NoError(t, err)
			lines := bytes.Split(bytes.TrimSpace(logs.Bytes()), []byte("\n"))
			line := lines[len(lines)-1]
			emf, err := emftest.Parse(line)
			require.NoError(t, err, "%s", line)
			var rec struct {
				Trigger, Outcome, RequestID string
				Chars                       int `json:"email_chars"`
			}
			require.NoError(t, json.Unmarshal(line, &rec))
			// Lower-case members too: encoding/json matches them.
			var members map[string]any
			require.NoError(t, json.Unmarshal(line, &members))

			assert.Equal(t, "cogmail-test", emf.Namespace)
			assert.Equal(t, requestID, members[logging.RequestIDKey])
			assert.Equal(t, metrics.FunctionTrigger, emf.Dims[metrics.DimFunction])
			assert.Equal(t, members["outcome"], emf.Dims[metrics.DimOutcome])
			assert.Contains(t, []string{metrics.OutcomeRendered, metrics.OutcomeFallback, metrics.OutcomePassthrough, metrics.OutcomeCognitoDefault}, emf.Dims[metrics.DimOutcome])
			wantKind := metrics.KindOther
			if k, ok := trigger.Of(rec.Trigger); ok && members["reason"] != "event is not a JSON object" {
				wantKind = string(k)
			}
			assert.Equal(t, wantKind, emf.Dims[metrics.DimKind])
			assert.Equal(t, 1.0, emf.Values[metrics.Answers])
			if rec.Chars > 0 && emf.Dims[metrics.DimOutcome] != metrics.OutcomePassthrough {
				assert.Equal(t, float64(rec.Chars), emf.Values[metrics.EmailChars])
				assert.Greater(t, emf.Values[metrics.RenderMillis], 0.0)
			} else {
				assert.NotContains(t, emf.Values, metrics.EmailChars, "no email, no size")
			}
		})
	}
}
