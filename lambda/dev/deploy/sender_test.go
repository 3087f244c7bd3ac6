package deploy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/sender"
)

// The sender's resources exist in its mode only.
var senderResources = []string{
	"SenderKey", "SenderLogGroup", "SenderDroppedMetricFilter", "SenderFunction", "SenderTable", "SenderDeadLetterQueue",
}

// The sender as the design has it: built like the other functions, its
// environment per the contract, its own log group, a fixed name, and only
// in MessageMode custom-email-sender.
func TestTemplateSenderShape(t *testing.T) {
	tp := readTemplate(t)
	fn := tp.resource(t, "SenderFunction")

	t.Run("case=built and run like the others", func(t *testing.T) {
		assertLine(t, fn, `Type: AWS::Serverless::Function`, "type")
		assertLine(t, fn, `BuildMethod: makefile`, "built by the Makefile target build-SenderFunction")
		assertLine(t, fn, `CodeUri: \.`, "code from the module root")
		assertLine(t, fn, `Handler: bootstrap`, "handler")
		assertLine(t, fn, `Runtime: provided\.al2023`, "custom runtime on AL2023")
		assert.Regexp(t, `(?m)^\s+Architectures:\s*(\[\s*arm64\s*\]|\n\s+- arm64)\s*$`, fn, "arm64 only")
		assertLine(t, fn, `MemorySize: 128`, "memory like the others")
		assertLine(t, fn, `Timeout: 10`, "a few calls, each bounded by its client")
		assertLine(t, fn, `FunctionName: !Sub \$\{AWS::StackName\}-sender`, "a fixed name")
	})

	t.Run("case=only in sender mode", func(t *testing.T) {
		conditions := block(tp.text(), "Conditions", 0)
		assertLine(t, conditions, `SenderMode: !Equals \[!Ref MessageMode, custom-email-sender\]`, "SenderMode")
		for _, name := range senderResources {
			assertLine(t, tp.resource(t, name), `Condition: SenderMode`, name)
		}
		param := block(block(tp.text(), "Parameters", 0), "MessageMode", 2)
		require.NotEmpty(t, param, "no MessageMode parameter")
		assertLine(t, param, `Default: custom-message`, "today's mode by default")
		assertLine(t, param, `AllowedValues: \[custom-message, custom-email-sender\]`, "the two modes")
	})

	t.Run("case=its own log group", func(t *testing.T) {
		lg := tp.resource(t, "SenderLogGroup")
		assertLine(t, lg, `Type: AWS::Logs::LogGroup`, "type")
		assertLine(t, lg, `RetentionInDays: !Ref LogRetentionDays`, "retention like the others")
		assertLine(t, lg, `LogGroupName: !Sub /aws/lambda/\$\{AWS::StackName\}-sender`, "named after the function")
		assertLine(t, lg, `DeletionPolicy: Delete`, "deleted with the stack")
		logging := block(fn, "LoggingConfig", 6)
		assertLine(t, logging, `LogFormat: JSON`, "JSON logs")
		assertLine(t, logging, `LogGroup: !Ref SenderLogGroup`, "its log group")
	})

	t.Run("case=environment", func(t *testing.T) {
		env := block(fn, "Environment", 6)
		require.NotEmpty(t, env, "no Environment")
		want := map[string]string{
			"COGMAIL_KEYS_SECRET_ARN": `!Ref KeysSecretArn`,
			handler.EnvPageURL:        `!If \[HasPageUrl, !Ref PageUrl, !GetAtt PageFunctionUrl\.FunctionUrl\]`,
			handler.EnvTemplatesDir:   `!If \[HasLayers, /opt/cogmail, !Ref AWS::NoValue\]`,
			// The key's ARN (GetAtt), not its id (Ref): the strict keyring
			// refuses a bare id or an alias.
			sender.EnvKeyARN: `!GetAtt SenderKey\.Arn`,
			sender.EnvTable:  `!Ref SenderTable`,
			sender.EnvFrom:   `!If \[HasNotifyFrom, !Ref NotifyFrom, !Ref AWS::NoValue\]`,
			// Tenants from S3, with TenantsBucket (tenants_s3_test.go).
			"COGMAIL_TENANTS_S3": `!If \[HasTenantsBucket, .+\]`,
		}
		for name, value := range want {
			assertLine(t, env, regexp.QuoteMeta(name)+`: `+value, name)
		}
		assert.Equal(t, len(want), strings.Count(env, "COGMAIL_"), "no other variable:\n%s", env)
		// Links lead to the page the trigger's lead to; the default tenant
		// sends as the notifier's.
		for _, name := range []string{handler.EnvPageURL, sender.EnvFrom} {
			assert.Equal(t, lineOf(block(tp.resource(t, "NotifierFunction"), "Environment", 6), name+":"), lineOf(env, name+":"), name)
		}
	})

	t.Run("case=the alarm's metric", func(t *testing.T) {
		f := tp.resource(t, "SenderDroppedMetricFilter")
		assertLine(t, f, `Type: AWS::Logs::MetricFilter`, "type")
		assertLine(t, f, `LogGroupName: !Ref SenderLogGroup`, "the sender's log")
		// The field of the line the sender logs, at ERROR, for a message
		// no attempt can send.
		assertLine(t, f, `FilterPattern: '\{ \$\.outcome = "dropped" \}'`, `lines with "outcome":"dropped"`)
		assertLine(t, f, `MetricName: !Sub \$\{AWS::StackName\}-sender-dropped`, "one metric per stack")
	})
}

