package deploy

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/page"
)

// The page's configuration holds app clients' secrets and the CSRF key: it
// goes into the page's own secret, never into an environment variable,
// which anyone allowed lambda:GetFunctionConfiguration reads.
func TestTemplatePageConfigOnlyInTheSecret(t *testing.T) {
	tp := readTemplate(t)
	all := tp.text()
	param := block(block(all, "Parameters", 0), "PageConfig", 2)
	require.NotEmpty(t, param, "no PageConfig parameter")
	assertLine(t, param, `NoEcho: true`, "never shown by CloudFormation")

	// The one use of the parameter among the resources: the secret's value.
	uses := regexp.MustCompile(`(!Ref\s+PageConfig\b|\$\{PageConfig\})`).FindAllStringIndex(block(all, "Resources", 0), -1)
	require.Len(t, uses, 1, "PageConfig is used once, in the secret")
	secret := tp.resource(t, "PageConfigSecret")
	assertLine(t, secret, `SecretString: !If \[HasPageConfig, !Ref PageConfig, !Ref AWS::NoValue\]`, "the parameter, when given, is the secret")
	assert.Regexp(t, `GenerateSecretString: !If\n\s+- HasPageConfig\n\s+- !Ref AWS::NoValue\n`, secret, "generated only without it")
	conditions := block(all, "Conditions", 0)
	assertLine(t, conditions, `HasPageConfig: !Not \[!Equals \[!Ref PageConfig, ""\]\]`, "HasPageConfig")
	assertLine(t, conditions, `CreatePageConfigSecret: !Or \[!Condition CreateDemo, !Condition HasPageConfig\]`, "the secret's condition")

	for _, name := range []string{"CogmailFunction", "PageFunction"} {
		env := block(tp.resource(t, name), "Environment", 6)
		assert.NotContains(t, env, page.EnvConfig+":", name)
		assert.NotContains(t, env, "PageConfig\n", name)
	}
}

// Reserved concurrency: the public page has a ceiling (5 by default), so a
// flood of its requests cannot take the account's concurrency from the
// trigger, which can have a reservation of its own; the notifier and the
// sender have one too (5), which bounds how fast a burst of password
// changes, sign-ups or resets reaches SES.
func TestTemplateReservedConcurrency(t *testing.T) {
	tp := readTemplate(t)
	all := tp.text()
	params, conditions := block(all, "Parameters", 0), block(all, "Conditions", 0)
	for _, tc := range []struct{ param, fn, def string }{
		{"PageReservedConcurrency", "PageFunction", `"5"`},
		{"TriggerReservedConcurrency", "CogmailFunction", `""`},
		{"NotifierReservedConcurrency", "NotifierFunction", `"5"`},
		{"SenderReservedConcurrency", "SenderFunction", `"5"`},
	} {
		t.Run("case="+tc.fn, func(t *testing.T) {
			p := block(params, tc.param, 2)
			require.NotEmpty(t, p, "no %s parameter", tc.param)
			assertLine(t, p, `Default: `+regexp.QuoteMeta(tc.def), "default")
			m := regexp.MustCompile(`AllowedPattern: "(.*)"`).FindStringSubmatch(p)
			require.NotNil(t, m, "no AllowedPattern")
			re := regexp.MustCompile(strings.ReplaceAll(m[1], `\\`, `\`))
			for value, ok := range map[string]bool{"": true, "5": true, "100": true, "0": false, "-1": false, "five": false} {
				assert.Equal(t, ok, re.MatchString(value), "%s=%q", tc.param, value)
			}
			has := "Has" + tc.param
			assertLine(t, conditions, has+`: !Not \[!Equals \[!Ref `+tc.param+`, ""\]\]`, has)
			assertLine(t, tp.resource(t, tc.fn), `ReservedConcurrentExecutions: !If \[`+has+`, !Ref `+tc.param+`, !Ref AWS::NoValue\]`, tc.fn)
		})
	}
}
