package deploy

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/notify"
	"github.com/cogmail/cogmail/lambda/once"
)

// The notifier as the design has it: built like the other functions, its
// environment per the contract, its own log group, and a name fixed so that
// it can invoke itself.
func TestTemplateNotifierShape(t *testing.T) {
	tp := readTemplate(t)
	fn := tp.resource(t, "NotifierFunction")

	t.Run("case=built and run like the others", func(t *testing.T) {
		assertLine(t, fn, `Type: AWS::Serverless::Function`, "type")
		assertLine(t, fn, `BuildMethod: makefile`, "built by the Makefile target build-NotifierFunction")
		assertLine(t, fn, `CodeUri: \.`, "code from the module root")
		assertLine(t, fn, `Handler: bootstrap`, "handler")
		assertLine(t, fn, `Runtime: provided\.al2023`, "custom runtime on AL2023")
		assert.Regexp(t, `(?m)^\s+Architectures:\s*(\[\s*arm64\s*\]|\n\s+- arm64)\s*$`, fn, "arm64 only")
		assertLine(t, fn, `MemorySize: 128`, "memory like the trigger's")
		assertLine(t, fn, `Timeout: 10`, "past Cognito's 5 s for the hand-off, short for a few calls")
		assertLine(t, fn, `FunctionName: !Sub \$\{AWS::StackName\}-notifier`, "a fixed name, for the self-invoke grant")
	})

	t.Run("case=its own log group", func(t *testing.T) {
		lg := tp.resource(t, "NotifierLogGroup")
		assertLine(t, lg, `Type: AWS::Logs::LogGroup`, "type")
		assertLine(t, lg, `RetentionInDays: !Ref LogRetentionDays`, "retention like the others")
		assertLine(t, lg, `LogGroupName: !Sub /aws/lambda/\$\{AWS::StackName\}-notifier`, "named after the function")
		assertLine(t, lg, `DeletionPolicy: Delete`, "deleted with the stack")
		logging := block(fn, "LoggingConfig", 6)
		assertLine(t, logging, `LogFormat: JSON`, "JSON logs")
		assertLine(t, logging, `LogGroup: !Ref NotifierLogGroup`, "its log group")
	})

	t.Run("case=environment", func(t *testing.T) {
		env := block(fn, "Environment", 6)
		require.NotEmpty(t, env, "no Environment")
		for name, value := range map[string]string{
			"COGMAIL_KEYS_SECRET_ARN": `!Ref KeysSecretArn`,
			handler.EnvPageURL:        `!If \[HasPageUrl, !Ref PageUrl, !GetAtt PageFunctionUrl\.FunctionUrl\]`,
			handler.EnvTemplatesDir:   `!If \[HasLayers, /opt/cogmail, !Ref AWS::NoValue\]`,
			notify.EnvTable:           `!Ref NotifyTable`,
			notify.EnvPools:           `!Join \[",", !Ref UserPoolIds\]`,
			notify.EnvFrom:            `!If \[HasNotifyFrom, !Ref NotifyFrom, !Ref AWS::NoValue\]`,
		} {
			assertLine(t, env, regexp.QuoteMeta(name)+`: `+value, name)
		}
		// The trigger's links and the notifier's report links lead to the
		// same page.
		trigger := block(tp.resource(t, "CogmailFunction"), "Environment", 6)
		assert.Equal(t, lineOf(trigger, handler.EnvPageURL+":"), lineOf(env, handler.EnvPageURL+":"))
	})

	t.Run("case=parameters", func(t *testing.T) {
		params := block(tp.text(), "Parameters", 0)
		for name, def := range map[string]string{
			"UserPoolIds": `""`, "SenderIdentities": `""`, "SenderConfigurationSets": `""`, "NotifyFrom": `""`,
		} {
			p := block(params, name, 2)
			require.NotEmpty(t, p, "no %s parameter", name)
			assertLine(t, p, `Default: `+regexp.QuoteMeta(def), name+" is optional")
		}
		for name, values := range map[string]map[string]bool{
			"UserPoolIds": {
				"": true, "eu-west-1_Ab12Cd34E": true, "us-gov-west-1_abc": true,
				"eu-west-1": false, "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Ab12Cd34E": false,
			},
			"SenderIdentities": {
				"": true, "acme-rockets.example": true, "sicherheit@acme-rockets.example": true,
				"a b.example": false, "x@y@z": false, "*": false,
			},
			"SenderConfigurationSets": {"": true, "cogmail-acme": true, "a_b": true, "a.b": false, "*": false},
			"NotifyFrom": {
				"": true, "sicherheit@acme-rockets.example": true, "Acme Rockets <sicherheit@acme-rockets.example>": true,
				"Acme <x": false, `"Acme" <x@y.example>`: false, "x@y.example <z@w.example>": false,
			},
		} {
			re := allowedPattern(t, block(params, name, 2))
			for value, ok := range values {
				assert.Equal(t, ok, re.MatchString(value), "%s=%q", name, value)
			}
		}
	})
}

