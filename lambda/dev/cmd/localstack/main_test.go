package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cogmail/cogmail/lambda/dev/localstack"
)

// The banner says where to sign in: the page server's local sign-in page
// when it runs, and the AWS CLI command either way.
func TestWalkthroughSaysHowToSignIn(t *testing.T) {
	info := localstack.Info{
		State: t.TempDir(), Region: localstack.Region,
		Cognito: localstack.Cognito{Endpoint: "http://127.0.0.1:9229"},
		Page:    localstack.Page{URL: "http://127.0.0.1:8088", Running: true},
		Links:   localstack.Links{SignIn: "http://127.0.0.1:8088/signin"},
		Clients: localstack.Clients{Public: localstack.Client{ID: "public-client-id"}},
		Users:   []localstack.User{{Email: "ana@example.com", GivenName: "Ana", Password: "Local-ana-Pass1!"}},
	}
	cli := []string{
		"aws cognito-idp initiate-auth --region us-east-1",
		"--endpoint-url http://127.0.0.1:9229 --client-id public-client-id --auth-flow USER_PASSWORD_AUTH",
		"--auth-parameters 'USERNAME=ana@example.com,PASSWORD=Local-ana-Pass1!'",
	}
	for _, tc := range []struct {
		name    string
		running bool
	}{{"case=page-running", true}, {"case=no-page", false}} {
		t.Run(tc.name, func(t *testing.T) {
			info := info
			info.Page.Running = tc.running
			var out bytes.Buffer
			walkthrough(&out, &info, time.Second)
			for _, want := range cli {
				assert.Contains(t, out.String(), want)
			}
			assert.Equal(t, tc.running, bytes.Contains(out.Bytes(), []byte("in a browser at http://127.0.0.1:8088/signin")), out.String())
			assert.Contains(t, out.String(), `COGMAIL_SIGNING_KEYS="$(jq -r .signingKeys `, "how to verify a link with the stack's keyring")
		})
	}
}

// With the notifier, the banner names moto_server and how to read the
// notices from the mailbox; without, it says there are none.
func TestWalkthroughSaysWhetherNoticesGoOut(t *testing.T) {
	for _, tc := range []struct {
		name    string
		running bool
		want    []string
	}{
		{"case=notifier", true, []string{"moto_server   http://127.0.0.1:5000", `select(.source == "ses")`, "functions: function, the trigger; notifier"}},
		{"case=no-notifier", false, []string{"notifier      not started"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info := localstack.Info{State: t.TempDir(), Region: localstack.Region,
				Moto:     localstack.Moto{Endpoint: "http://127.0.0.1:5000"},
				Notifier: localstack.Notifier{Running: tc.running, Domains: []string{"example.com.internal"}}}
			var out bytes.Buffer
			walkthrough(&out, &info, time.Second)
			for _, want := range tc.want {
				assert.Contains(t, out.String(), want)
			}
			assert.Equal(t, tc.running, bytes.Contains(out.Bytes(), []byte("source")), out.String())
		})
	}
}

// In the Custom Email Sender mode the banner says so, names the sender and
// its KMS key, and reads the emails from SES's lines of the mailbox.
func TestWalkthroughInSenderMode(t *testing.T) {
	info := localstack.Info{State: t.TempDir(), Region: localstack.Region, Mode: localstack.ModeCustomEmailSender,
		Moto: localstack.Moto{Endpoint: "http://127.0.0.1:5000"},
		Sender: localstack.Sender{Running: true, KMSKeyARN: "arn:aws:kms:us-east-1:123456789012:key/k", KMSKeyAlias: localstack.KMSAlias,
			Table: localstack.SenderTable, DLQ: "http://127.0.0.1:5000/123456789012/cogmail-sender-dlq", Domains: []string{"example.com.internal"}}}
	var out bytes.Buffer
	walkthrough(&out, &info, time.Second)
	for _, want := range []string{
		"mode          custom-email-sender",
		"functions: sender, the Custom Email Sender)",
		"SES identities example.com.internal",
		"KMS key arn:aws:kms:us-east-1:123456789012:key/k (alias/cogmail-local), table cogmail-sender, dead-letter queue http://127.0.0.1:5000/123456789012/cogmail-sender-dlq",
		"jq -r .html > reset.html",
		`select(.source == "ses") | .text`,
	} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotContains(t, out.String(), ".emailMessage", "cognito-local delivers nothing in this mode")
}
