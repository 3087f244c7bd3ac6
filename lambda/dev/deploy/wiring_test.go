package deploy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// One deployment gives working links: the function's default tenant leads
// to the PageUrl parameter or, without it, to this stack's own page.
func TestTemplatePageURLWiring(t *testing.T) {
	tp := readTemplate(t)
	all := tp.text()
	params := block(all, "Parameters", 0)
	pageURL := block(params, "PageUrl", 2)
	require.NotEmpty(t, pageURL, "no PageUrl parameter")
	assertLine(t, pageURL, `Default: ""`, "PageUrl is optional")
	assertLine(t, pageURL, `AllowedPattern: .*\^https://.*`, "https only")
	conditions := block(all, "Conditions", 0)
	assertLine(t, conditions, `HasPageUrl: !Not \[!Equals \[!Ref PageUrl, ""\]\]`, "HasPageUrl")

	fn := tp.resource(t, "CogmailFunction")
	assertLine(t, fn, handler.EnvPageURL+`: !If \[HasPageUrl, !Ref PageUrl, !GetAtt PageFunctionUrl\.FunctionUrl\]`,
		"the parameter, else the stack's own page")
}

// The page reads its configuration for the demo pool from a secret the
// stack creates under the name the page is given.
func TestTemplatePageConfigSecret(t *testing.T) {
	tp := readTemplate(t)
	secret := tp.resource(t, "PageConfigSecret")
	assertLine(t, secret, `Type: AWS::SecretsManager::Secret`, "type")
	assertLine(t, secret, `Condition: CreatePageConfigSecret`, "with the demo pool or the PageConfig parameter")
	assertLine(t, secret, `Name: !Sub \$\{AWS::StackName\}-page-config`, "a deterministic name")
	assertLine(t, tp.resource(t, "PageFunction"), `COGMAIL_PAGE_CONFIG_SECRET: !Sub \$\{AWS::StackName\}-page-config`,
		"the page is given that name")
	assertLine(t, secret, `GenerateStringKey: csrfKey`, "the stack makes the CSRF key")
	assertLine(t, secret, `PasswordLength: 64`, "64 characters")
	assertLine(t, secret, `ExcludePunctuation: true`, "letters and digits: valid base64")

	// What Secrets Manager stores: the template with the stack's values,
	// plus the generated key; the page must accept it.
	m := regexp.MustCompile(`(?s)SecretStringTemplate: !Sub\s*\n\s*- >-\n(.*?)\n\s*- SignInUrl:`).FindStringSubmatch(secret)
	require.NotNil(t, m, "SecretStringTemplate is not the expected !Sub [>- folded JSON, {SignInUrl}]:\n%s", secret)
	text := strings.Join(strings.Fields(m[1]), " ")
	for name, value := range map[string]string{
		"DemoUserPool": "eu-west-1_Ab12Cd34E", "DemoUserPoolClient": "5k2m9q4t7w1z3c6f8h0j2n4p6r",
		"SignInUrl": "https://abc123.lambda-url.eu-west-1.on.aws/",
	} {
		require.Contains(t, text, "${"+name+"}")
		text = strings.ReplaceAll(text, "${"+name+"}", value)
	}
	require.NotContains(t, text, "${", "a !Sub variable this test does not know")
	var value map[string]any
	require.NoError(t, json.Unmarshal([]byte(text), &value), text)
	value["csrfKey"] = "Qx7bN2kLm9PzR4tVw8YcD3fGh6JsA1eUo5iK0nHqXyZrTuVbWcEdFgSaPlOkMjNi" // 64 letters and digits
	data, err := json.Marshal(value)
	require.NoError(t, err)
	clients, csrfKey, err := page.ParseConfig(data, tenant.NewStore(templates.FS))
	require.NoError(t, err)
	assert.Contains(t, clients, tenant.DefaultID)
	assert.Len(t, csrfKey, 48)

	// The page states the pool's policy and refuses invitations older than
	// its temporary passwords: the secret must say what the pool does.
	pool := tp.resource(t, "DemoUserPool")
	def := value["tenants"].(map[string]any)[tenant.DefaultID].(map[string]any)
	policy := def["passwordPolicy"].(map[string]any)
	for key, line := range map[string]string{
		"minLength": "MinimumLength", "requireUppercase": "RequireUppercase", "requireLowercase": "RequireLowercase",
		"requireNumbers": "RequireNumbers", "requireSymbols": "RequireSymbols",
	} {
		assertLine(t, pool, regexp.QuoteMeta(fmt.Sprintf("%s: %v", line, policy[key])), "passwordPolicy."+key+" as the pool's")
	}
	assertLine(t, pool, regexp.QuoteMeta(fmt.Sprintf("TemporaryPasswordValidityDays: %v", def["temporaryPasswordValidityDays"])),
		"temporaryPasswordValidityDays as the pool's")
}

