package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/dev/lambdaapi"
	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// Helpers of the TestE2ENotify tests.

// notifying is the shared stack with its notifier, or a skip saying why it
// has none.
func notifying(t *testing.T) *localstack.Stack {
	t.Helper()
	s := stack(t)
	if !s.Notifier.Running {
		_, err := moto.Find()
		t.Skipf("the local stack runs no notifier: %v", err)
	}
	return s
}

// assertNotice checks a notice of kind to u: from u's tenant's sender, in
// u's language (their locale attribute), multipart, its report button
// signed for u.
func assertNotice(t *testing.T, s *localstack.Stack, u localstack.User, msg localstack.Message, kind string) {
	t.Helper()
	tn := overlayTenant(t, s, u.Tenant)
	texts := catalog(t, tn, u.Locale)
	require.NotNil(t, tn.Sender)
	assert.Equal(t, tn.Sender.FromAddress, msg.From)
	assert.Equal(t, tn.Sender.FromName, msg.FromName)
	assert.Equal(t, texts.T(kind+".subject", "product", tn.Brand.ProductName), msg.Subject)
	assert.Equal(t, "multipart/alternative", msg.ContentType)
	assert.Contains(t, msg.HTML, `<html lang="`+u.Locale+`"`)
	assert.Contains(t, msg.Text, texts.T(kind+".heading", "product", tn.Brand.ProductName), "the text part is written, not stripped")
	assert.NotContains(t, msg.Text, "<", "no markup in the text part")
	assert.Empty(t, msg.Problem)

	raw := reportLink(t, s, msg)
	claims, err := link.Verify(raw, s.Ring, timeNow())
	require.NoError(t, err)
	assert.Equal(t, link.PurposeReport, claims.Purpose)
	assert.Equal(t, u.Username, claims.Username)
	assert.Equal(t, u.Tenant, claims.Tenant)
	assert.Equal(t, s.UserPoolID, claims.UserPool)
	assert.Contains(t, msg.Text, raw, "the text part carries the same link")
}

// reportLink is the notice's "This wasn't me" button.
func reportLink(t *testing.T, s *localstack.Stack, msg localstack.Message) string {
	t.Helper()
	for _, m := range hrefPattern.FindAllStringSubmatch(msg.HTML, -1) {
		if raw := html.UnescapeString(m[1]); strings.HasPrefix(raw, s.Links.Report) {
			return raw
		}
	}
	t.Fatalf("no link to %s in the notice", s.Links.Report)
	return ""
}

// sesAfter waits for the first SES message to email after the mailbox held
// seen messages. Idle, a notice comes within a second of its event.
func sesAfter(t *testing.T, s *localstack.Stack, seen int, email string) localstack.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), patience.For(5*time.Second))
	defer cancel()
	msg, err := s.Mailbox.WaitFor(ctx, func(m localstack.Message) bool { return m.Seq >= seen && m.SentTo(email) })
	require.NoError(t, err, "no notice for %s", email)
	return msg
}

func sesCount(t *testing.T, s *localstack.Stack, seen int, email string) int {
	t.Helper()
	msgs, err := s.Mailbox.Messages()
	require.NoError(t, err)
	n := 0
	for _, m := range msgs {
		if m.Seq >= seen && m.SentTo(email) {
			n++
		}
	}
	return n
}

// notifyAsync invokes the notifier as EventBridge and its own hand-off do:
// asynchronously, through the stack's Lambda API. It returns the request
// id, which Lambda's retries keep.
func notifyAsync(t *testing.T, s *localstack.Stack, event []byte) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
		s.Lambda.Endpoint+"/2015-03-31/functions/"+localstack.NotifierName+"/invocations", bytes.NewReader(event))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Invocation-Type", "Event")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	return resp.Header.Get("X-Amzn-Requestid")
}

// The sample events' user and pool (events/cloudtrail/README.md), which
// cloudTrail replaces with a seeded user's.
const (
	samplePool = "eu-west-1_Ab12Cd34E"
	sampleUser = "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f"
)

