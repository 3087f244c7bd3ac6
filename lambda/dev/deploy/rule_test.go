package deploy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/notify"
)

// The password calls the rule forwards: the three with no Cognito trigger.
var passwordCalls = []string{"ChangePassword", "AdminSetUserPassword", "AdminResetUserPassword"}

// rulePattern returns PasswordChangeRule's EventPattern, which the template
// writes as JSON.
func rulePattern(t *testing.T) string {
	t.Helper()
	rule := readTemplate(t).resource(t, "PasswordChangeRule")
	text := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(block(rule, "EventPattern", 6)), "EventPattern:"))
	require.True(t, json.Valid([]byte(text)), "EventPattern is not JSON:\n%s", text)
	return text
}

// matches is what the rule is for, said independently of its syntax: a
// password call of a user pool, recorded by CloudTrail, that succeeded.
func matches(event map[string]any) bool {
	detail, _ := event["detail"].(map[string]any)
	name, _ := detail["eventName"].(string)
	code, failed := detail["errorCode"]
	return event["source"] == "aws.cognito-idp" && event["detail-type"] == "AWS API Call via CloudTrail" &&
		detail["eventSource"] == "cognito-idp.amazonaws.com" && slices.Contains(passwordCalls, name) &&
		(!failed || code == "")
}

func TestTemplatePasswordChangeRule(t *testing.T) {
	var pattern struct {
		Source     []string `json:"source"`
		DetailType []string `json:"detail-type"`
		Detail     struct {
			EventSource []string         `json:"eventSource"`
			EventName   []string         `json:"eventName"`
			Or          []map[string]any `json:"$or"`
		} `json:"detail"`
	}
	raw := rulePattern(t)
	require.NoError(t, json.Unmarshal([]byte(raw), &pattern))
	assert.Equal(t, []string{"aws.cognito-idp"}, pattern.Source)
	assert.Equal(t, []string{"AWS API Call via CloudTrail"}, pattern.DetailType)
	assert.Equal(t, []string{"cognito-idp.amazonaws.com"}, pattern.Detail.EventSource)
	assert.ElementsMatch(t, passwordCalls, pattern.Detail.EventName)
	require.Len(t, pattern.Detail.Or, 2, "errorCode absent, or empty")

	rule := readTemplate(t).resource(t, "PasswordChangeRule")
	assertLine(t, rule, `Type: AWS::Events::Rule`, "type")
	assertLine(t, rule, `State: ENABLED`, "write management events need no other state")
	assert.NotContains(t, rule, "EventBusName", "CloudTrail delivers to the default bus only")
}

