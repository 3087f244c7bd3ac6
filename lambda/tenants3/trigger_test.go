package tenants3_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/tenants3"
)

// s3Tenant is a tenant.json for tenant id, matched by its own pool, app
// client and attribute value, whose product name shows in every email.
func s3Tenant(id, product string) string {
	return fmt.Sprintf(`{"id": %q, "displayName": %q,
	  "match": {"userPoolIds": ["eu-west-1_%s"], "appClientIds": ["client%s"], "tenantAttributeValues": ["%s-value"]},
	  "links": {"resetUrl": "https://login.%s.example/reset", "inviteUrl": "https://login.%s.example/invite",
	            "mode": "query", "resetExpiry": "1h", "inviteExpiry": "168h"},
	  "brand": {"productName": %q, "primaryColor": "#1a56db", "buttonTextColor": "#ffffff"},
	  "languages": {"default": "de", "supported": ["de", "en"]}}`, id, product, poolSuffix(id), poolSuffix(id), id, id, id, product)
}

// poolSuffix makes a tenant id into the part of a pool id after "_".
func poolSuffix(id string) string { return strings.ToUpper(strings.ReplaceAll(id, "-", "")) + "x1" }

// index is an _index.json naming tenants by the match s3Tenant gives them.
func index(ids ...string) map[string]any {
	tenants := map[string]any{}
	for _, id := range ids {
		tenants[id] = map[string]any{"userPoolIds": []string{"eu-west-1_" + poolSuffix(id)},
			"appClientIds": []string{"client" + poolSuffix(id)}, "tenantAttributeValues": []string{id + "-value"}}
	}
	return map[string]any{"format": 1, "tenants": tenants}
}

// resetEvent is a ForgotPassword event: of tenant id's pool, and with
// client or attribute set, routed by them.
func resetEvent(pool, client, attribute string) []byte {
	e := map[string]any{"version": "1", "region": "eu-west-1", "userPoolId": pool, "userName": "u-1",
		"triggerSource": "CustomMessage_ForgotPassword",
		"callerContext": map[string]string{"clientId": client},
		"request":       map[string]any{"userAttributes": map[string]string{"custom:tenant_id": attribute}, "codeParameter": "{####}"},
		"response":      map[string]any{}}
	data, _ := json.Marshal(e)
	return data
}

// syncBuffer is a log both the handler and the test touch.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// trigger is the trigger's own Setup reading tenants from s3://bucket/prefix
// at endpoint, revalidating every second.
func trigger(t *testing.T, endpoint, prefix string) (*handler.Handler, *syncBuffer) {
	t.Helper()
	env := map[string]string{
		tenants3.EnvURL: "s3://" + bucket + "/" + prefix, tenants3.EnvEvery: "1", "AWS_ENDPOINT_URL_S3": endpoint,
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
	}
	logs := new(syncBuffer)
	h := handler.Setup(t.Context(), func(name string) string { return env[name] }, slog.New(slog.NewJSONHandler(logs, nil)))
	return h, logs
}

// emailOf is the answer's email.
func emailOf(t *testing.T, h *handler.Handler, event []byte) string {
	t.Helper()
	out, err := h.Invoke(context.Background(), event)
	require.NoError(t, err, "the trigger never fails Cognito")
	var answer struct {
		Response struct {
			EmailMessage string `json:"emailMessage"`
		} `json:"response"`
	}
	require.NoError(t, json.Unmarshal(out, &answer))
	require.Contains(t, answer.Response.EmailMessage, "{####}", "every answer carries the code")
	return answer.Response.EmailMessage
}

