package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/lambdaapi"
	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/rie"
)

// Helpers of the TestE2ESender tests: a second stack, in the Custom Email
// Sender mode (make local-up MODE=custom-email-sender), started on first
// use and shared by those tests. It runs no notifier, so that every SES
// message in its mailbox is the sender's.
var senderStack struct {
	once    sync.Once
	stack   *localstack.Stack
	err     error
	scratch string
}

// stopSenderStack stops the sender stack, if one was started: TestMain
// calls it.
func stopSenderStack() {
	if senderStack.stack != nil {
		_ = senderStack.stack.Stop()
	}
	if senderStack.scratch != "" {
		_ = os.RemoveAll(senderStack.scratch)
	}
}

// sending is the shared stack in the Custom Email Sender mode, or a skip
// saying what is missing: what the stack needs, and moto_server for KMS
// and SES.
func sending(t *testing.T) *localstack.Stack {
	t.Helper()
	localstack.Require(t)
	root, err := rie.ModuleRoot()
	require.NoError(t, err)
	if _, err := rie.Find(root); err != nil {
		t.Skip(err.Error())
	}
	if _, err := moto.Find(); err != nil {
		t.Skipf("the Custom Email Sender mode needs moto_server for KMS and SES: %v", err)
	}
	senderStack.once.Do(func() { senderStack.stack, senderStack.err = startSending(root) })
	require.NoError(t, senderStack.err)
	return senderStack.stack
}

// senderBinary is the sender as the stack runs it, built once.
func senderBinary(t *testing.T) string {
	t.Helper()
	sending(t)
	return filepath.Join(senderStack.scratch, "sender")
}

func startSending(root string) (*localstack.Stack, error) {
	var err error
	if senderStack.scratch, err = os.MkdirTemp("", "cogmail-e2e-sender-"); err != nil {
		return nil, err
	}
	// The first build of the sender (the Encryption SDK) takes minutes; the
	// build cache makes the next ones quick.
	for name, pkg := range map[string]string{"sender": "./lambda/cmd/sender", "page": "./lambda/dev/cmd/page"} {
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(senderStack.scratch, name), pkg)
		cmd.Dir, cmd.Env = root, append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build %s: %v\n%s", pkg, err, out)
		}
	}
	// Idle, the stack starts in a few seconds.
	ctx, cancel := context.WithTimeout(context.Background(), patience.For(10*time.Second))
	defer cancel()
	return localstack.Start(ctx, localstack.Options{
		Root: root, Mode: localstack.ModeCustomEmailSender, Sender: filepath.Join(senderStack.scratch, "sender"),
		Page: filepath.Join(senderStack.scratch, "page"), State: filepath.Join(senderStack.scratch, "state"),
	})
}

// senderForgot asks for a reset email, as an app would, and returns it as
// the sender sent it.
func senderForgot(t *testing.T, s *localstack.Stack, email, locale string) localstack.Message {
	t.Helper()
	seen := mailCount(t, s)
	_, err := cognito(s).ForgotPassword(t.Context(), &cip.ForgotPasswordInput{ClientId: aws.String(s.Clients.Public.ID),
		Username: aws.String(email), ClientMetadata: map[string]string{"locale": locale}})
	require.NoError(t, err)
	return sentAfter(t, s, seen, email)
}

// senderSignUp registers as an app would and returns the confirmation email.
func senderSignUp(t *testing.T, s *localstack.Stack, email, password, locale string) localstack.Message {
	t.Helper()
	seen := mailCount(t, s)
	_, err := cognito(s).SignUp(t.Context(), &cip.SignUpInput{
		ClientId: aws.String(s.Clients.Public.ID), Username: aws.String(email), Password: aws.String(password),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
		ClientMetadata: map[string]string{"locale": locale},
	})
	require.NoError(t, err)
	return sentAfter(t, s, seen, email)
}

// sentAfter waits for the first email the sender sent to email after the
// mailbox held seen messages. cognito-local hands the code over
// asynchronously, as Cognito does: idle, the email follows within two
// seconds (the sender's cold start, KMS, SES, the mailbox's polling).
func sentAfter(t *testing.T, s *localstack.Stack, seen int, email string) localstack.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), patience.For(5*time.Second))
	defer cancel()
	msg, err := s.Mailbox.WaitFor(ctx, func(m localstack.Message) bool { return m.Seq >= seen && m.SentTo(email) })
	require.NoError(t, err, "no email for %s; the sender's log:\n%s", email, readFrom(t, s.Sender.Log, 0))
	assert.Empty(t, msg.Problem)
	return msg
}

// codeLine is the code alone on its line, as the text part writes it.
var codeLine = regexp.MustCompile(`(?m)^[ \t]*([0-9]{6})[ \t]*\r?$`)