// The pattern as EventBridge runs it, in moto_server: a rule with a queue
// as its target, then PutEvents for every recorded CloudTrail event in
// events/cloudtrail and a few made up here. The queue holds what matched.
// moto's matcher is not AWS's, but it reads the same pattern language
// ($or and exists included), which the expectations restate in Go.
func TestPasswordChangeRuleMatchesEvents(t *testing.T) {
	pattern := rulePattern(t)
	c := awsJSON{endpoint: moto.Start(t), region: "eu-west-1"}

	c.call(t, "events", "AWSEvents.PutRule", map[string]any{"Name": "password-change", "EventPattern": pattern}, nil)
	var queue struct{ QueueUrl string }
	c.call(t, "sqs", "AmazonSQS.CreateQueue", map[string]any{"QueueName": "matched"}, &queue)
	var attrs struct{ Attributes map[string]string }
	c.call(t, "sqs", "AmazonSQS.GetQueueAttributes", map[string]any{"QueueUrl": queue.QueueUrl, "AttributeNames": []string{"QueueArn"}}, &attrs)
	c.call(t, "events", "AWSEvents.PutTargets", map[string]any{
		"Rule": "password-change", "Targets": []map[string]any{{"Id": "matched", "Arn": attrs.Attributes["QueueArn"]}},
	}, nil)

	type testCase struct {
		name  string
		event map[string]any
	}
	var cases []testCase
	files, err := filepath.Glob(filepath.Join(moduleRoot(t), "events", "cloudtrail", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded CloudTrail events")
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		// A recorded wrapper is what the target receives: the rule
		// matched the event inside.
		data, _ = notify.UnwrapCloudTrail(data)
		var event map[string]any
		require.NoError(t, json.Unmarshal(data, &event), f)
		cases = append(cases, testCase{"events/cloudtrail/" + filepath.Base(f), event})
	}
	made := func(source, eventSource, name string, detail map[string]any) map[string]any {
		d := map[string]any{"eventSource": eventSource, "eventName": name, "additionalEventData": map[string]any{"sub": "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f"}}
		for k, v := range detail {
			d[k] = v
		}
		return map[string]any{"source": source, "detail-type": "AWS API Call via CloudTrail", "detail": d}
	}
	for _, name := range passwordCalls {
		cases = append(cases, testCase{name, made("aws.cognito-idp", "cognito-idp.amazonaws.com", name, nil)})
	}
	cases = append(cases,
		testCase{"empty errorCode", made("aws.cognito-idp", "cognito-idp.amazonaws.com", "ChangePassword", map[string]any{"errorCode": "", "errorMessage": ""})},
		testCase{"failed", made("aws.cognito-idp", "cognito-idp.amazonaws.com", "ChangePassword", map[string]any{"errorCode": "NotAuthorizedException"})},
		testCase{"another call", made("aws.cognito-idp", "cognito-idp.amazonaws.com", "ForgotPassword", nil)},
		testCase{"Post confirmation's call", made("aws.cognito-idp", "cognito-idp.amazonaws.com", "ConfirmForgotPassword", nil)},
		testCase{"identity pools", made("aws.cognito-identity", "cognito-identity.amazonaws.com", "AdminSetUserPassword", nil)},
	)

	matched := 0
	for i, tc := range cases {
		t.Run("case="+tc.name, func(t *testing.T) {
			// A fresh eventID per case: the queue's message names its case.
			detail := tc.event["detail"].(map[string]any)
			id := fmt.Sprintf("case-%d", i)
			detail["eventID"] = id
			body, err := json.Marshal(detail)
			require.NoError(t, err)
			var put struct{ FailedEntryCount int }
			c.call(t, "events", "AWSEvents.PutEvents", map[string]any{"Entries": []map[string]any{{
				"Source": tc.event["source"], "DetailType": tc.event["detail-type"], "Detail": string(body),
			}}}, &put)
			require.Zero(t, put.FailedEntryCount)

			// moto delivers within PutEvents: the message is there or not.
			var got struct {
				Messages []struct{ Body, ReceiptHandle string }
			}
			c.call(t, "sqs", "AmazonSQS.ReceiveMessage", map[string]any{"QueueUrl": queue.QueueUrl, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0}, &got)
			forwarded := false
			for _, m := range got.Messages {
				var e struct{ Detail struct{ EventID string } }
				require.NoError(t, json.Unmarshal([]byte(m.Body), &e))
				forwarded = forwarded || e.Detail.EventID == id
				c.call(t, "sqs", "AmazonSQS.DeleteMessage", map[string]any{"QueueUrl": queue.QueueUrl, "ReceiptHandle": m.ReceiptHandle}, nil)
			}
			assert.Equal(t, matches(tc.event), forwarded, "forwarded to the notifier")
			if forwarded {
				matched++
			}
		})
	}
	assert.NotZero(t, matched, "no event matched: the check proves nothing")
}

// awsJSON calls an AWS JSON-protocol API (EventBridge, SQS) with SigV4
// signed requests and dummy credentials, as the SDK would.
type awsJSON struct{ endpoint, region string }

func (c awsJSON) call(t *testing.T, service, target string, in, out any) {
	t.Helper()
	body, err := json.Marshal(in)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	require.NoError(t, err)
	version := map[string]string{"events": "1.1", "sqs": "1.0"}[service]
	req.Header.Set("Content-Type", "application/x-amz-json-"+version)
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}
	require.NoError(t, v4.NewSigner().SignHTTP(t.Context(), creds, req, hex.EncodeToString(sum[:]), service, c.region, time.Now()))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", target, data)
	if out != nil {
		require.NoError(t, json.Unmarshal(data, out), "%s: %s", target, data)
	}
}
