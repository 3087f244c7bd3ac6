package deploy

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/page"
)

// moduleRoot walks up from the package directory (where go test runs) to the
// directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the test directory")
		dir = parent
	}
}

// cfn-lint exit status bits (cfn-lint --help, "non-zero-exit-code").
const (
	cfnLintFailure       = 1
	cfnLintError         = 2
	cfnLintWarning       = 4
	cfnLintInformational = 8
)

func TestTemplateLints(t *testing.T) {
	cfnLint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint not on PATH: it is a Python tool (with the AWS SAM translator) that this " +
			"module cannot install; install it to lint template.yaml")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cfnLint, "--format", "parseable", "--", "template.yaml")
	cmd.Dir = moduleRoot(t)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return
	}
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "running cfn-lint: %s", out)
	code := exit.ExitCode()
	if code&(cfnLintFailure|cfnLintError|cfnLintWarning) != 0 || code&^(cfnLintFailure|cfnLintError|cfnLintWarning|cfnLintInformational) != 0 {
		t.Fatalf("cfn-lint template.yaml exited %d (errors and warnings must be fixed in the template):\n%s", code, out)
	}
	// Informational findings only: worth reading, not a failure.
	t.Logf("cfn-lint informational findings:\n%s", out)
}

// template is template.yaml without its full-line comments, so that a comment
// can never satisfy an assertion.
type template struct {
	lines []string
}

func readTemplate(t *testing.T) template {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(moduleRoot(t), "template.yaml"))
	require.NoError(t, err)
	var lines []string
	for line := range strings.SplitSeq(string(data), "\n") {
		line = strings.TrimRight(line, " \t\r")
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		lines = append(lines, line)
	}
	return template{lines: lines}
}

func (tp template) text() string { return strings.Join(tp.lines, "\n") }