// codeIn reads the code back from the email's text part, as a person
// would copy it: cognito-local's codes are six digits.
func codeIn(t *testing.T, msg localstack.Message) string {
	t.Helper()
	m := codeLine.FindAllStringSubmatch(msg.Text, -1)
	require.Len(t, m, 1, "one code alone on its line in the text part:\n%s", msg.Text)
	return m[0][1]
}

// assertSent checks what every email the sender sends holds: from the
// tenant's sender, multipart with a text part written for people, in the
// language asked for, the code in both parts, no Cognito placeholder.
func assertSent(t *testing.T, s *localstack.Stack, msg localstack.Message, kind, tenantID, lang, dir, code string) {
	t.Helper()
	tn := overlayTenant(t, s, tenantID)
	texts := catalog(t, tn, lang)
	assert.Contains(t, msg.Text, texts.T(kind+".heading", "product", tn.Brand.ProductName), "the text part is written, not stripped")
	require.NotNil(t, tn.Sender)
	assert.Equal(t, tn.Sender.FromAddress, msg.From)
	assert.Equal(t, "multipart/alternative", msg.ContentType)
	assert.Contains(t, msg.HTML, `<html lang="`+lang+`" dir="`+dir+`"`)
	assert.Contains(t, msg.HTML, code, "the code is written out in the HTML too")
	assert.NotContains(t, msg.Text, "<", "no markup in the text part")
	for _, part := range []string{msg.Subject, msg.HTML, msg.Text} {
		assert.NotContains(t, part, "{####}", "the real code, not Cognito's placeholder")
		assert.NotContains(t, part, "{username}")
	}
}

// encryptCode encrypts code under the stack's KMS key, in moto_server, with
// infra/local/encrypt-code.js (the Encryption SDK for JavaScript that
// cognito-local brings along): shape "cognito" is real Cognito's message
// (format 1, no key commitment, pool in the encryption context),
// "cognito-local" cognito-local's.
func encryptCode(t *testing.T, s *localstack.Stack, shape, pool, code string) string {
	t.Helper()
	root, err := rie.ModuleRoot()
	require.NoError(t, err)
	args := []string{filepath.Join(root, "infra", "local", "encrypt-code.js"), "--shape", shape,
		"--key", s.Sender.KMSKeyARN, "--endpoint", s.Moto.Endpoint, "--region", s.Region}
	if pool != "" {
		args = append(args, "--pool", pool)
	}
	// Idle, node starts and encrypts within a second.
	ctx, cancel := context.WithTimeout(t.Context(), patience.For(2*time.Second))
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append(args, code)...)
	cmd.Dir = filepath.Join(root, "infra", "local")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+localstack.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+localstack.SecretAccessKey)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		err = fmt.Errorf("%w: %s", err, exit.Stderr)
	}
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

// senderEvent is the Custom Email Sender event cognito-local sends for u,
// with ciphertext as its code.
func senderEvent(t *testing.T, s *localstack.Stack, u localstack.User, source, ciphertext, locale string) []byte {
	t.Helper()
	event, err := json.Marshal(map[string]any{
		"version": "0", "region": "local", "userPoolId": s.UserPoolID, "userName": u.Username, "triggerSource": source,
		"callerContext": map[string]any{"awsSdkVersion": "2.0.0", "clientId": s.Clients.Public.ID},
		"request": map[string]any{"type": "customEmailSenderRequestV1", "code": ciphertext,
			"userAttributes": attributes(t, s, u), "clientMetadata": map[string]string{"locale": locale}},
		"response": map[string]any{},
	})
	require.NoError(t, err)
	return event
}

// invokeAsync invokes function asynchronously through the Lambda API at
// endpoint, as Cognito invokes a custom sender, and returns the request id.
func invokeAsync(t *testing.T, endpoint, function string, event []byte) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
		endpoint+"/2015-03-31/functions/"+function+"/invocations", bytes.NewReader(event))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Invocation-Type", "Event")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	return resp.Header.Get("X-Amzn-Requestid")
}

// deadLetterWhere waits for a dead letter in queue that match accepts.
// Idle, one comes a few seconds after the event: the retries' waits and
// three runs.
func deadLetterWhere(t *testing.T, queue string, within time.Duration, match func(lambdaapi.QueueMessage) bool) lambdaapi.QueueMessage {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		msgs, err := lambdaapi.SQS{}.ReceiveMessages(t.Context(), queue, time.Second)
		require.NoError(t, err)
		for _, m := range msgs {
			if match(m) {
				return m
			}
		}
	}
	t.Fatalf("no matching event reached the dead-letter queue within %s", within)
	return lambdaapi.QueueMessage{}
}

// starts counts the invocations of request id in an emulator's log.
func starts(log, id string) int { return strings.Count(log, "START RequestId: "+id) }
