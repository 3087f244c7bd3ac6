package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/notify"
)

// eventVariable is EventBridge's predefined input-transformer variable for
// the whole original event, detail included. Its content is not escaped:
// it may stand only, unquoted, as a JSON field's value.
const eventVariable = "<aws.events.event.json>"

// ruleInputTemplate returns PasswordChangeRule's InputTemplate in text (a
// template without comments), parsed as CloudFormation reads it.
func ruleInputTemplate(text string) (any, error) {
	rule := block(block(text, "Resources", 0), "PasswordChangeRule", 2)
	transformer := block(block(rule, "Targets", 6), "InputTransformer", 10)
	value := strings.TrimSpace(block(transformer, "InputTemplate", 12))
	if value == "" {
		return nil, fmt.Errorf("PasswordChangeRule's target has no InputTransformer.InputTemplate")
	}
	j, err := flowJSON(strings.TrimPrefix(value, "InputTemplate:"))
	if err != nil {
		return nil, err
	}
	var node any
	if err := json.Unmarshal([]byte(j), &node); err != nil {
		return nil, fmt.Errorf("InputTemplate is not JSON-form YAML: %w\n%s", err, j)
	}
	return node, nil
}

// poolSetup is the parameters that decide the wrapper's userPools: the
// demo pool's id when it is created (else ""), and UserPoolIds.
type poolSetup struct {
	demo string
	ids  []string
}

func (p poolSetup) String() string {
	return fmt.Sprintf("demo pool=%t,UserPoolIds=%d", p.demo != "", len(p.ids))
}

// stack is the stack CloudFormation resolves for p. The conditions are
// the template's (TestPasswordChangeRuleWrapsTheEvent pins their lines).
func (p poolSetup) stack() stack {
	ids := p.ids
	if len(ids) == 0 {
		ids = []string{""} // a CommaDelimitedList's Default "" is one empty item
	}
	s := stack{
		params: map[string]any{"CreateDemoUserPool": fmt.Sprint(p.demo != ""), "UserPoolIds": ids},
		conditions: map[string]bool{
			"CreateDemo":     p.demo != "",
			"HasUserPoolIds": strings.Join(ids, "") != "",
		},
		resources: map[string]string{},
	}
	if p.demo != "" {
		s.resources["DemoUserPool"] = p.demo // Ref of a user pool is its id
	}
	return s
}

// served is the userPools the wrapper must carry: the demo pool, then
// UserPoolIds.
func (p poolSetup) served() []string {
	out := []string{}
	if p.demo != "" {
		out = append(out, p.demo)
	}
	return append(out, p.ids...)
}

// wrap renders the rule's InputTemplate in text for p, as CloudFormation
// would, then as EventBridge would for event (compact JSON), and parses
// what the notifier receives.
func wrap(text string, p poolSetup, event []byte) (map[string]json.RawMessage, []byte, error) {
	node, err := ruleInputTemplate(text)
	if err != nil {
		return nil, nil, err
	}
	v, err := p.stack().eval(node)
	if err != nil {
		return nil, nil, err
	}
	rendered, ok := v.(string)
	if !ok {
		return nil, nil, fmt.Errorf("InputTemplate resolves to %T, not a string", v)
	}
	// EventBridge substitutes every <name>: only the event may be one.
	for _, m := range regexp.MustCompile(`<[^<>]*>`).FindAllString(rendered, -1) {
		if m != eventVariable {
			return nil, nil, fmt.Errorf("placeholder %s in %s", m, rendered)
		}
	}
	if strings.Count(rendered, eventVariable) != 1 {
		return nil, nil, fmt.Errorf("%s is not in %s once", eventVariable, rendered)
	}
	out := []byte(strings.Replace(rendered, eventVariable, string(event), 1))
	var w map[string]json.RawMessage
	if err := json.Unmarshal(out, &w); err != nil {
		return nil, nil, fmt.Errorf("the target's input is not JSON (%w): %s", err, rendered)
	}
	return w, out, nil
}

// compactEvent reads an events/cloudtrail file: the event, compact, and
// the wrapper's userPools when the file is what the target receives.
func compactEvent(t *testing.T, file string) (event []byte, pools []string, wrapped bool) {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var probe struct {
		Cogmail   *string  `json:"cogmail"`
		UserPools []string `json:"userPools"`
	}
	require.NoError(t, json.Unmarshal(data, &probe), file)
	inner, _ := notify.UnwrapCloudTrail(data)
	var buf bytes.Buffer
	require.NoError(t, json.Compact(&buf, inner), file)
	return buf.Bytes(), probe.UserPools, probe.Cogmail != nil
}

