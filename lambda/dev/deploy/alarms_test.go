package deploy

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// stackNamespace is the namespace every function writes its metrics under
// (Globals) and the alarms and the dashboard read: the stack's own.
const stackNamespace = "!Sub " + metrics.DefaultNamespace + "/${AWS::StackName}"

// alarmMetric is one metric an alarm reads.
type alarmMetric struct {
	namespace, name, stat, period string
	dims                          map[string]string
}

// alarm is one AWS::CloudWatch::Alarm of the template.
type alarm struct {
	name, condition, description, body string
	metrics                            []alarmMetric
}

var dimensionItem = regexp.MustCompile(`-\s+Name:\s*(\S+)\s*\n\s+Value:\s*(.+)`)

// keyValue returns the value of the key at indent in text, "" if absent.
func keyValue(text, key string, indent int) string {
	first, _, _ := strings.Cut(block(text, key, indent), "\n")
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(first), key+":"))
}

// readMetric reads a metric whose keys (Namespace, MetricName, Dimensions)
// are at indent in text.
func readMetric(text string, indent int) alarmMetric {
	m := alarmMetric{namespace: keyValue(text, "Namespace", indent), name: keyValue(text, "MetricName", indent), dims: map[string]string{}}
	for _, d := range dimensionItem.FindAllStringSubmatch(block(text, "Dimensions", indent), -1) {
		m.dims[d[1]] = strings.TrimSpace(d[2])
	}
	return m
}

