package deploy

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// translateScript runs the SAM translator as cfn-lint does before it lints
// (cfnlint's own transform: local CodeUri replaced, managed policies from
// its bundled list) and prints the CloudFormation template SAM writes.
const translateScript = `
import json, sys
from cfnlint.decode.decode import decode
from cfnlint.template.transforms._sam import Transform
template, matches = decode(sys.argv[1])
if matches:
    sys.exit("decoding: %s" % matches)
transform = Transform(sys.argv[1], template, "eu-west-1")
matches = transform.transform_template()
if matches:
    sys.exit("translating: %s" % matches)
json.dump(transform.template(), sys.stdout, default=str)
`

// cfnLintPython finds a Python that imports cfn-lint and the SAM
// translator: the interpreter of cfn-lint's script when it names one, else
// python3. "" when there is none.
func cfnLintPython(t *testing.T) string {
	t.Helper()
	var candidates []string
	if path, err := exec.LookPath("cfn-lint"); err == nil {
		if f, err := os.Open(path); err == nil {
			line, _ := bufio.NewReader(f).ReadString('\n')
			f.Close()
			if fields := strings.Fields(strings.TrimPrefix(line, "#!")); strings.HasPrefix(line, "#!") && len(fields) == 1 && strings.Contains(fields[0], "python") {
				candidates = append(candidates, fields[0])
			}
		}
	}
	if path, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, path)
	}
	for _, python := range candidates {
		if exec.CommandContext(t.Context(), python, "-c", "import cfnlint.template.transforms._sam, samtranslator").Run() == nil {
			return python
		}
	}
	return ""
}

// translated is template.yaml as SAM translates it for CloudFormation.
func translated(t *testing.T) map[string]any {
	t.Helper()
	python := cfnLintPython(t)
	if python == "" {
		t.Skip("no Python with cfn-lint and the AWS SAM translator: they cannot come from this module's " +
			"registries; install cfn-lint to check what SAM adds to template.yaml")
	}
	cmd := exec.CommandContext(t.Context(), python, "-c", translateScript, "template.yaml")
	cmd.Dir = moduleRoot(t)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "SAM translation: %s", stderr.String())
	var tpl map[string]any
	require.NoError(t, json.Unmarshal(out, &tpl))
	return tpl
}

// What SAM adds to the roles is a grant too: the notifier's and the
// sender's roles may write their failed events to their own dead-letter
// queues (SAM's DeadLetterQueue property) and nothing else of SQS, and each
// function's role has Lambda's basic execution policy only.
func TestTemplateTranslatedGrants(t *testing.T) {
	tpl := translated(t)
	resources, ok := tpl["Resources"].(map[string]any)
	require.True(t, ok, "no Resources in the translated template")

	property := func(resource, name string) any {
		t.Helper()
		r, ok := resources[resource].(map[string]any)
		require.True(t, ok, "the translated template has no %s", resource)
		props, _ := r["Properties"].(map[string]any)
		return props[name]
	}

	queues := map[string]string{"NotifierFunctionRole": "NotifierDeadLetterQueue", "SenderFunctionRole": "SenderDeadLetterQueue"}
	for _, role := range []string{"CogmailFunctionRole", "PageFunctionRole", "NotifierFunctionRole", "SenderFunctionRole"} {
		t.Run("case="+role, func(t *testing.T) {
			assert.Equal(t, []any{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}, property(role, "ManagedPolicyArns"))
			var sqs []any
			policies, _ := property(role, "Policies").([]any)
			for _, p := range policies {
				doc, _ := p.(map[string]any)["PolicyDocument"].(map[string]any)
				statements, _ := doc["Statement"].([]any)
				for _, s := range statements {
					if strings.Contains(mustJSON(t, s.(map[string]any)["Action"]), `"sqs:`) {
						sqs = append(sqs, s)
					}
				}
			}
			queue, ok := queues[role]
			if !ok {
				assert.Empty(t, sqs, "no queue for %s", role)
				return
			}
			require.Len(t, sqs, 1, "one SQS grant: SAM's, for the dead-letter queue")
			assert.JSONEq(t, `{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["`+queue+`", "Arn"]}}`,
				mustJSON(t, sqs[0]), "sending, to the function's own queue")
		})
	}

	// The functions' dead-letter queues as SAM writes them for Lambda.
	for role, queue := range queues {
		dlq, _ := property(strings.TrimSuffix(role, "Role"), "DeadLetterConfig").(map[string]any)
		assert.JSONEq(t, `{"Fn::GetAtt": ["`+queue+`", "Arn"]}`, mustJSON(t, dlq["TargetArn"]), role)
	}

	// SAM carries the sender's condition to what it generates from it, so
	// that custom-message mode has none of them.
	for _, name := range []string{"SenderFunction", "SenderFunctionRole", "SenderFunctionEventInvokeConfig"} {
		r, ok := resources[name].(map[string]any)
		require.True(t, ok, "the translated template has no %s", name)
		assert.Equal(t, "SenderMode", r["Condition"], name)
	}

	// SAM passes the rule through: its input is what TestPasswordChangeRuleWrapsTheEvent
	// resolved, read here by a YAML parser rather than flowJSON.
	targets, _ := property("PasswordChangeRule", "Targets").([]any)
	require.Len(t, targets, 1)
	transformer, _ := targets[0].(map[string]any)["InputTransformer"].(map[string]any)
	want, err := ruleInputTemplate(readTemplate(t).text())
	require.NoError(t, err)
	assert.JSONEq(t, mustJSON(t, want), mustJSON(t, transformer["InputTemplate"]))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
