package notify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/trigger"
)

func TestDecode(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "events", name))
		require.NoError(t, err)
		return string(b)
	}
	pc := read("post-confirmation-forgot-password.json")
	eventTime := time.Date(2025, 3, 14, 10, 21, 7, 0, time.UTC)
	cases := []struct {
		name, payload string
		want          input // compared: shape, reason, id, kind, pool, sub, when, pools
	}{
		{"post confirmation", pc, input{shape: shapePostConfirmation, kind: trigger.Recovered, pool: "eu-west-1_Ab12Cd34E"}},
		{"sign-up confirmation", read("post-confirmation-signup.json"), input{shape: shapePostConfirmation, kind: trigger.Welcome, pool: "eu-west-1_Mn34Pq56R"}},
		{"another trigger", `{"triggerSource":"PostAuthentication_Authentication"}`, input{shape: shapePostConfirmation, reason: "trigger source not served"}},
		{"wrapper", `{"cogmail":"notice","id":"r1","received":"2025-03-14T10:21:07Z","event":` + pc + `}`,
			input{shape: shapeWrapper, id: "pc#r1", kind: trigger.Recovered, pool: "eu-west-1_Ab12Cd34E", when: eventTime}},
		{"wrapper without time", `{"cogmail":"notice","id":"r1","event":` + pc + `}`,
			input{shape: shapeWrapper, id: "pc#r1", kind: trigger.Recovered, pool: "eu-west-1_Ab12Cd34E", reason: "wrapper has no received time"}},
		{"wrapper of another tag", `{"cogmail":"other","id":"r1","event":{}}`, input{shape: shapeWrapper, reason: "not a notifier wrapper"}},
		{"admin set", read("cloudtrail/admin-set-user-password.json"), input{shape: shapeCloudTrail, id: "ct#ea0d504e-2f41-43c2-ab82-e03a36e5d546",
			kind: trigger.AdminSet, pool: "eu-west-1_Ab12Cd34E", sub: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f", when: eventTime}},
		{"change password: no pool", read("cloudtrail/change-password.json"), input{shape: shapeCloudTrail, id: "ct#1fe14cee-ffc7-4088-be9f-ab1a991bc1a1",
			kind: trigger.Changed, sub: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f", when: time.Date(2025, 3, 14, 11, 2, 19, 0, time.UTC)}},
		{"failed call", read("cloudtrail/admin-set-user-password-failed.json"), input{shape: shapeCloudTrail, reason: "the call failed (errorCode)"}},
		{"empty errorCode is a success", strings.Replace(read("cloudtrail/admin-set-user-password.json"), `"eventName"`, `"errorCode": "", "eventName"`, 1),
			input{shape: shapeCloudTrail, id: "ct#ea0d504e-2f41-43c2-ab82-e03a36e5d546", kind: trigger.AdminSet, pool: "eu-west-1_Ab12Cd34E",
				sub: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f", when: eventTime}},
		{"a call not served", strings.Replace(read("cloudtrail/admin-set-user-password.json"), `"AdminSetUserPassword"`, `"AdminDeleteUser"`, 1),
			input{shape: shapeCloudTrail, reason: "API call not served"}},
		{"another service", strings.Replace(read("cloudtrail/change-password.json"), `"aws.cognito-idp"`, `"aws.iam"`, 1),
			input{shape: shapeCloudTrail, reason: "not a Cognito user pool API call"}},
		{"a hidden sub is no user", strings.Replace(read("cloudtrail/change-password.json"), `"sub": "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f"`, `"sub": "HIDDEN_DUE_TO_SECURITY_REASONS"`, 1),
			input{shape: shapeCloudTrail, id: "ct#1fe14cee-ffc7-4088-be9f-ab1a991bc1a1", kind: trigger.Changed, when: time.Date(2025, 3, 14, 11, 2, 19, 0, time.UTC)}},
		{"EventBridge id when CloudTrail's is missing", strings.Replace(read("cloudtrail/change-password.json"), `"eventID"`, `"otherID"`, 1),
			input{shape: shapeCloudTrail, id: "ct#9a47768c-4fd0-44c8-937a-92fcd33ef7fc", kind: trigger.Changed, sub: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f",
				when: time.Date(2025, 3, 14, 11, 2, 19, 0, time.UTC)}},
		{"rule's wrapper", `{"cogmail":"cloudtrail","userPools":["eu-west-1_Mn34Pq56R"],"event":` + read("cloudtrail/change-password.json") + `}`,
			input{shape: shapeCloudTrailWrapper, id: "ct#1fe14cee-ffc7-4088-be9f-ab1a991bc1a1", kind: trigger.Changed,
				sub: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f", when: time.Date(2025, 3, 14, 11, 2, 19, 0, time.UTC), pools: []string{"eu-west-1_Mn34Pq56R"}}},
		{"rule's wrapper, recorded", read("cloudtrail/change-password-wrapped.json"),
			input{shape: shapeCloudTrailWrapper, id: "ct#1fe14cee-ffc7-4088-be9f-ab1a991bc1a1", kind: trigger.Changed,
				sub: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f", when: time.Date(2025, 3, 14, 11, 2, 19, 0, time.UTC),
				pools: []string{"eu-west-1_Ab12Cd34E", "eu-west-1_Mn34Pq56R"}}},
		{"rule's wrapper around an admin call", `{"cogmail":"cloudtrail","userPools":[],"event":` + read("cloudtrail/admin-set-user-password.json") + `}`,
			input{shape: shapeCloudTrailWrapper, id: "ct#ea0d504e-2f41-43c2-ab82-e03a36e5d546", kind: trigger.AdminSet, pool: "eu-west-1_Ab12Cd34E",
				sub: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f", when: eventTime}},
		{"rule's wrapper around a failed call", `{"cogmail":"cloudtrail","userPools":["eu-west-1_Ab12Cd34E"],"event":` + read("cloudtrail/admin-set-user-password-failed.json") + `}`,
			input{shape: shapeCloudTrailWrapper, reason: "the call failed (errorCode)"}},
		{"rule's wrapper without an event", `{"cogmail":"cloudtrail","userPools":["eu-west-1_Ab12Cd34E"]}`,
			input{shape: shapeCloudTrailWrapper, reason: "the CloudTrail wrapper has no event"}},
		{"rule's wrapper around something else", `{"cogmail":"cloudtrail","event":` + pc + `}`,
			input{shape: shapeCloudTrailWrapper, reason: "not a Cognito user pool API call"}},
		{"something else", `{"Records":[]}`, input{shape: shapeUnknown, reason: "not an event the notifier serves"}},
		{"not an object", `"x"`, input{shape: shapeUnknown, reason: "event is not a JSON object"}},
	}
	for _, c := range cases {
		t.Run("case="+c.name, func(t *testing.T) {
			got := decode([]byte(c.payload), "custom:tenant_id")
			assert.Equal(t, c.want.shape, got.shape)
			assert.Equal(t, c.want.reason, got.reason)
			if c.want.reason != "" {
				return
			}
			assert.Equal(t, c.want.id, got.id)
			assert.Equal(t, c.want.kind, got.kind)
			assert.Equal(t, c.want.pool, got.pool)
			assert.Equal(t, c.want.sub, got.sub)
			assert.True(t, c.want.when.Equal(got.when), "when %v, want %v", got.when, c.want.when)
			assert.Equal(t, c.want.pools, got.pools)
		})
	}
}

func TestLambdaEndpoint(t *testing.T) {
	for _, c := range []struct {
		name   string
		env    map[string]string
		region string
		want   string
	}{
		{"the region's", nil, "eu-west-1", "https://lambda.eu-west-1.amazonaws.com"},
		{"China", nil, "cn-north-1", "https://lambda.cn-north-1.amazonaws.com.cn"},
		{"the service's variable", map[string]string{"AWS_ENDPOINT_URL_LAMBDA": "http://127.0.0.1:9001", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}, "eu-west-1", "http://127.0.0.1:9001"},
		{"the global variable", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}, "eu-west-1", "http://127.0.0.1:5000"},
		{"configured endpoints ignored", map[string]string{"AWS_ENDPOINT_URL_LAMBDA": "http://127.0.0.1:9001", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "eu-west-1", "https://lambda.eu-west-1.amazonaws.com"},
		{"no region", nil, "", ""},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			assert.Equal(t, c.want, lambdaEndpoint(func(k string) string { return c.env[k] }, c.region))
		})
	}
}

func TestParseEnvironment(t *testing.T) {
	t.Run("case=pools", func(t *testing.T) {
		pools, bad := parsePools(" eu-west-1_Ab12Cd34E, ,us-east-1_Xy98Zw76V,not-a-pool")
		assert.Equal(t, []string{"eu-west-1_Ab12Cd34E", "us-east-1_Xy98Zw76V"}, pools)
		assert.Equal(t, []string{"not-a-pool"}, bad)
	})
	for _, c := range []struct{ raw, name, address, err string }{
		{"", "", "", ""},
		{"Cogmail Demo <no-reply@mail.cogmail-demo.net>", "Cogmail Demo", "no-reply@mail.cogmail-demo.net", ""},
		{"no-reply@mail.cogmail-demo.net", "", "no-reply@mail.cogmail-demo.net", ""},
		{"=?utf-8?q?D=C3=A9mo?= <no-reply@mail.cogmail-demo.net>", "Démo", "no-reply@mail.cogmail-demo.net", ""},
		{"not an address", "", "", "not an address"},
		{"Démo <nö-reply@mail.cogmail-demo.net>", "", "", "ASCII"},
	} {
		t.Run("case=from "+c.raw, func(t *testing.T) {
			a, err := parseFrom(c.raw)
			if c.err != "" {
				assert.ErrorContains(t, err, c.err)
				return
			}
			require.NoError(t, err)
			if c.address == "" {
				assert.Nil(t, a)
				return
			}
			assert.Equal(t, c.name, a.Name)
			assert.Equal(t, c.address, a.Address)
		})
	}
}
