package page_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/internal/metrics/emftest"
	"github.com/cogmail/cogmail/lambda/page"
)

// The page's log lines carry its metrics as EMF: LinkChecks by Result when
// a link is opened, PageActions by Action and Result when a form is sent,
// PageErrors on a 5xx answer. Every line with metrics must parse.
func TestMetrics(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(e *env) int // the answer's status
		want []emftest.Line   // the request's metric lines, in order
	}{
		{"link-valid", func(e *env) int { return e.get(e.link(linkOpts{})).status },
			[]emftest.Line{linkCheck("valid")}},
		{"link-expired", func(e *env) int { return e.get(e.link(linkOpts{expires: testNow.Add(-time.Minute)})).status },
			[]emftest.Line{linkCheck("expired")}},
		{"link-unknown-key", func(e *env) int { return e.get(e.link(linkOpts{ring: newRing(e.t, "k9")})).status },
			[]emftest.Line{linkCheck("unknown-key")}},
		{"link-bad-signature", func(e *env) int { return e.get(e.link(linkOpts{ring: newRing(e.t, "k1")})).status },
			[]emftest.Line{linkCheck("bad-signature")}},
		{"link-wrong-pool", func(e *env) int { return e.get(e.link(linkOpts{pool: "eu-west-1_Other1234"})).status },
			[]emftest.Line{linkCheck("wrong-pool")}},
		{"reset-completed", func(e *env) int {
			return e.submit(e.link(linkOpts{}), "password", testPassword, "repeat", testPassword).status
		}, []emftest.Line{linkCheck("valid"), action("reset", "completed", false)}},
		{"reset-cognito-failing", func(e *env) int {
			e.cognito.errs["ConfirmForgotPassword"] = &types.InternalErrorException{}
			return e.submit(e.link(linkOpts{}), "password", testPassword, "repeat", testPassword).status
		}, []emftest.Line{linkCheck("valid"), action("reset", "refused", true)}},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *page.Config) { c.MetricsNamespace = "cogmail-test" })
			status := tc.run(e)
			var got []emftest.Line
			e.mu.Lock()
			logs := e.logs.String()
			e.mu.Unlock()
			for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
				if !strings.Contains(line, `"_aws"`) {
					continue
				}
				emf, err := emftest.Parse([]byte(line))
				require.NoError(t, err, line)
				assert.Equal(t, "cogmail-test", emf.Namespace)
				emf.Namespace = ""
				got = append(got, emf)
			}
			assert.Equal(t, tc.want, got, logs)
			assert.Equal(t, tc.want[len(tc.want)-1].Values[metrics.PageErrors] == 1, status >= http.StatusInternalServerError, "PageErrors counts 5xx answers")
		})
	}
}

func linkCheck(result string) emftest.Line {
	return emftest.Line{
		Values: map[string]float64{metrics.LinkChecks: 1},
		Dims:   map[string]string{metrics.DimFunction: metrics.FunctionPage, metrics.DimResult: result},
	}
}

func action(name, result string, failed bool) emftest.Line {
	l := emftest.Line{
		Values: map[string]float64{metrics.PageActions: 1},
		Dims:   map[string]string{metrics.DimFunction: metrics.FunctionPage, metrics.DimAction: name, metrics.DimResult: result},
	}
	if failed {
		l.Values[metrics.PageErrors] = 1
	}
	return l
}