// Cognito invokes the sender asynchronously: Lambda's two retries, within
// the hour a reset code lives, then the dead-letter queue, which keeps
// the event as long as any code lives, encrypted.
func TestTemplateSenderDeadLetters(t *testing.T) {
	tp := readTemplate(t)
	fn := tp.resource(t, "SenderFunction")

	invoke := block(fn, "EventInvokeConfig", 6)
	require.NotEmpty(t, invoke, "no EventInvokeConfig")
	assertLine(t, invoke, `MaximumRetryAttempts: 2`, "Lambda's two retries")
	assert.LessOrEqual(t, seconds(t, invoke, "MaximumEventAgeInSeconds"), time.Hour, "a reset code lives an hour")
	dlq := block(fn, "DeadLetterQueue", 6)
	assertLine(t, dlq, `Type: SQS`, "a queue")
	assertLine(t, dlq, `TargetArn: !GetAtt SenderDeadLetterQueue\.Arn`, "the sender's own queue")

	q := tp.resource(t, "SenderDeadLetterQueue")
	assertLine(t, q, `Type: AWS::SQS::Queue`, "type")
	assertLine(t, q, `SqsManagedSseEnabled: true`, "encrypted at rest")
	// An invitation's temporary password lives 7 days (the demo pool's
	// TemporaryPasswordValidityDays): a redrive after that sends a dead code.
	assert.Equal(t, 7*24*time.Hour, seconds(t, q, "MessageRetentionPeriod"), "kept as long as a code lives")
	assertLine(t, tp.resource(t, "DemoUserPool"), `TemporaryPasswordValidityDays: 7`, "the longest a code lives")

	table := tp.resource(t, "SenderTable")
	assertLine(t, table, `Type: AWS::DynamoDB::Table`, "type")
	assertLine(t, table, `BillingMode: PAY_PER_REQUEST`, "on demand")
	assert.Regexp(t, `- AttributeName: id\n\s+KeyType: HASH`, table, "id is the key")
	assertLine(t, block(table, "TimeToLiveSpecification", 6), `AttributeName: expiresAt`, "TTL on expiresAt")
}

// The key Cognito encrypts codes under: symmetric (Cognito requires it),
// rotated, its policy the account's alone (grants are IAM's: the sender's
// decrypt grant is SenderDecryptPolicy, TestTemplateLeastPrivilege).
func TestTemplateSenderKey(t *testing.T) {
	tp := readTemplate(t)
	key := tp.resource(t, "SenderKey")
	assertLine(t, key, `Type: AWS::KMS::Key`, "type")
	assertLine(t, key, `KeySpec: SYMMETRIC_DEFAULT`, "symmetric")
	assertLine(t, key, `KeyUsage: ENCRYPT_DECRYPT`, "for encryption")
	assertLine(t, key, `EnableKeyRotation: true`, "rotated")
	assertLine(t, key, `PendingWindowInDays: 30`, "a deletion can be undone for 30 days")

	policy := block(key, "KeyPolicy", 6)
	require.NotEmpty(t, policy, "no KeyPolicy")
	var stmts []statement
	for _, s := range statements(t, tp.text()) {
		if s.owner == "SenderKey" {
			stmts = append(stmts, s)
		}
	}
	require.Len(t, stmts, 1, "one statement, the account's:\n%s", policy)
	s := stmts[0]
	assertLine(t, s.text, `AWS: !Sub arn:\$\{AWS::Partition\}:iam::\$\{AWS::AccountId\}:root`, "this account, through IAM")
	assert.Equal(t, 1, strings.Count(s.text, "Principal:"), "one principal")
	assert.NotContains(t, s.text, "Service:", "Cognito encrypts through its grant, not the key policy")
	assert.Equal(t, `"*"`, s.resource, "in a key policy, the key itself")
}