// The rule hands the notifier each CloudTrail event inside a wrapper that
// names the pools to serve besides COGMAIL_NOTIFY_POOLS: the demo pool
// (which the notifier's environment cannot name) and UserPoolIds. Every
// combination of the two conditions must give valid JSON, the original
// event intact, and exactly those pools.
func TestPasswordChangeRuleWrapsTheEvent(t *testing.T) {
	tp := readTemplate(t)
	text := tp.text()
	conditions := block(text, "Conditions", 0)
	assertLine(t, conditions, `CreateDemo: !Equals \[!Ref CreateDemoUserPool, "true"\]`, "CreateDemo, as poolSetup.stack has it")
	assertLine(t, conditions, `HasUserPoolIds: !Not \[!Equals \[!Join \["", !Ref UserPoolIds\], ""\]\]`, "HasUserPoolIds, as poolSetup.stack has it")

	rule := tp.resource(t, "PasswordChangeRule")
	assert.NotContains(t, block(rule, "Targets", 6), "InputPathsMap", "the predefined variable needs no path")

	files, err := filepath.Glob(filepath.Join(moduleRoot(t), "events", "cloudtrail", "*.json"))
	require.NoError(t, err)
	var events [][]byte
	for _, f := range files {
		if event, _, wrapped := compactEvent(t, f); !wrapped {
			events = append(events, event)
		}
	}
	require.NotEmpty(t, events, "no recorded CloudTrail events")

	const demo = "eu-west-1_Dm01Xy23Z"
	var setups []poolSetup
	for _, d := range []string{"", demo} {
		for _, ids := range [][]string{nil, {"eu-west-1_Ab12Cd34E"}, {"eu-west-1_Ab12Cd34E", "eu-west-1_Zz98Yy76X"}} {
			setups = append(setups, poolSetup{demo: d, ids: ids})
		}
	}
	for _, p := range setups {
		t.Run("case="+p.String(), func(t *testing.T) {
			for _, event := range events {
				w, raw, err := wrap(text, p, event)
				require.NoError(t, err)
				assert.ElementsMatch(t, []string{"cogmail", "userPools", "event"}, keys(w))
				assert.JSONEq(t, `"cloudtrail"`, string(w["cogmail"]))
				var pools []string
				require.NoError(t, json.Unmarshal(w["userPools"], &pools))
				assert.NotNil(t, pools, "userPools is a list, empty or not")
				assert.Equal(t, p.served(), pools, "the demo pool, then UserPoolIds")
				assert.JSONEq(t, string(event), string(w["event"]), "the whole event, detail included")

				// And the notifier reads it so.
				inner, served := notify.UnwrapCloudTrail(raw)
				assert.JSONEq(t, string(event), string(inner))
				assert.Equal(t, p.served(), append([]string{}, served...))
			}
		})
	}

	// A recorded wrapper is what this template gives for its pools (the
	// first one taken as the demo pool's).
	for _, f := range files {
		event, pools, wrapped := compactEvent(t, f)
		if !wrapped {
			continue
		}
		t.Run("case=events/cloudtrail/"+filepath.Base(f), func(t *testing.T) {
			p := poolSetup{}
			if len(pools) > 0 {
				p = poolSetup{demo: pools[0], ids: pools[1:]}
			}
			_, raw, err := wrap(text, p, event)
			require.NoError(t, err)
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			assert.JSONEq(t, string(data), string(raw))
		})
	}

	t.Run("case=the check finds a broken template", func(t *testing.T) {
		event := events[0]
		for _, m := range []struct {
			name, from, to string
			p              poolSetup
		}{
			{"a trailing comma", `{"Fn::Sub": '"${DemoUserPool}"'}`, `{"Fn::Sub": '"${DemoUserPool}",'}`, poolSetup{demo: demo}},
			{"a leading comma", `{"Fn::Sub": ['"${Ids}"'`, `{"Fn::Sub": [',"${Ids}"'`, poolSetup{ids: []string{"eu-west-1_Ab12Cd34E"}}},
			{"the event quoted", `"event":` + eventVariable, `"event":"` + eventVariable + `"`, poolSetup{}},
			{"the demo pool named without it", `{"Fn::Sub": ['"${Ids}"'`, `{"Fn::Sub": ['"${DemoUserPool}","${Ids}"'`, poolSetup{ids: []string{"eu-west-1_Ab12Cd34E"}}},
			{"another placeholder", eventVariable + "}'", eventVariable + `,"rule":"<aws.events.rule-arn>"}'`, poolSetup{}},
		} {
			mutated := strings.Replace(text, m.from, m.to, 1)
			require.NotEqual(t, text, mutated, "%s: %q is no longer in the template", m.name, m.from)
			_, _, err := wrap(mutated, m.p, event)
			if assert.Error(t, err, m.name) {
				t.Logf("%s: %v", m.name, err)
			}
		}
	})
}

func keys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
