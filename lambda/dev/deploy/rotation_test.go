package deploy

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The keyring rotates itself: a rotation function Secrets Manager may
// invoke, on a schedule on exactly the keyring secret, unless RotationDays
// is 0. Its grants: TestTemplateSecretGrants and
// TestTemplateGrantsFollowTheCode.
func TestTemplateKeyRotation(t *testing.T) {
	tp := readTemplate(t)
	all := tp.text()

	params := block(all, "Parameters", 0)
	days := block(params, "RotationDays", 2)
	require.NotEmpty(t, days, "no RotationDays parameter")
	assertLine(t, days, `Default: 30`, "every 30 days by default")
	assertLine(t, days, `MinValue: 0`, "0 turns it off")
	// Secrets Manager's own bound for AutomaticallyAfterDays.
	assertLine(t, days, `MaxValue: 1000`, "at most Secrets Manager's 1000 days")
	assertLine(t, block(all, "Conditions", 0), `RotatesKeys: !Not \[!Equals \[!Ref RotationDays, "0"\]\]`, "RotatesKeys")

	for _, tc := range []struct {
		resource string
		lines    []string
	}{
		{"RotationFunction", []string{
			`Type: AWS::Serverless::Function`, `Condition: RotatesKeys`, `BuildMethod: makefile`,
			`Runtime: provided\.al2023`, `LogGroup: !Ref RotationLogGroup`, `LogFormat: JSON`,
			`Resource: !Ref KeysSecretArn`,
		}},
		{"RotationLogGroup", []string{
			`Type: AWS::Logs::LogGroup`, `Condition: RotatesKeys`, `RetentionInDays: !Ref LogRetentionDays`,
			`LogGroupName: !Sub /aws/lambda/\$\{AWS::StackName\}-rotate`,
		}},
		// Secrets Manager invokes it, for this account's secrets.
		{"RotationInvokePermission", []string{
			`Type: AWS::Lambda::Permission`, `Condition: RotatesKeys`, `Action: lambda:InvokeFunction`,
			`FunctionName: !GetAtt RotationFunction\.Arn`, `Principal: secretsmanager\.amazonaws\.com`,
			`SourceAccount: !Ref AWS::AccountId`,
		}},
		// Secrets Manager checks the permission when the schedule is set:
		// the schedule waits for it. No rotation at deployment: the first
		// one comes RotationDays later.
		{"KeysRotationSchedule", []string{
			`Type: AWS::SecretsManager::RotationSchedule`, `Condition: RotatesKeys`,
			`DependsOn: RotationInvokePermission`, `SecretId: !Ref KeysSecretArn`,
			`RotationLambdaARN: !GetAtt RotationFunction\.Arn`, `AutomaticallyAfterDays: !Ref RotationDays`,
			`RotateImmediatelyOnUpdate: false`,
		}},
	} {
		t.Run("case="+tc.resource, func(t *testing.T) {
			r := tp.resource(t, tc.resource)
			for _, l := range tc.lines {
				assertLine(t, r, l, tc.resource)
			}
		})
	}

	t.Run("case=one schedule, on the keyring", func(t *testing.T) {
		assert.Len(t, regexp.MustCompile(`(?m)^\s+Type: AWS::SecretsManager::RotationSchedule$`).FindAllString(all, -1), 1)
	})
}