// The demo pool names one trigger or the other, and Cognito may invoke
// only the one it names; the sender never names the pool back.
func TestTemplateMessageModeWiring(t *testing.T) {
	tp := readTemplate(t)
	conditions := block(tp.text(), "Conditions", 0)
	assertLine(t, conditions, `DemoCustomMessage: !And \[!Condition CreateDemo, !Not \[!Condition SenderMode\]\]`, "DemoCustomMessage")
	assertLine(t, conditions, `DemoSender: !And \[!Condition CreateDemo, !Condition SenderMode\]`, "DemoSender")

	config := block(tp.resource(t, "DemoUserPool"), "LambdaConfig", 6)
	require.NotEmpty(t, config, "the demo pool has no LambdaConfig")
	assertLine(t, config, `CustomMessage: !If \[SenderMode, !Ref AWS::NoValue, !GetAtt CogmailFunction\.Arn\]`, "the trigger, in custom-message mode")
	assert.Regexp(t, `CustomEmailSender: !If\n\s+- SenderMode\n\s+- LambdaArn: !GetAtt SenderFunction\.Arn\n\s+LambdaVersion: V1_0\n\s+- !Ref AWS::NoValue\n`,
		config, "the sender, in its mode (V1_0: the only version)")
	assertLine(t, config, `KMSKeyID: !If \[SenderMode, !GetAtt SenderKey\.Arn, !Ref AWS::NoValue\]`, "the key's ARN, with the sender")
	assertLine(t, config, `PostConfirmation: !GetAtt NotifierFunction\.Arn`, "the notifier in both modes")

	for name, tc := range map[string]struct{ condition, function string }{
		"DemoUserPoolInvokePermission": {"DemoCustomMessage", "CogmailFunction"},
		"DemoUserPoolSenderPermission": {"DemoSender", "SenderFunction"},
	} {
		perm := tp.resource(t, name)
		assertLine(t, perm, `Type: AWS::Lambda::Permission`, name)
		assertLine(t, perm, `Condition: `+tc.condition, name+": while the pool names the function")
		assertLine(t, perm, `FunctionName: !GetAtt `+tc.function+`\.Arn`, name)
		assertLine(t, perm, `Principal: cognito-idp\.amazonaws\.com`, name+": Cognito invokes")
		assertLine(t, perm, `SourceAccount: !Ref AWS::AccountId`, name+": this account only")
		assertLine(t, perm, `SourceArn: !GetAtt DemoUserPool\.Arn`, name+": this pool only")
	}
	assert.NotContains(t, tp.resource(t, "SenderFunction"), "DemoUserPool", "the pool names the sender: the sender must not name the pool")
	assert.NotContains(t, tp.resource(t, "SenderKey"), "DemoUserPool", "the pool names the key: the key must not name the pool")
}

// In sender mode the sender is the pools' only way to email: the deploy
// refuses a sender that may send from no identity or decrypt no pool's
// codes. The rule's assertions are evaluated as CloudFormation would, for
// each case.
func TestTemplateSenderModeRules(t *testing.T) {
	rule := block(block(readTemplate(t).text(), "Rules", 0), "SenderModeNeedsSendersAndPools", 2)
	require.NotEmpty(t, rule, "no rule SenderModeNeedsSendersAndPools")
	condition := strings.TrimSpace(strings.TrimPrefix(lineOf(rule, "RuleCondition:"), "RuleCondition:"))
	require.Equal(t, "!Equals [!Ref MessageMode, custom-email-sender]", condition, "the rule holds in sender mode")
	var asserts []any
	for line := range strings.SplitSeq(rule, "\n") {
		if text, ok := strings.CutPrefix(strings.TrimSpace(line), "- Assert: "); ok {
			j, err := flowJSON(text)
			require.NoError(t, err)
			var node any
			require.NoError(t, json.Unmarshal([]byte(j), &node), j)
			asserts = append(asserts, node)
		}
	}
	require.Len(t, asserts, 2)

	for _, empty := range [][]string{{""}, {}} { // however CloudFormation reads an empty list
		for _, tc := range []struct {
			name            string
			demo            string
			identities, ids []string
			wantFail        bool
		}{
			{name: "demo pool and identities", demo: "true", identities: []string{"acme-rockets.example"}},
			{name: "your pools and identities", demo: "false", identities: []string{"acme-rockets.example"}, ids: []string{"eu-west-1_Ab12Cd34E"}},
			{name: "no identity", demo: "true", wantFail: true},
			{name: "no pool", demo: "false", identities: []string{"acme-rockets.example"}, wantFail: true},
		} {
			t.Run(fmt.Sprintf("case=%s, empty list %q", tc.name, empty), func(t *testing.T) {
				orEmpty := func(l []string) []string {
					if len(l) == 0 {
						return empty
					}
					return l
				}
				params := map[string]any{"CreateDemoUserPool": tc.demo, "SenderIdentities": orEmpty(tc.identities), "UserPoolIds": orEmpty(tc.ids)}
				held := true
				for _, a := range asserts {
					v, err := ruleValue(params, a)
					require.NoError(t, err)
					held = held && v.(bool)
				}
				assert.Equal(t, !tc.wantFail, held)
			})
		}
	}
}

