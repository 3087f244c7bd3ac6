package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/notify"
	"github.com/cogmail/cogmail/lambda/once"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// testNow is the notifier's clock in tests: after the recorded events.
var testNow = time.Date(2025, 3, 14, 10, 22, 0, 0, time.UTC)

const (
	eventsDir = "../../events"
	region    = "eu-west-1"
	table     = "cogmail-notify"
)

// stack is moto_server with the clients the notifier uses, reset per test
// case: the identities of the shipped tenants' senders verified, the
// claims table created.
type stack struct {
	endpoint string
	ses      *sesv2.Client
	db       *dynamodb.Client
	cognito  *cip.Client
}

func startStack(t testing.TB) *stack {
	t.Helper()
	endpoint := moto.Start(t)
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	base := aws.String(endpoint)
	return &stack{
		endpoint: endpoint,
		ses:      sesv2.New(sesv2.Options{Region: region, BaseEndpoint: base, Credentials: creds, RetryMaxAttempts: 1}),
		db:       dynamodb.New(dynamodb.Options{Region: region, BaseEndpoint: base, Credentials: creds, RetryMaxAttempts: 1}),
		cognito:  cip.New(cip.Options{Region: region, BaseEndpoint: base, Credentials: creds, RetryMaxAttempts: 1}),
	}
}

// reset empties moto, then verifies the given sender domains and creates
// the table.
func (s *stack) reset(t testing.TB, domains ...string) {
	t.Helper()
	resp, err := http.Post(s.endpoint+"/moto-api/reset", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	ctx := context.Background()
	for _, d := range domains {
		_, err := s.ses.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(d)})
		require.NoError(t, err)
	}
	_, err = s.db.CreateTable(ctx, once.CreateTableInput(table))
	require.NoError(t, err)
	_, err = s.db.UpdateTimeToLive(ctx, once.TimeToLiveInput(table))
	require.NoError(t, err)
}

// pool creates a user pool that signs in by email (the username is the
// sub, as in the recorded events) and returns its id.
func (s *stack) pool(t testing.TB, name string) string {
	t.Helper()
	out, err := s.cognito.CreateUserPool(context.Background(), &cip.CreateUserPoolInput{
		PoolName:           aws.String(name),
		UsernameAttributes: []ciptypes.UsernameAttributeType{ciptypes.UsernameAttributeTypeEmail},
		Schema: []ciptypes.SchemaAttributeType{{
			Name: aws.String("tenant_id"), AttributeDataType: ciptypes.AttributeDataTypeString, Mutable: aws.Bool(false),
		}},
	})
	require.NoError(t, err)
	return aws.ToString(out.UserPool.Id)
}

// user creates a user with attrs in pool and returns its sub (its username
// too: the pool signs in by email).
func (s *stack) user(t testing.TB, pool string, attrs map[string]string) string {
	t.Helper()
	var list []ciptypes.AttributeType
	for k, v := range attrs {
		list = append(list, ciptypes.AttributeType{Name: aws.String(k), Value: aws.String(v)})
	}
	out, err := s.cognito.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{
		UserPoolId: aws.String(pool), Username: aws.String(attrs["email"]), UserAttributes: list,
		MessageAction: ciptypes.MessageActionTypeSuppress,
	})
	require.NoError(t, err)
	for _, a := range out.User.Attributes {
		if aws.ToString(a.Name) == "sub" {
			return aws.ToString(a.Value)
		}
	}
	t.Fatal("moto created a user without a sub")
	return ""
}

// sent is every raw message moto's SES accepted, read back.
func (s *stack) sent(t testing.TB) []email {
	t.Helper()
	ses, err := moto.Sent(context.Background(), http.DefaultClient, s.endpoint)
	require.NoError(t, err)
	var out []email
	for _, m := range ses.Raw {
		out = append(out, readEmail(t, m.Data))
	}
	return out
}

// email is a sent message as a mail client reads it.
type email struct {
	header     netmail.Header
	from       *netmail.Address
	subject    string
	text, html string
}