// eventually invokes until the email contains want: a change in S3 reaches
// a warm function after the revalidation interval (1 s here), not before.
func eventually(t *testing.T, h *handler.Handler, event []byte, want string) string {
	t.Helper()
	deadline := time.Now().Add(patience.For(15 * time.Second))
	for {
		email := emailOf(t, h, event)
		if strings.Contains(email, want) || time.Now().After(deadline) {
			return email
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// The trigger, as Lambda runs it, with tenants in moto_server's S3: a
// tenant's first use, a change picked up after the interval, a broken
// upload kept out, routing by the index.
func TestTriggerWithTenantsInS3(t *testing.T) {
	endpoint, b := newBucket(t)
	const prefix = "live/"
	b.push(prefix, "zeta", map[string]string{"tenant.json": s3Tenant("zeta", "Zeta Rockets")})
	b.putJSON(prefix+"_index.json", index("zeta"))
	h, logs := trigger(t, endpoint, prefix)
	zeta := resetEvent("eu-west-1_"+poolSuffix("zeta"), "", "")

	t.Run("case=first use", func(t *testing.T) {
		email := emailOf(t, h, zeta)
		assert.Contains(t, email, "Zeta Rockets", "routed by the index's pool")
		assert.Contains(t, email, "https://login.zeta.example/reset", "with the tenant's own link")
	})

	t.Run("case=index routes by client and attribute value", func(t *testing.T) {
		pool := "eu-west-1_" + poolSuffix("zeta")
		assert.Contains(t, emailOf(t, h, resetEvent(pool, "client"+poolSuffix("zeta"), "")), "Zeta Rockets")
		assert.Contains(t, emailOf(t, h, resetEvent(pool, "", "zeta-value")), "Zeta Rockets")
		assert.Contains(t, emailOf(t, h, resetEvent(pool, "", "zeta")), "Zeta Rockets", "and by the tenant id itself")
	})

	t.Run("case=changed tenant picked up after the interval", func(t *testing.T) {
		b.push(prefix, "zeta", map[string]string{"tenant.json": s3Tenant("zeta", "Zeta Orbital")})
		assert.Contains(t, eventually(t, h, zeta, "Zeta Orbital"), "Zeta Orbital")
	})

	t.Run("case=broken upload kept out", func(t *testing.T) {
		// Valid as a tenant, but every email over Cognito's size: only the
		// gate over its whole matrix finds it.
		b.push(prefix, "zeta", map[string]string{
			"tenant.json": s3Tenant("zeta", "Zeta Broken"),
			"footer.tmpl": `{{define "footer"}}` + strings.Repeat("Lorem ipsum dolor sit amet. ", 800) + `{{end}}`,
		})
		deadline := time.Now().Add(patience.For(15 * time.Second))
		for !strings.Contains(logs.String(), "tenant version refused") && time.Now().Before(deadline) {
			emailOf(t, h, zeta)
			time.Sleep(200 * time.Millisecond)
		}
		require.Contains(t, logs.String(), "tenant version refused")
		assert.Contains(t, logs.String(), `"TenantsRefused":1`, "and counted, as an EMF metric")
		email := emailOf(t, h, zeta)
		assert.Contains(t, email, "Zeta Orbital", "the last good version stays in service")
		assert.NotContains(t, email, "Lorem ipsum")
		assert.NotContains(t, logs.String(), "u-1", "no username in the logs")
	})

	t.Run("case=new tenant broken from the start", func(t *testing.T) {
		b.push(prefix, "omega", map[string]string{"tenant.json": `{"id": "omega", "brand": {"primaryColor": "not a colour"}}`})
		b.putJSON(prefix+"_index.json", index("zeta", "omega"))
		omega := resetEvent("eu-west-1_"+poolSuffix("omega"), "", "")
		deadline := time.Now().Add(patience.For(15 * time.Second))
		for strings.Count(logs.String(), "tenant version refused") < 2 && time.Now().Before(deadline) {
			emailOf(t, h, omega)
			time.Sleep(200 * time.Millisecond)
		}
		email := emailOf(t, h, omega)
		assert.Contains(t, email, "https://", "the default tenant's rich email with its link, not the minimal one")
		assert.NotContains(t, email, "omega")
	})
}

// S3 out of reach never fails an answer: the embedded tenants serve.
func TestTriggerWithS3Unreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	h, logs := trigger(t, closed, "live/")

	email := emailOf(t, h, resetEvent("eu-west-1_"+poolSuffix("zeta"), "", "zeta"))
	assert.Contains(t, email, "https://", "the default tenant's rich email")
	assert.Contains(t, logs.String(), "tenant store unreachable")
	acme := emailOf(t, h, resetEvent("eu-west-1_Mn34Pq56R", "", ""))
	assert.Contains(t, acme, "Acme Rockets", "an embedded tenant is served as ever")
}
