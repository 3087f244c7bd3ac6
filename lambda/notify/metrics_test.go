package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/internal/logging"
	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/internal/metrics/emftest"
	"github.com/cogmail/cogmail/lambda/notify"
)

// checkEMF fails unless an invocation's line is an EMF document counting
// one Notices by its Kind and Outcome (lastLog calls it on every line it
// returns, so every test of a sent, skipped or failed event checks it).
func checkEMF(t testing.TB, line map[string]any) emftest.Line {
	t.Helper()
	raw, err := json.Marshal(line)
	require.NoError(t, err)
	emf, err := emftest.Parse(raw)
	require.NoError(t, err, "%s", raw)
	kind, _ := line["kind"].(string)
	if kind == "" {
		kind = metrics.KindOther
	}
	assert.Equal(t, map[string]string{metrics.DimFunction: metrics.FunctionNotifier, metrics.DimKind: kind, metrics.DimOutcome: line["outcome"].(string)}, emf.Dims)
	assert.Equal(t, map[string]float64{metrics.Notices: 1}, emf.Values)
	return emf
}

// An event the function does not serve is counted too, under Kind other,
// in the namespace configured, with the request id.
func TestMetricsOther(t *testing.T) {
	logs := new(bytes.Buffer)
	fn := notify.New(notify.Config{Logger: logging.NewTo(logs, func(string) string { return "" }), MetricsNamespace: "cogmail-test"})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "7d9a2c4e-0000-4b1a-8c3d-5e6f7a8b9c0d"})
	_, _ = fn.Invoke(ctx, []byte("{}"))
	line := lastLog(t, logs)
	emf := checkEMF(t, line)
	assert.Equal(t, "cogmail-test", emf.Namespace)
	assert.Equal(t, metrics.KindOther, emf.Dims[metrics.DimKind])
	assert.Equal(t, "7d9a2c4e-0000-4b1a-8c3d-5e6f7a8b9c0d", line[logging.RequestIDKey])
}