// Layers attaches an overlay of tenants to every function, which read it
// from the folder the layer unpacks to: the notifier and the sender need the
// tenants' senders and templates as the trigger has them.
func TestTemplateLayers(t *testing.T) {
	tp := readTemplate(t)
	params := block(tp.text(), "Parameters", 0)
	layers := block(params, "Layers", 2)
	require.NotEmpty(t, layers, "no Layers parameter")
	assertLine(t, layers, `Type: CommaDelimitedList`, "a list of ARNs")
	assertLine(t, layers, `Default: ""`, "none by default")
	for _, name := range []string{"CogmailFunction", "PageFunction", "NotifierFunction", "SenderFunction"} {
		fn := tp.resource(t, name)
		assertLine(t, fn, `Layers: !If \[HasLayers, !Ref Layers, !Ref AWS::NoValue\]`, name+" attaches the layers")
		assertLine(t, fn, handler.EnvTemplatesDir+`: !If \[HasLayers, /opt/cogmail, !Ref AWS::NoValue\]`, name+" reads the overlay")
	}
}

// rotationActions are the calls of Secrets Manager's four rotation steps
// (its guide's policy for a rotation function, less GetRandomPassword: the
// keys come from crypto/rand).
var rotationActions = []string{
	"secretsmanager:DescribeSecret",
	"secretsmanager:GetSecretValue",
	"secretsmanager:PutSecretValue",
	"secretsmanager:UpdateSecretVersionStage",
}

// The secrets: every grant on one reads it, and names it in full; the only
// pattern is the six characters Secrets Manager appends to a name; the
// rotation function alone writes, and only the keyring. The other grants:
// TestTemplateLeastPrivilege.
func TestTemplateSecretGrants(t *testing.T) {
	tp := readTemplate(t)
	var read []string
	for _, s := range statements(t, tp.text()) {
		if s.owner == "RotationFunction" {
			assert.Equal(t, rotationActions, s.actions, "the rotation steps' calls, nothing else")
			assert.Equal(t, "!Ref KeysSecretArn", s.resource, "the keyring only")
			continue
		}
		for _, a := range s.actions {
			if !strings.HasPrefix(a, "secretsmanager:") {
				continue
			}
			assert.Equal(t, "secretsmanager:GetSecretValue", a, s.owner)
			assert.Len(t, s.actions, 1, "%s: a secret's grant grants nothing else", s.owner)
			read = append(read, s.owner+" "+s.resource)
			assert.NotContains(t, s.resource, "*", "no wildcard")
			if strings.Contains(s.resource, "?") {
				assert.True(t, strings.HasSuffix(s.resource, "-??????") && strings.Count(s.resource, "?") == 6, "only the name's six-character suffix: %s", s.resource)
			}
		}
	}
	assert.ElementsMatch(t, []string{
		"CogmailFunction !Ref KeysSecretArn",
		"PageFunction !Ref KeysSecretArn",
		"PageFunction !Sub arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${AWS::StackName}-page-config-??????",
		"NotifierFunction !Ref KeysSecretArn",
		"SenderFunction !Ref KeysSecretArn",
	}, read, "the keyring for the four functions, the page's configuration for the page")
}