func readEmail(t testing.TB, raw string) email {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(raw))
	require.NoError(t, err)
	e := email{header: msg.Header}
	e.from, err = netmail.ParseAddress(msg.Header.Get("From"))
	require.NoError(t, err)
	e.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		body, err := io.ReadAll(p)
		require.NoError(t, err)
		text := strings.ReplaceAll(string(body), "\r\n", "\n")
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			e.text = text
		} else {
			e.html = text
		}
	}
	return e
}

// overlay is a tenant folder for tests, beside the shipped tenants: tests do
// not depend on what an operator changes in those.
func overlay(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

// testco is a tenant routed by its attribute value, sending every notice,
// welcome included, from a domain the tests verify.
const testco = `{
  "id": "testco",
  "displayName": "Test Co",
  "match": {"tenantAttributeValues": ["testco"]},
  "links": {"resetUrl": "https://login.testco.net/reset", "inviteUrl": "https://login.testco.net/activate", "mode": "query",
            "resetExpiry": "1h", "inviteExpiry": "72h", "reportUrl": "https://login.testco.net/report", "reportExpiry": "72h"},
  "brand": {"productName": "Test Co", "primaryColor": "#1a56db", "buttonTextColor": "#ffffff"},
  "languages": {"default": "en", "supported": ["en", "de", "ja"]},
  "sender": {"fromName": "Test Co Sicherheit", "fromAddress": "security@testco.net", "replyTo": "help@testco.net",
             "configurationSet": "cogmail-testco", "domains": ["testco.net"]},
  "notifications": {"kinds": ["recovered", "changed", "adminset", "adminreset", "welcome"]}
}`

// notifier builds a Notifier on s with the shipped templates and tenants
// (and testco), the development keyring and a fixed clock, logging into the
// returned buffer.
func notifier(t testing.TB, s *stack, edit func(*notify.Config)) (*notify.Notifier, *bytes.Buffer) {
	t.Helper()
	r, err := render.Open(templates.FS)
	require.NoError(t, err)
	logs := new(bytes.Buffer)
	cfg := notify.Config{
		Renderer: r,
		Tenants:  tenant.NewStore(overlay(map[string]string{"tenants/testco/tenant.json": testco}), templates.FS),
		Keyring:  keys.Development(),
		Now:      func() time.Time { return testNow },
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
	}
	if s != nil {
		cfg.SES, cfg.Users = s.ses, s.cognito
		cfg.Claims = &once.Store{DB: s.db, Table: table, Now: func() time.Time { return testNow }}
	}
	if edit != nil {
		edit(&cfg)
	}
	return notify.New(cfg), logs
}

// readEvent reads a recorded event; with replacements old → new applied.
func readEvent(t testing.TB, name string, replace ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(eventsDir, name))
	require.NoError(t, err)
	return []byte(strings.NewReplacer(replace...).Replace(string(data)))
}

// wrap is the hand-off's wrapper around a Post confirmation event.
func wrap(t testing.TB, id string, received time.Time, event []byte) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"cogmail": "notice", "id": id, "received": received, "event": json.RawMessage(event)})
	require.NoError(t, err)
	return b
}

// logLines decodes every JSON log line.
func logLines(t testing.TB, logs *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		out = append(out, m)
	}
	return out
}

// lastLog is the last "notice" line.
func lastLog(t testing.TB, logs *bytes.Buffer) map[string]any {
	t.Helper()
	lines := logLines(t, logs)
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i]["msg"] == "notice" {
			checkEMF(t, lines[i])
			return lines[i]
		}
	}
	t.Fatalf("no notice log line in:\n%s", logs)
	return nil
}

// variant is testco's tenant.json under another id, edited: each key of
// edit replaces testco's top-level field (nil removes it).
func variant(t testing.TB, id string, edit map[string]any) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(testco), &m))
	m["id"] = id
	delete(m, "match")
	for k, v := range edit {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// tenantsWith is the shipped tenants, testco and files.
func tenantsWith(t testing.TB, files map[string]string) *tenant.Store {
	t.Helper()
	all := map[string]string{"tenants/testco/tenant.json": testco}
	for k, v := range files {
		all[k] = v
	}
	return tenant.NewStore(overlay(all), templates.FS)
}