func indentOf(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

// block returns the lines under the mapping key `name:` found at the given
// indentation inside the text, the key line included; "" if absent.
func block(text, name string, indent int) string {
	lines := strings.Split(text, "\n")
	key := strings.Repeat(" ", indent) + name + ":"
	for i, line := range lines {
		if line != key && !strings.HasPrefix(line, key+" ") {
			continue
		}
		end := i + 1
		for end < len(lines) && (strings.TrimSpace(lines[end]) == "" || indentOf(lines[end]) > indent) {
			end++
		}
		return strings.Join(lines[i:end], "\n")
	}
	return ""
}

// resource returns the block of a resource under the top-level Resources key.
func (tp template) resource(t *testing.T, name string) string {
	t.Helper()
	resources := block(tp.text(), "Resources", 0)
	require.NotEmpty(t, resources, "template has no Resources")
	b := block(resources, name, 2)
	require.NotEmpty(t, b, "template has no resource %s", name)
	return b
}

// hasLine reports whether some line of text, trimmed, matches the regular
// expression pattern in full.
func hasLine(text, pattern string) bool {
	re := regexp.MustCompile(`^(?:` + pattern + `)$`)
	for line := range strings.SplitSeq(text, "\n") {
		if re.MatchString(strings.TrimSpace(line)) {
			return true
		}
	}
	return false
}

func assertLine(t *testing.T, text, pattern, what string) {
	t.Helper()
	assert.True(t, hasLine(text, pattern), "%s: no line matching %q in:\n%s", what, pattern, text)
}

func TestTemplateShape(t *testing.T) {
	tp := readTemplate(t)
	all := tp.text()

	assertLine(t, all, `Transform: AWS::Serverless-2016-10-31`, "SAM transform")

	t.Run("function", func(t *testing.T) {
		fn := tp.resource(t, "CogmailFunction")
		assertLine(t, fn, `Type: AWS::Serverless::Function`, "type")
		assertLine(t, fn, `Runtime: provided\.al2023`, "custom runtime on AL2023")
		assert.Regexp(t, `(?m)^\s+Architectures:\s*(\[\s*arm64\s*\]|\n\s+- arm64)\s*$`, fn, "arm64 only")
		assertLine(t, fn, `MemorySize: !Ref TriggerMemorySize`, "memory, a parameter")
		assert.Regexp(t, `(?m)^  TriggerMemorySize:\n    Type: Number\n    Default: 128$`, all, "128 MB unless the operator says otherwise")
		// Cognito waits about 5 seconds for a trigger.
		assertLine(t, fn, `Timeout: 5`, "timeout")
		assertLine(t, fn, `Handler: bootstrap`, "handler")
		assertLine(t, fn, `CodeUri: \.`, "code from the module root")
		assertLine(t, fn, `BuildMethod: makefile`, "built by the Makefile target build-CogmailFunction")
		assertLine(t, fn, `COGMAIL_KEYS_SECRET_ARN: !Ref KeysSecretArn`, "secret ARN from the parameter")

		logging := block(fn, "LoggingConfig", 6)
		require.NotEmpty(t, logging, "function has no LoggingConfig")
		assertLine(t, logging, `LogFormat: JSON`, "JSON logs")
		assertLine(t, logging, `LogGroup: !Ref CogmailLogGroup`, "explicit log group")

		policies := block(fn, "Policies", 6)
		require.NotEmpty(t, policies, "function has no Policies")
		assertLine(t, policies, `Action: secretsmanager:GetSecretValue`, "reads the keyring")
		assertLine(t, policies, `Resource: !Ref KeysSecretArn`, "on exactly the parameter's secret")
		assert.Equal(t, 1, strings.Count(policies, "Action:"), "the only statement reads the secret:\n%s", policies)
	})

	t.Run("no wildcards", func(t *testing.T) {
		// In a key policy "*" is the key itself (TestTemplateSenderKey).
		grants := withoutKeyPolicies(t, all)
		assert.NotRegexp(t, `Resource:\s*['"]?\*`, grants, "a Resource: '*' grant")
		assert.NotRegexp(t, `Resource:\s*\n\s*-\s*['"]?\*`, grants, "a Resource list holding '*'")
		assert.NotRegexp(t, `Resource:\s*\[\s*['"]?\*`, grants, "a Resource list holding '*'")
		assert.NotRegexp(t, `secretsmanager:\*`, all, "a secretsmanager:* action")
		assert.Regexp(t, `Resource:\s*['"]?\*`, all, "the check above reads the key policy")
	})

	t.Run("log group", func(t *testing.T) {
		lg := tp.resource(t, "CogmailLogGroup")
		assertLine(t, lg, `Type: AWS::Logs::LogGroup`, "type")
		assertLine(t, lg, `RetentionInDays: !Ref LogRetentionDays`, "retention from the parameter")
		params := block(all, "Parameters", 0)
		assertLine(t, block(params, "LogRetentionDays", 2), `Default: 30`, "30 days by default")
	})

	t.Run("parameters", func(t *testing.T) {
		params := block(all, "Parameters", 0)
		keys := block(params, "KeysSecretArn", 2)
		require.NotEmpty(t, keys, "no KeysSecretArn parameter")
		assertLine(t, keys, `AllowedPattern: .*secretsmanager.*`, "secret ARN pattern")
		assert.NotContains(t, keys, "Default:", "KeysSecretArn must be required")
		assertLine(t, block(params, "CreateDemoUserPool", 2), `Default: "false"`, "no demo pool by default")
		assertLine(t, block(params, "SesIdentityArn", 2), `Default: ""`, "SesIdentityArn optional")
		assertLine(t, block(params, "SesFromAddress", 2), `Default: ""`, "SesFromAddress optional")

		rules := block(all, "Rules", 0)
		require.NotEmpty(t, rules, "no Rules: CreateDemoUserPool=true must require SesIdentityArn")
		assert.Contains(t, rules, "Assertions:")
		assert.Contains(t, rules, "!Ref SesIdentityArn")
		assert.Contains(t, rules, "!Ref CreateDemoUserPool")
	})

	t.Run("demo pool", func(t *testing.T) {
		pool := tp.resource(t, "DemoUserPool")
		assertLine(t, pool, `Type: AWS::Cognito::UserPool`, "type")
		assertLine(t, pool, `Condition: CreateDemo`, "only on request")
		assertLine(t, pool, `UsernameAttributes: \[email\]`, "sign-in by email")
		assertLine(t, pool, `AutoVerifiedAttributes: \[email\]`, "email verified")
		assertLine(t, pool, `CustomMessage: !If \[SenderMode, !Ref AWS::NoValue, !GetAtt CogmailFunction\.Arn\]`,
			"trigger wired to the function (in custom-message mode: TestTemplateMessageModeWiring)")
		assertLine(t, pool, `TemporaryPasswordValidityDays: 7`, "invitations last 7 days")
		assertLine(t, pool, `- Name: tenant_id`, "custom:tenant_id attribute")
		email := block(pool, "EmailConfiguration", 6)
		require.NotEmpty(t, email, "pool has no EmailConfiguration")
		assertLine(t, email, `EmailSendingAccount: DEVELOPER`, "sends through SES")
		assertLine(t, email, `SourceArn: !Ref SesIdentityArn`, "from the verified identity")

		client := tp.resource(t, "DemoUserPoolClient")
		assertLine(t, client, `Condition: CreateDemo`, "only on request")
		assertLine(t, client, `GenerateSecret: false`, "public client")
		assertLine(t, client, `- ALLOW_USER_PASSWORD_AUTH`, "password auth")
		assertLine(t, client, `- ALLOW_REFRESH_TOKEN_AUTH`, "refresh tokens")

		perm := tp.resource(t, "DemoUserPoolInvokePermission")
		assertLine(t, perm, `Type: AWS::Lambda::Permission`, "type")
		assertLine(t, perm, `Condition: DemoCustomMessage`, "only on request, while the pool uses the trigger")
		assertLine(t, perm, `Principal: cognito-idp\.amazonaws\.com`, "Cognito invokes")
		assertLine(t, perm, `SourceAccount: !Ref AWS::AccountId`, "this account only")
		assertLine(t, perm, `SourceArn: !GetAtt DemoUserPool\.Arn`, "this pool only")
	})

	t.Run("page", func(t *testing.T) {
		fn := tp.resource(t, "PageFunction")
		assertLine(t, fn, `Runtime: provided\.al2023`, "custom runtime on AL2023")
		assertLine(t, fn, `AuthType: NONE`, "a public Function URL: the links are opened by anyone")
		assert.NotContains(t, fn, page.EnvConfig+":", "the page's configuration holds secrets: never a variable")
		// Cognito's reset and sign-in APIs are public: no IAM grant for them.
		assert.NotContains(t, fn, "cognito-idp:", "the page needs no Cognito permission")
		assert.Equal(t, 2, strings.Count(fn, "Action:"), "two statements: the keyring and the page's configuration:\n%s", fn)
		assert.Equal(t, 2, strings.Count(fn, "Action: secretsmanager:GetSecretValue"), "both only read a secret")
		assertLine(t, fn, `Resource: !Ref KeysSecretArn`, "the keyring secret")
		// Exactly the stack's page-config secret: the ARN ends in "-" and
		// six random characters, which ?????? matches and nothing longer.
		assertLine(t, fn, `Resource: !Sub arn:\$\{AWS::Partition\}:secretsmanager:\$\{AWS::Region\}:\$\{AWS::AccountId\}:secret:\$\{AWS::StackName\}-page-config-\?{6}`,
			"the page's configuration secret, by name")
	})

	t.Run("outputs", func(t *testing.T) {
		outputs := block(all, "Outputs", 0)
		for _, name := range []string{"FunctionName", "FunctionArn", "LogGroupName", "PageUrl"} {
			assert.NotEmpty(t, block(outputs, name, 2), "output %s", name)
		}
		for _, name := range []string{"DemoUserPoolId", "DemoUserPoolClientId"} {
			out := block(outputs, name, 2)
			require.NotEmpty(t, out, "output %s", name)
			assertLine(t, out, `Condition: CreateDemo`, name+" only with the demo pool")
		}
		out := block(outputs, "PageConfigSecretName", 2)
		assertLine(t, out, `Condition: CreatePageConfigSecret`, "PageConfigSecretName only with the secret")
	})
}

// withoutKeyPolicies returns text without the KeyPolicy of its KMS keys.
func withoutKeyPolicies(t *testing.T, text string) string {
	t.Helper()
	for _, body := range resourceBlocks(t, text) {
		if hasLine(body, `Type: AWS::KMS::Key`) {
			policy := block(strings.TrimSuffix(body, "\n"), "KeyPolicy", 6)
			require.NotEmpty(t, policy, "a key without a KeyPolicy")
			text = strings.Replace(text, policy, "", 1)
		}
	}
	return text
}

// accountID matches a literal 12-digit account id (not the [0-9]{12} of a
// pattern).
var accountID = regexp.MustCompile(`(^|[^0-9{])[0-9]{12}([^0-9]|$)`)

func TestDeployFilesHoldNoAccountData(t *testing.T) {
	root := moduleRoot(t)
	for _, name := range []string{"template.yaml", filepath.Join("infra", "samconfig.toml")} {
		data, err := os.ReadFile(filepath.Join(root, name))
		if errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is missing", name)
			continue
		}
		require.NoError(t, err)
		assert.NotRegexp(t, accountID, string(data), "%s holds what looks like an account id", name)
	}
	samconfig, err := os.ReadFile(filepath.Join(root, "infra", "samconfig.toml"))
	require.NoError(t, err)
	assert.NotContains(t, string(samconfig), "arn:", "infra/samconfig.toml names an ARN")
}