// Lambda's asynchronous retries, then the dead-letter queue, for the
// function and for the rule's deliveries alike: a failed event is kept,
// encrypted, and the queue takes the rule's letters from that rule only.
func TestTemplateNotifierDeadLetters(t *testing.T) {
	tp := readTemplate(t)
	fn := tp.resource(t, "NotifierFunction")

	q := tp.resource(t, "NotifierDeadLetterQueue")
	assertLine(t, q, `Type: AWS::SQS::Queue`, "type")
	assertLine(t, q, `SqsManagedSseEnabled: true`, "encrypted at rest")
	assertLine(t, q, `MessageRetentionPeriod: 1209600`, "14 days, SQS's maximum")

	invoke := block(fn, "EventInvokeConfig", 6)
	require.NotEmpty(t, invoke, "no EventInvokeConfig")
	assertLine(t, invoke, `MaximumRetryAttempts: 2`, "Lambda's two retries")
	assertLine(t, invoke, `MaximumEventAgeInSeconds: [0-9]+`, "a bounded age")
	dlq := block(fn, "DeadLetterQueue", 6)
	assertLine(t, dlq, `Type: SQS`, "a queue")
	assertLine(t, dlq, `TargetArn: !GetAtt NotifierDeadLetterQueue\.Arn`, "the function's failures")

	rule := tp.resource(t, "PasswordChangeRule")
	targets := block(rule, "Targets", 6)
	require.NotEmpty(t, targets, "the rule has no Targets")
	assertLine(t, targets, `Arn: !GetAtt NotifierFunction\.Arn`, "the rule invokes the notifier")
	assertLine(t, block(targets, "RetryPolicy", 10), `MaximumRetryAttempts: [0-9]+`, "the rule's own retries")
	assertLine(t, block(targets, "DeadLetterConfig", 10), `Arn: !GetAtt NotifierDeadLetterQueue\.Arn`, "the rule's failures, same queue")

	policy := tp.resource(t, "NotifierDeadLetterQueuePolicy")
	assertLine(t, policy, `- !Ref NotifierDeadLetterQueue|Queues: \[!Ref NotifierDeadLetterQueue\]`, "on the queue")
	assert.Equal(t, 1, strings.Count(policy, "Effect:"), "one statement:\n%s", policy)
	assertLine(t, policy, `Effect: Allow`, "an allow")
	assertLine(t, policy, `Service: events\.amazonaws\.com`, "EventBridge writes the rule's letters")
	assertLine(t, policy, `Action: sqs:SendMessage`, "sending only")
	assertLine(t, policy, `aws:SourceArn: !GetAtt PasswordChangeRule\.Arn`, "for this rule only")

	perm := tp.resource(t, "PasswordChangeRuleInvokePermission")
	assertLine(t, perm, `Type: AWS::Lambda::Permission`, "type")
	assertLine(t, perm, `FunctionName: !GetAtt NotifierFunction\.Arn`, "the notifier")
	assertLine(t, perm, `Principal: events\.amazonaws\.com`, "EventBridge invokes")
	assertLine(t, perm, `SourceArn: !GetAtt PasswordChangeRule\.Arn`, "this rule only")

	table := tp.resource(t, "NotifyTable")
	assertLine(t, table, `Type: AWS::DynamoDB::Table`, "type")
	assertLine(t, table, `BillingMode: PAY_PER_REQUEST`, "on demand")
	assert.Regexp(t, `- AttributeName: id\n\s+AttributeType: S`, table, "key id, a string")
	assert.Regexp(t, `- AttributeName: id\n\s+KeyType: HASH`, table, "id is the key")
	ttl := block(table, "TimeToLiveSpecification", 6)
	assertLine(t, ttl, `AttributeName: expiresAt`, "TTL on expiresAt")
	assertLine(t, ttl, `Enabled: true`, "TTL on")
}

