package sender_test

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
	"os/exec"
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
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/codes"
	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/once"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/sender"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// testNow is the sender's clock in tests: after the recorded events.
var testNow = time.Date(2025, 11, 28, 21, 20, 0, 0, time.UTC)

const (
	eventsDir = "../../events/custom-email-sender"
	region    = "eu-west-1"
	table     = "cogmail-sender"
	// The recorded events' pool and user (events/custom-email-sender/README.md).
	eventPool   = "eu-west-1_Ab12Cd34E"
	eventUser   = "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f"
	eventEmail  = "ana.silva@example.com"
	placeholder = "UExBQ0VIT0xERVI6IG5vdCBhIGNpcGhlcnRleHQ7IHRlc3RzIGVuY3J5cHQgYSByZWFsIGNvZGU="
)

// script encrypts codes as Cognito and cognito-local do.
var script = filepath.Join("..", "..", "infra", "local", "encrypt-code.js")

// stack is moto_server with a KMS key and the clients the sender uses,
// reset per test case.
type stack struct {
	endpoint string
	key      string
	ses      *sesv2.Client
	db       *dynamodb.Client
	cognito  *cip.Client
}

// startStack runs moto_server. It skips without moto_server, or without
// Node.js and the local stack's npm packages (make node-deps), which make
// the ciphertexts.
func startStack(t testing.TB) *stack {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not on PATH: the tests encrypt codes with infra/local/encrypt-code.js (Node.js 20 or newer)")
	}
	if _, err := os.Stat(filepath.Join("..", "..", "infra", "local", "node_modules", "@aws-crypto", "client-node")); err != nil {
		t.Skip("infra/local/node_modules lacks @aws-crypto/client-node: run make node-deps")
	}
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

// reset empties moto, creates a KMS key, verifies the given sender domains
// and creates the claims table.
func (s *stack) reset(t testing.TB, domains ...string) {
	t.Helper()
	resp, err := http.Post(s.endpoint+"/moto-api/reset", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	ctx := context.Background()
	k, err := moto.KMS{Endpoint: s.endpoint, Region: region}.CreateKey(ctx, "cogmail sender test")
	require.NoError(t, err)
	s.key = k.ARN
	s.verify(t, domains...)
	_, err = s.db.CreateTable(ctx, once.CreateTableInput(table))
	require.NoError(t, err)
	_, err = s.db.UpdateTimeToLive(ctx, once.TimeToLiveInput(table))
	require.NoError(t, err)
}

// verify creates SES identities.
func (s *stack) verify(t testing.TB, domains ...string) {
	t.Helper()
	for _, d := range domains {
		_, err := s.ses.CreateEmailIdentity(context.Background(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(d)})
		require.NoError(t, err)
	}
}

// encrypt encrypts codes in shape ("cognito", for pool, or
// "cognito-local") under the stack's key, with one run of the script.
func (s *stack) encrypt(t testing.TB, shape, pool string, plain ...string) []string {
	t.Helper()
	args := append([]string{script, "--shape", shape, "--key", s.key, "--pool", pool, "--endpoint", s.endpoint}, plain...)
	cmd := exec.Command("node", args...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "encrypt-code.js: %s", stderr.String())
	lines := strings.Fields(string(out))
	require.Len(t, lines, len(plain))
	return lines
}

// decrypter decrypts with the stack's key at endpoint (moto's, or one
// that does not answer).
func (s *stack) decrypter(t testing.TB, endpoint string) *codes.Decrypter {
	t.Helper()
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	d, err := codes.New(cfg, s.key, func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
	require.NoError(t, err)
	return d
}

// pool creates a user pool that signs in by email and returns its id.
func (s *stack) pool(t testing.TB) string {
	t.Helper()
	out, err := s.cognito.CreateUserPool(context.Background(), &cip.CreateUserPoolInput{
		PoolName:           aws.String("cogmail-sender"),
		UsernameAttributes: []ciptypes.UsernameAttributeType{ciptypes.UsernameAttributeTypeEmail},
	})
	require.NoError(t, err)
	return aws.ToString(out.UserPool.Id)
}

// user creates a user with attrs in pool and returns its username (the sub).
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
	return aws.ToString(out.User.Username)
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
	to         string
	subject    string
	text, html string
}

func readEmail(t testing.TB, raw string) email {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(raw))
	require.NoError(t, err)
	e := email{header: msg.Header, to: msg.Header.Get("To")}
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

// testco is a tenant routed by its attribute value, with every link and its
// own sender on a domain the tests verify: tests do not depend on what an
// operator changes in the shipped tenants.
const testco = `{
  "id": "testco",
  "displayName": "Test Co",
  "match": {"tenantAttributeValues": ["testco"]},
  "links": {"resetUrl": "https://login.testco.net/reset", "inviteUrl": "https://login.testco.net/activate",
            "verifyUrl": "https://login.testco.net/confirm", "mode": "query",
            "resetExpiry": "1h", "inviteExpiry": "72h", "verifyExpiry": "24h",
            "reportUrl": "https://login.testco.net/report", "reportExpiry": "72h"},
  "brand": {"productName": "Test Co", "primaryColor": "#1a56db", "buttonTextColor": "#ffffff"},
  "languages": {"default": "en", "supported": ["en", "de", "ja"]},
  "sender": {"fromName": "Test Co", "fromAddress": "accounts@testco.net", "replyTo": "help@testco.net",
             "configurationSet": "cogmail-testco", "domains": ["testco.net"]}
}`

// newSender builds a Sender on s with the shipped templates and tenants
// (and testco), the development keyring, moto's KMS, SES, DynamoDB and
// Cognito and a fixed clock, logging into the returned buffer.
func newSender(t testing.TB, s *stack, edit func(*sender.Config)) (*sender.Sender, *bytes.Buffer) {
	t.Helper()
	r, err := render.Open(templates.FS)
	require.NoError(t, err)
	logs := new(bytes.Buffer)
	cfg := sender.Config{
		Renderer:  r,
		Tenants:   tenant.NewStore(fstest.MapFS{"tenants/testco/tenant.json": {Data: []byte(testco)}}, templates.FS),
		Keyring:   keys.Development(),
		Decrypter: s.decrypter(t, s.endpoint),
		SES:       s.ses,
		Users:     s.cognito,
		Claims:    &once.Store{DB: s.db, Table: table, Now: func() time.Time { return testNow }},
		Now:       func() time.Time { return testNow },
		Logger:    slog.New(slog.NewJSONHandler(logs, nil)),
	}
	if edit != nil {
		edit(&cfg)
	}
	return sender.New(cfg), logs
}

// readEvent reads a recorded event with replacements old → new applied.
func readEvent(t testing.TB, name string, replace ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(eventsDir, name))
	require.NoError(t, err)
	return []byte(strings.NewReplacer(replace...).Replace(string(data)))
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

// lastLog is the last invocation's line.
func lastLog(t testing.TB, logs *bytes.Buffer) map[string]any {
	t.Helper()
	lines := logLines(t, logs)
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i]["msg"] == "custom email sender" {
			checkEMF(t, lines[i])
			return lines[i]
		}
	}
	t.Fatalf("no invocation log line in:\n%s", logs)
	return nil
}

// assertClean fails when the logs hold any of secrets: codes, ciphertexts,
// addresses, usernames, names.
func assertClean(t testing.TB, logs *bytes.Buffer, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(logs.String(), s) {
			t.Errorf("the logs hold %q:\n%s", s, logs)
		}
	}
}
