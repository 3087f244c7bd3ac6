package deploy

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/internal/metrics"
)

// The dashboard's variables (the !Sub's second item): the sender's, which
// exist in its mode only.
var dashboardVariables = map[string]string{
	"SenderName":  "!If [SenderMode, !Ref SenderFunction, none]",
	"SenderQueue": "!If [SenderMode, !GetAtt SenderDeadLetterQueue.QueueName, none]",
}

// searchExpr is a SEARCH over one schema of the stack's namespace.
var searchExpr = regexp.MustCompile(`^SEARCH\('\{"([^"]+)",([^}]*)\} (\w+)="(\w+)" MetricName="(\w+)"', '\w+', 300\)$`)

// dashboardProblems reads the dashboard's body as CloudFormation would give
// it to CloudWatch (every ${…} standing for its name) and returns what is
// wrong: JSON that does not parse, a ${…} that is nothing, a metric the code
// does not emit, a function or queue not shown, a metric of cogmail's not
// shown.
func dashboardProblems(t *testing.T, text string, emitted map[string][]emission) []string {
	t.Helper()
	d := block(block(text, "Resources", 0), "Dashboard", 2)
	require.NotEmpty(t, d, "no Dashboard")
	require.True(t, hasLine(d, `Type: AWS::CloudWatch::Dashboard`))
	body, vars, ok := strings.Cut(strings.SplitN(d, "        - |\n", 2)[1], "\n        - ")
	require.True(t, ok, "DashboardBody is not !Sub [body, variables]:\n%s", d)
	var problems []string
	got := map[string]string{}
	for line := range strings.SplitSeq("  "+vars, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ": "); ok {
			got[k] = v
		}
	}
	if !maps.Equal(got, dashboardVariables) {
		problems = append(problems, fmt.Sprintf("variables %v", got))
	}
	blocks := resourceBlocks(t, text)
	body = regexp.MustCompile(`\$\{([^}]*)\}`).ReplaceAllStringFunc(body, func(m string) string {
		name := m[2 : len(m)-1]
		res, _, _ := strings.Cut(name, ".")
		if _, ok := blocks[res]; !ok && !strings.HasPrefix(name, "AWS::") && dashboardVariables[name] == "" {
			problems = append(problems, m+" is neither a resource, a pseudo parameter nor a variable")
		}
		return name
	})
	var dash struct {
		Widgets []struct {
			Type       string
			Properties struct {
				Region  string
				Metrics [][]any
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &dash); err != nil {
		return append(problems, "the body is not JSON: "+err.Error())
	}
	namespace := strings.NewReplacer("${", "", "}", "").Replace(strings.TrimPrefix(stackNamespace, "!Sub "))
	shown := map[string]bool{}
	for _, w := range dash.Widgets {
		if w.Type != "metric" {
			continue
		}
		if w.Properties.Region != "AWS::Region" {
			problems = append(problems, "a widget not in the stack's region")
		}
		for _, m := range w.Properties.Metrics {
			if e, ok := m[0].(map[string]any); ok {
				s := searchExpr.FindStringSubmatch(fmt.Sprint(e["expression"]))
				if s == nil || s[1] != namespace {
					problems = append(problems, fmt.Sprintf("not a SEARCH of the stack's namespace: %v", e["expression"]))
					continue
				}
				dims := strings.Split(s[2], ",")
				if !emits(emitted, s[5], dims) || s[3] != metrics.DimFunction {
					problems = append(problems, fmt.Sprintf("the code emits no %s with dimensions %v", s[5], dims))
				}
				shown[s[5]] = true
				continue
			}
			var fields []string
			for _, f := range m {
				if s, ok := f.(string); ok {
					fields = append(fields, s)
				}
			}
			ns, name, dims := fields[0], fields[1], map[string]string{}
			for i := 2; i+1 < len(fields); i += 2 {
				dims[fields[i]] = fields[i+1]
			}
			switch ns {
			case namespace:
				if !emits(emitted, name, slices.Collect(maps.Keys(dims))) {
					problems = append(problems, fmt.Sprintf("the code emits no %s with dimensions %v", name, dims))
				}
				shown[name] = true
			case "AWS/Lambda":
				shown["function "+dims["FunctionName"]] = true
			case "AWS/SQS":
				shown["queue "+dims["QueueName"]] = true
			case metrics.DefaultNamespace:
				shown["filter "+name] = true
			default:
				problems = append(problems, "namespace "+ns)
			}
		}
	}
	for name := range emitted {
		if !shown[name] {
			problems = append(problems, name+" is not on the dashboard")
		}
	}
	for _, want := range []string{"function CogmailFunction", "function PageFunction", "function NotifierFunction", "function SenderName",
		"queue NotifierDeadLetterQueue.QueueName", "queue SenderQueue", "filter AWS::StackName-sender-dropped"} {
		if !shown[want] {
			problems = append(problems, want+" is not on the dashboard")
		}
	}
	return problems
}

func TestTemplateDashboard(t *testing.T) {
	all := readTemplate(t).text()
	emitted := emittedMetrics(t)
	t.Run("case=every function's metrics", func(t *testing.T) {
		assert.Empty(t, dashboardProblems(t, all, emitted))
	})
	t.Run("case=the check finds what is wrong", func(t *testing.T) {
		for _, r := range []struct{ from, to string }{
			{`MetricName=\"LinkChecks\"`, `MetricName=\"LinkCheck\"`},
			{`Function,Kind,Outcome} Function=\"notifier\"`, `Function,Outcome} Function=\"notifier\"`},
			{`"PageErrors", "Function", "page"`, `"PageErrors", "Function", "page", "Kind", "reset"`},
			{`"${NotifierFunction}"`, `"${NotifierFunctio}"`},
			{`{"widgets": [`, `{"widgets": [,`},
		} {
			mutated := strings.Replace(all, r.from, r.to, 1)
			require.NotEqual(t, all, mutated, "%q is no longer in the template", r.from)
			assert.NotEmpty(t, dashboardProblems(t, mutated, emitted), "%q → %q", r.from, r.to)
		}
	})
}