// alarms returns the template's alarms: plain ones (one metric under
// Properties) and metric math ones (MetricStat items under Metrics).
func alarms(t *testing.T, text string) []alarm {
	t.Helper()
	var out []alarm
	for name, body := range resourceBlocks(t, text) {
		if !hasLine(body, `Type: AWS::CloudWatch::Alarm`) {
			continue
		}
		a := alarm{name: name, body: body, condition: keyValue(body, "Condition", 4)}
		desc := strings.Split(block(body, "AlarmDescription", 6), "\n")
		for _, l := range desc[1:] {
			a.description += strings.TrimSpace(l) + " "
		}
		a.description = strings.TrimSpace(a.description)
		if block(body, "MetricName", 6) != "" {
			m := readMetric(body, 6)
			m.stat = keyValue(body, "Statistic", 6) + keyValue(body, "ExtendedStatistic", 6)
			m.period = keyValue(body, "Period", 6)
			a.metrics = append(a.metrics, m)
		}
		for item := range strings.SplitSeq(block(body, "Metrics", 6), "\n        - Id:") {
			stat := block(strings.Replace(item, "          MetricStat:", "MetricStat:", 1), "MetricStat", 0)
			if stat == "" {
				continue
			}
			m := readMetric(block(item, "Metric", 12), 14)
			m.stat, m.period = keyValue(item, "Stat", 12), keyValue(item, "Period", 12)
			a.metrics = append(a.metrics, m)
		}
		require.NotEmpty(t, a.metrics, "%s reads no metric", name)
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// strayMetrics returns the metrics of the stack's namespace that some alarm
// reads and the code does not emit with those dimensions, or names with
// values that are not cogmail's.
func strayMetrics(t *testing.T, text string, emitted map[string][]emission) []string {
	t.Helper()
	consts := metricsConstants(t)
	values := map[string][]string{
		metrics.DimFunction: {metrics.FunctionTrigger, metrics.FunctionPage, metrics.FunctionNotifier, metrics.FunctionSender},
		metrics.DimOutcome:  {metrics.OutcomeRendered, metrics.OutcomeFallback, metrics.OutcomePassthrough, metrics.OutcomeCognitoDefault},
	}
	for _, k := range trigger.Kinds {
		values[metrics.DimKind] = append(values[metrics.DimKind], string(k))
	}
	var stray []string
	for _, a := range alarms(t, text) {
		for _, m := range a.metrics {
			if m.namespace != stackNamespace {
				continue
			}
			if !slices.Contains(slices.Collect(maps.Values(consts)), m.name) {
				stray = append(stray, a.name+": "+m.name+" is not a name of lambda/internal/metrics")
			}
			if !emits(emitted, m.name, slices.Collect(maps.Keys(m.dims))) {
				stray = append(stray, a.name+": the code emits no "+m.name+" with dimensions "+strings.Join(slices.Sorted(maps.Keys(m.dims)), ","))
			}
			for d, v := range m.dims {
				if !slices.Contains(values[d], v) {
					stray = append(stray, a.name+": "+d+"="+v+" is not a value cogmail writes")
				}
			}
		}
	}
	return stray
}

func TestTemplateAlarms(t *testing.T) {
	tp := readTemplate(t)
	all := tp.text()
	blocks := resourceBlocks(t, all)
	as := alarms(t, all)
	require.NotEmpty(t, as)
	emitted := emittedMetrics(t)

	t.Run("case=the namespace the functions write", func(t *testing.T) {
		globals := block(all, "Globals", 0)
		assertLine(t, globals, regexp.QuoteMeta(metrics.EnvNamespace+": "+stackNamespace), "every function's metrics under the stack's namespace")
	})

	t.Run("case=cogmail's metrics are the code's", func(t *testing.T) {
		assert.Empty(t, strayMetrics(t, all, emitted))
	})

	t.Run("case=the check finds a metric the code does not emit", func(t *testing.T) {
		for _, r := range []struct{ from, to string }{
			{"MetricName: PageErrors", "MetricName: PageError"},
			{"Value: mfa", "Value: sms"},
			{"                - Name: Outcome\n                  Value: fallback", "                - Name: Result\n                  Value: fallback"},
			{"        - Name: Function\n          Value: page", "        - Name: Function\n          Value: page\n        - Name: Kind\n          Value: reset"},
		} {
			mutated := strings.Replace(all, r.from, r.to, 1)
			require.NotEqual(t, all, mutated, "%q is no longer in the template", r.from)
			assert.NotEmpty(t, strayMetrics(t, mutated, emitted), "%q → %q", r.from, r.to)
		}
	})

	t.Run("case=AWS metrics of the stack's own resources", func(t *testing.T) {
		for _, a := range as {
			for _, m := range a.metrics {
				switch m.namespace {
				case stackNamespace:
				case "AWS/Lambda":
					assert.Contains(t, []string{"Errors", "Throttles", "Duration"}, m.name, a.name)
					fn := strings.TrimPrefix(m.dims["FunctionName"], "!Ref ")
					assert.Len(t, m.dims, 1, a.name)
					assert.True(t, hasLine(blocks[fn], `Type: AWS::Serverless::Function`), "%s: %s is not a function", a.name, fn)
					assert.Equal(t, keyValue(blocks[fn], "Condition", 4), a.condition, "%s exists when %s does", a.name, fn)
				case "AWS/SQS":
					assert.Equal(t, "ApproximateNumberOfMessagesVisible", m.name, a.name)
					q := strings.TrimSuffix(strings.TrimPrefix(m.dims["QueueName"], "!GetAtt "), ".QueueName")
					assert.Len(t, m.dims, 1, a.name)
					assert.True(t, hasLine(blocks[q], `Type: AWS::SQS::Queue`), "%s: %s is not a queue", a.name, q)
					assert.Equal(t, keyValue(blocks[q], "Condition", 4), a.condition, "%s exists when %s does", a.name, q)
					assert.Equal(t, "Maximum", m.stat, a.name)
				case metrics.DefaultNamespace:
					// A metric filter's metric: the stack's filter of that name.
					var filter string
					for name, body := range blocks {
						if hasLine(body, `Type: AWS::Logs::MetricFilter`) && hasLine(body, `MetricName: `+regexp.QuoteMeta(m.name)) {
							filter = name
						}
					}
					require.NotEmpty(t, filter, "%s: no metric filter writes %s", a.name, m.name)
					assertLine(t, blocks[filter], `- MetricNamespace: `+metrics.DefaultNamespace, "the filter's namespace")
					assert.Equal(t, keyValue(blocks[filter], "Condition", 4), a.condition, "%s exists when %s does", a.name, filter)
				default:
					t.Errorf("%s reads the namespace %q", a.name, m.namespace)
				}
			}
		}
	})

	// Which alarm watches what: every function's errors and throttles,
	// every dead-letter queue, every metric filter, the trigger's p99
	// and answers, the page's 5xx.
	watched := map[string]string{}
	for _, a := range as {
		for _, m := range a.metrics {
			key := m.namespace + " " + m.name + " " + strings.Join(slices.Sorted(maps.Values(m.dims)), ",")
			if m.namespace == stackNamespace {
				key = m.name + " " + m.dims[metrics.DimOutcome]
			}
			watched[key] = a.name
		}
	}
	t.Run("case=every function, queue and filter is watched", func(t *testing.T) {
		var functions int
		for name, body := range blocks {
			switch {
			case hasLine(body, `Type: AWS::Serverless::Function`):
				functions++
				for _, m := range []string{"Errors", "Throttles"} {
					assert.NotEmpty(t, watched["AWS/Lambda "+m+" !Ref "+name], "no alarm on %s's %s", name, m)
				}
				if dlq := keyValue(block(body, "DeadLetterQueue", 6), "TargetArn", 8); dlq != "" {
					q := strings.TrimSuffix(strings.TrimPrefix(dlq, "!GetAtt "), ".Arn")
					assert.NotEmpty(t, watched["AWS/SQS ApproximateNumberOfMessagesVisible !GetAtt "+q+".QueueName"], "no alarm on %s's dead-letter queue %s", name, q)
				}
			case hasLine(body, `Type: AWS::Logs::MetricFilter`):
				assert.NotEmpty(t, watched[metrics.DefaultNamespace+" "+keyValue(block(body, "MetricTransformations", 6), "MetricName", 10)+" "], "no alarm on %s", name)
			}
		}
		assert.GreaterOrEqual(t, functions, 5, "the trigger, the page, the notifier, the sender, the rotation")
		assert.NotEmpty(t, watched[metrics.PageErrors+" "], "no alarm on the page's 5xx")
	})

	t.Run("case=the trigger answers Cognito within its 5 seconds", func(t *testing.T) {
		name := watched["AWS/Lambda Duration !Ref CogmailFunction"]
		require.NotEmpty(t, name, "no alarm on the trigger's duration")
		a := blocks[name]
		assertLine(t, a, `ExtendedStatistic: p99`, "the slowest answers")
		assertLine(t, a, `Threshold: 4000`, "a second before Cognito gives up")
	})

	// One alarm per outcome, summing a series per kind the trigger
	// renders: fallback or passthrough of any of them alarms.
	t.Run("case=every kind's fallbacks and passthroughs", func(t *testing.T) {
		for _, outcome := range []string{metrics.OutcomeFallback, metrics.OutcomePassthrough} {
			name := watched[metrics.Answers+" "+outcome]
			require.NotEmpty(t, name, "no alarm on %s answers", outcome)
			var kinds []string
			for _, a := range as {
				if a.name != name {
					continue
				}
				assert.LessOrEqual(t, len(a.metrics), 10, "CloudWatch's limit of metrics per alarm")
				for _, m := range a.metrics {
					assert.Equal(t, outcome, m.dims[metrics.DimOutcome], name)
					assert.Equal(t, metrics.FunctionTrigger, m.dims[metrics.DimFunction], name)
					kinds = append(kinds, m.dims[metrics.DimKind])
				}
			}
			var want []string
			for _, k := range trigger.Kinds {
				want = append(want, string(k))
			}
			assert.ElementsMatch(t, want, kinds, "%s: one series per kind the trigger renders", name)
			assertLine(t, blocks[name], `Expression: SUM\(FILL\(METRICS\(\), 0\)\)`, "the kinds summed")
			assert.Equal(t, 1, strings.Count(blocks[name], "ReturnData: true"), "the sum alone is the alarm's")
		}
	})

	t.Run("case=any bad datapoint in 5 minutes, no traffic is fine", func(t *testing.T) {
		for _, a := range as {
			for _, m := range a.metrics {
				assert.Equal(t, "300", m.period, a.name)
				assert.NotEmpty(t, m.stat, a.name)
			}
			assertLine(t, a.body, `EvaluationPeriods: 1`, a.name)
			assertLine(t, a.body, `DatapointsToAlarm: 1`, a.name)
			assertLine(t, a.body, `ComparisonOperator: GreaterThanThreshold`, a.name)
			assertLine(t, a.body, `TreatMissingData: notBreaching`, a.name)
			if !strings.Contains(a.body, "Duration") {
				assertLine(t, a.body, `Threshold: 0`, a.name)
			}
		}
	})

	t.Run("case=actions to the configured topic", func(t *testing.T) {
		const topic = `!If \[HasAlarmEmail, \[!Ref AlarmTopic\], !If \[HasAlarmTopicArn, \[!Ref AlarmTopicArn\], !Ref AWS::NoValue\]\]`
		for _, a := range as {
			assertLine(t, a.body, `AlarmActions: `+topic, a.name)
			assertLine(t, a.body, `OKActions: `+topic, a.name)
		}
		tp := tp.resource(t, "AlarmTopic")
		assertLine(t, tp, `Type: AWS::SNS::Topic`, "type")
		assertLine(t, tp, `Condition: HasAlarmEmail`, "only with an address")
		assertLine(t, tp, `Endpoint: !Ref AlarmEmail`, "the address subscribed")
		rules := block(all, "Rules", 0)
		assert.Contains(t, block(rules, "OneAlarmTopic", 2), "!Equals [!Ref AlarmEmail, \"\"]", "not both a topic and an address")
	})

	t.Run("case=each alarm says what it means and where its runbook is", func(t *testing.T) {
		guide, err := os.ReadFile(filepath.Join(moduleRoot(t), "infra", "README.md"))
		require.NoError(t, err)
		sections := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^#### (\w+Alarm)$`).FindAllStringSubmatch(string(guide), -1) {
			sections[m[1]] = true
		}
		for _, a := range as {
			assert.Contains(t, a.description, "First check:", a.name)
			assert.Contains(t, a.description, "Runbook: infra/README.md, section "+a.name+".", a.name)
			assert.LessOrEqual(t, len(a.description), 1024, "%s: CloudWatch's limit", a.name)
			assert.True(t, sections[a.name], "infra/README.md has no section #### %s", a.name)
			delete(sections, a.name)
		}
		assert.Empty(t, sections, "runbook sections of no alarm")
	})
}