// ruleValue evaluates a rule assertion's functions as CloudFormation's
// Rules do; any other function is an error, not a guess.
func ruleValue(params map[string]any, node any) (any, error) {
	switch n := node.(type) {
	case string:
		return n, nil
	case map[string]any:
		if len(n) != 1 {
			return nil, fmt.Errorf("not a function: %v", n)
		}
		for name, arg := range n {
			if name == "Ref" {
				v, ok := params[fmt.Sprint(arg)]
				if !ok {
					return nil, fmt.Errorf("Ref of an unknown parameter %v", arg)
				}
				return v, nil
			}
			args, ok := arg.([]any)
			if !ok {
				return nil, fmt.Errorf("%s takes a list", name)
			}
			var vals []any
			for _, a := range args {
				v, err := ruleValue(params, a)
				if err != nil {
					return nil, err
				}
				vals = append(vals, v)
			}
			switch name {
			case "Fn::Not":
				b, ok := vals[0].(bool)
				return !b, boolErr(ok && len(vals) == 1, name)
			case "Fn::Or", "Fn::And":
				out := name == "Fn::And"
				for _, v := range vals {
					b, ok := v.(bool)
					if !ok {
						return nil, boolErr(false, name)
					}
					if name == "Fn::Or" {
						out = out || b
					} else {
						out = out && b
					}
				}
				return out, nil
			case "Fn::Equals":
				return vals[0] == vals[1], boolErr(len(vals) == 2, name)
			case "Fn::EachMemberEquals":
				list, err := stringList(vals[0])
				if err != nil {
					return nil, err
				}
				for _, item := range list {
					if item != vals[1] {
						return false, nil
					}
				}
				return true, nil
			}
			return nil, fmt.Errorf("%s is not evaluated by this test", name)
		}
	}
	return nil, fmt.Errorf("unsupported node %T", node)
}

func boolErr(ok bool, name string) error {
	if ok {
		return nil
	}
	return fmt.Errorf("%s: wrong arguments", name)
}

func TestTemplateOutputsSender(t *testing.T) {
	outputs := block(readTemplate(t).text(), "Outputs", 0)
	for name, value := range map[string]string{
		"SenderFunctionName":       `!Ref SenderFunction`,
		"SenderFunctionArn":        `!GetAtt SenderFunction\.Arn`,
		"SenderKeyArn":             `!GetAtt SenderKey\.Arn`,
		"SenderLogGroupName":       `!Ref SenderLogGroup`,
		"SenderTableName":          `!Ref SenderTable`,
		"SenderDeadLetterQueueUrl": `!Ref SenderDeadLetterQueue`,
	} {
		out := block(outputs, name, 2)
		require.NotEmpty(t, out, "output %s", name)
		assertLine(t, out, `Value: `+value, name)
		assertLine(t, out, `Condition: SenderMode`, name+" only in sender mode")
	}
}

// seconds reads `key: N` from text as a duration of N seconds.
func seconds(t *testing.T, text, key string) time.Duration {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*` + key + `: ([0-9]+)$`).FindStringSubmatch(text)
	require.NotNil(t, m, "no %s in:\n%s", key, text)
	var n int
	_, err := fmt.Sscan(m[1], &n)
	require.NoError(t, err)
	return time.Duration(n) * time.Second
}