// The demo pool's Post confirmation trigger is the notifier, which Cognito
// may invoke for that pool only; the notifier never names the pool back.
func TestTemplatePostConfirmationWiring(t *testing.T) {
	tp := readTemplate(t)
	pool := tp.resource(t, "DemoUserPool")
	assertLine(t, block(pool, "LambdaConfig", 6), `PostConfirmation: !GetAtt NotifierFunction\.Arn`, "the pool's Post confirmation trigger")

	perm := tp.resource(t, "DemoUserPoolNotifierPermission")
	assertLine(t, perm, `Type: AWS::Lambda::Permission`, "type")
	assertLine(t, perm, `Condition: CreateDemo`, "with the demo pool")
	assertLine(t, perm, `FunctionName: !GetAtt NotifierFunction\.Arn`, "the notifier")
	assertLine(t, perm, `Principal: cognito-idp\.amazonaws\.com`, "Cognito invokes")
	assertLine(t, perm, `SourceAccount: !Ref AWS::AccountId`, "this account only")
	assertLine(t, perm, `SourceArn: !GetAtt DemoUserPool\.Arn`, "this pool only")

	assert.NotContains(t, tp.resource(t, "NotifierFunction"), "DemoUserPool", "the pool names the notifier: the notifier must not name the pool")
	graph := dependencyGraph(t, tp.text())
	assert.Contains(t, graph["DemoUserPool"], "NotifierFunction")
	assert.Contains(t, graph["PageSignOutPolicy"], "DemoUserPool", "the page's sign-out grant covers the demo pool, from a resource of its own")
}

func TestTemplateOutputsNotifier(t *testing.T) {
	outputs := block(readTemplate(t).text(), "Outputs", 0)
	for name, value := range map[string]string{
		"NotifierFunctionName":       `!Ref NotifierFunction`,
		"NotifierFunctionArn":        `!GetAtt NotifierFunction\.Arn`,
		"NotifierLogGroupName":       `!Ref NotifierLogGroup`,
		"NotifyTableName":            `!Ref NotifyTable`,
		"NotifierDeadLetterQueueUrl": `!Ref NotifierDeadLetterQueue`, // Ref of a queue is its URL
	} {
		out := block(outputs, name, 2)
		require.NotEmpty(t, out, "output %s", name)
		assertLine(t, out, `Value: `+value, name)
	}
}

// lineOf returns the first line of text that, trimmed, starts with prefix.
func lineOf(text, prefix string) string {
	for line := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), prefix) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// allowedPattern compiles a parameter's AllowedPattern as CloudFormation
// reads it: the YAML double-quoted string unescaped, matched in full.
func allowedPattern(t *testing.T, param string) *regexp.Regexp {
	t.Helper()
	m := regexp.MustCompile(`AllowedPattern: "(.*)"`).FindStringSubmatch(param)
	require.NotNil(t, m, "no AllowedPattern in:\n%s", param)
	return regexp.MustCompile(strings.NewReplacer(`\\`, `\`, `\"`, `"`).Replace(m[1]))
}

// The claims that make a retried event send once must outlive every retry
// the template allows, and a claim left by an attempt that died must not
// be taken over while that attempt could still be running.
func TestTemplateClaimsOutliveRetries(t *testing.T) {
	tp := readTemplate(t)
	fn := tp.resource(t, "NotifierFunction")
	sender := tp.resource(t, "SenderFunction")
	rule := tp.resource(t, "PasswordChangeRule")
	for what, age := range map[string]time.Duration{
		"Lambda's asynchronous retries":               seconds(t, block(fn, "EventInvokeConfig", 6), "MaximumEventAgeInSeconds"),
		"the rule's retries":                          seconds(t, block(rule, "RetryPolicy", 10), "MaximumEventAgeInSeconds"),
		"Lambda's asynchronous retries of the sender": seconds(t, block(sender, "EventInvokeConfig", 6), "MaximumEventAgeInSeconds"),
	} {
		assert.Greater(t, once.DefaultTTL, age, "a claim expires before %s end", what)
	}
	for name, body := range map[string]string{"NotifierFunction": fn, "SenderFunction": sender} {
		assert.Greater(t, once.DefaultStale, seconds(t, body, "Timeout"), "%s: a claim is taken over while its attempt may still run", name)
	}
}