// cloudTrail is events/cloudtrail/<name>.json about u: the sample's pool
// and user replaced by the stack's pool and u's sub, with fresh event ids
// and the time now.
func cloudTrail(t *testing.T, s *localstack.Stack, name string, u localstack.User) []byte {
	t.Helper()
	root, err := rie.ModuleRoot()
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(root, "events", "cloudtrail", name+".json"))
	require.NoError(t, err)
	data = bytes.ReplaceAll(data, []byte(samplePool), []byte(s.UserPoolID))
	data = bytes.ReplaceAll(data, []byte(sampleUser), []byte(attributes(t, s, u)["sub"]))
	var event map[string]any
	require.NoError(t, json.Unmarshal(data, &event))
	now := time.Now().UTC().Format(time.RFC3339)
	detail := event["detail"].(map[string]any)
	event["id"], event["time"], detail["eventID"], detail["eventTime"] = newID(t), now, newID(t), now
	out, err := json.Marshal(event)
	require.NoError(t, err)
	return out
}

// handOff is the wrapper the notifier's Post confirmation half sends
// itself, for u's reset: cognito-local's event, as it sends it.
func handOff(t *testing.T, s *localstack.Stack, u localstack.User) []byte {
	t.Helper()
	event := map[string]any{
		"version": "0", "region": "local", "userPoolId": s.UserPoolID, "userName": u.Username,
		"callerContext": map[string]any{"awsSdkVersion": "2.0.0", "clientId": s.Clients.Public.ID},
		"triggerSource": "PostConfirmation_ConfirmForgotPassword",
		"request":       map[string]any{"userAttributes": attributes(t, s, u)},
		"response":      map[string]any{},
	}
	out, err := json.Marshal(map[string]any{"cogmail": "notice", "id": newID(t), "received": time.Now().UTC().Format(time.RFC3339), "event": event})
	require.NoError(t, err)
	return out
}

// attributes are u's attributes in cognito-local.
func attributes(t *testing.T, s *localstack.Stack, u localstack.User) map[string]string {
	t.Helper()
	out, err := cognito(s).AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(s.UserPoolID), Username: aws.String(u.Username)})
	require.NoError(t, err)
	attrs := map[string]string{}
	for _, a := range out.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	require.NotEmpty(t, attrs["sub"])
	return attrs
}

// deadLetter waits for the dead letter of request id. Idle, one comes a few
// seconds after the event: the retries' waits (lambdaapi) and three runs.
func deadLetter(t *testing.T, s *localstack.Stack, id string) lambdaapi.QueueMessage {
	t.Helper()
	deadline := time.Now().Add(patience.For(10 * time.Second))
	for time.Now().Before(deadline) {
		msgs, err := lambdaapi.SQS{}.ReceiveMessages(t.Context(), s.Notifier.DLQ, time.Second)
		require.NoError(t, err)
		for _, m := range msgs {
			if m.MessageAttributes["RequestID"].StringValue == id {
				return m
			}
		}
	}
	t.Fatalf("request %s never reached the dead-letter queue", id)
	return lambdaapi.QueueMessage{}
}

func overlayTenant(t *testing.T, s *localstack.Stack, id string) *tenant.Tenant {
	t.Helper()
	tn, err := tenant.NewStore(os.DirFS(s.Overlay), templates.FS).Get(id)
	require.NoError(t, err)
	return tn
}

// catalog is tn's texts in lang, as the notifier reads them.
func catalog(t *testing.T, tn *tenant.Tenant, lang string) render.Texts {
	t.Helper()
	r, err := render.New(templates.FS)
	require.NoError(t, err)
	texts, err := r.Texts(tn, language.MustParse(lang))
	require.NoError(t, err)
	return texts
}

func newID(t *testing.T) string {
	t.Helper()
	var b [16]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err)
	return info.Size()
}

func readFrom(t *testing.T, path string, offset int64) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data[min(offset, int64(len(data))):])
}
