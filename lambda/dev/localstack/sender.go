package localstack

import (
	"context"
	"fmt"

	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/keys"
)

// Mode is how cognito-local hands cogmail its emails, as template.yaml's
// MessageMode wires a real pool.
type Mode string

const (
	// ModeCustomMessage: cognito-local calls the function as its Custom
	// Message trigger and delivers what it returns, to the mailbox.
	ModeCustomMessage Mode = "custom-message"
	// ModeCustomEmailSender: cognito-local encrypts each code under the
	// stack's KMS key in moto_server and hands it to the sender, its Custom
	// Email Sender trigger, which sends the email through moto's SES.
	ModeCustomEmailSender Mode = "custom-email-sender"
)

// ParseMode reads a mode's name; empty is ModeCustomMessage.
func ParseMode(name string) (Mode, error) {
	switch m := Mode(name); m {
	case "":
		return ModeCustomMessage, nil
	case ModeCustomMessage, ModeCustomEmailSender:
		return m, nil
	}
	return "", fmt.Errorf("unknown mode %q: %s or %s", name, ModeCustomMessage, ModeCustomEmailSender)
}

// SenderName is the sender's function name: cognito-local's Custom Email
// Sender trigger.
const SenderName = "sender"

// Sender is the Custom Email Sender function under its own emulator, and
// what the stack made for it in moto_server.
type Sender struct {
	Running bool `json:"running"`
	// URL is its emulator's invocation endpoint; cognito-local calls it
	// through the Lambda API, as "sender", asynchronously.
	URL        string `json:"url,omitempty"`
	RuntimeAPI string `json:"runtimeApi,omitempty"`
	// Log is the file that receives its emulator's output, the function's
	// log lines included.
	Log string `json:"log,omitempty"`
	// Table is the idempotency table (COGMAIL_SENDER_TABLE).
	Table string `json:"table,omitempty"`
	// DLQ is the URL of its dead-letter queue in moto_server's SQS.
	DLQ string `json:"dlq,omitempty"`
	// KMSKeyARN is the key cognito-local encrypts the codes under
	// (COGMAIL_KMS_KEY_ARN: the sender's keyring needs the key's ARN, not
	// an alias), and KMSKeyAlias its alias.
	KMSKeyARN   string `json:"kmsKeyArn,omitempty"`
	KMSKeyAlias string `json:"kmsKeyAlias,omitempty"`
	// Domains are the SES identities created: the overlay tenants' sender
	// domains.
	Domains []string `json:"domains,omitempty"`
}

// SenderEnv is the sender's environment as the deployment gives it, with
// every AWS endpoint local: moto_server for KMS, SES and DynamoDB,
// cognito-local for AdminGetUser. Tests that run a sender of their own
// (with KMS out of reach, say) start from it.
func (s *Stack) SenderEnv() []string {
	return rie.WithLambdaDefaults(append(baseEnv(),
		"AWS_LAMBDA_FUNCTION_NAME="+SenderName,
		"AWS_REGION="+Region,
		"AWS_ACCESS_KEY_ID="+AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+SecretAccessKey,
		"AWS_ENDPOINT_URL_KMS="+s.Moto.Endpoint,
		"AWS_ENDPOINT_URL_SESV2="+s.Moto.Endpoint,
		"AWS_ENDPOINT_URL_DYNAMODB="+s.Moto.Endpoint,
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+s.Cognito.Endpoint,
		"COGMAIL_KMS_KEY_ARN="+s.Sender.KMSKeyARN,
		"COGMAIL_SENDER_TABLE="+s.Sender.Table,
		"COGMAIL_PAGE_URL="+s.Page.URL,
		"COGMAIL_TEMPLATES_DIR="+s.Overlay,
		keys.EnvSigningKeys+"="+s.SigningKeys))
}

// startSender runs the sender under an emulator of its own.
func (s *Stack) startSender(ctx context.Context, o Options, ports []int) error {
	run, err := s.startFunction(ctx, o, SenderName, o.Sender, s.SenderEnv(), ports)
	if err != nil {
		return err
	}
	s.Sender.Running = true
	s.Sender.URL, s.Sender.RuntimeAPI, s.Sender.Log = run.url, run.runtimeAPI, run.log
	return nil
}

// kmsConfig is cognito-local's KMSConfig: the key's ARN and alias, and a
// KMS client for moto_server (without a region cognito-local says "local",
// which moto refuses).
func (s *Stack) kmsConfig() map[string]any {
	return map[string]any{
		"KMSKeyId":    s.Sender.KMSKeyARN,
		"KMSKeyAlias": s.Sender.KMSKeyAlias,
		"region":      Region,
		"endpoint":    s.Moto.Endpoint,
		"credentials": map[string]string{"accessKeyId": AccessKeyID, "secretAccessKey": SecretAccessKey},
	}
}
