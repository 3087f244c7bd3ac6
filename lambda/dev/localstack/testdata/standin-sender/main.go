// Command standin-sender stands in for lambda/cmd/sender in the local
// stack's tests, so that they test the stack's wiring, not the sender (nor
// the AWS Encryption SDK, which only the sender links): as cognito-local's
// Custom Email Sender trigger it reads the encrypted code's message header,
// finds whether a data key was encrypted under COGMAIL_KMS_KEY_ARN (what
// the sender's KMS keyring needs), and sends an email saying so through SES
// (AWS_ENDPOINT_URL_SESV2) to the user's address, from the overlay's
// default tenant's sender; it fails when SES refuses.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

type event struct {
	TriggerSource string `json:"triggerSource"`
	Request       struct {
		Type           string            `json:"type"`
		Code           string            `json:"code"`
		UserAttributes map[string]string `json:"userAttributes"`
	} `json:"request"`
}

func handle(ctx context.Context, e event) error {
	keys, err := dataKeys(e.Request.Code)
	verdict := "no data key under COGMAIL_KMS_KEY_ARN"
	switch {
	case err != nil:
		verdict = "not an Encryption SDK message: " + err.Error()
	case slices.Contains(keys, os.Getenv("COGMAIL_KMS_KEY_ARN")):
		verdict = "a data key under COGMAIL_KMS_KEY_ARN"
	}
	from, err := defaultSender()
	if err != nil {
		return err
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	to := e.Request.UserAttributes["email"]
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s (%s)\r\n",
		from, to, e.TriggerSource, verdict, e.Request.Type)
	_, err = sesv2.NewFromConfig(cfg).SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &types.Destination{ToAddresses: []string{to}},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: []byte(msg)}},
	})
	return err
}

// dataKeys returns the provider info (for KMS, the key's ARN) of each data
// key in an Encryption SDK message's header, format 1 or 2.
func dataKeys(code string) ([]string, error) {
	raw, err := base64.StdEncoding.DecodeString(code)
	if err != nil {
		return nil, err
	}
	r := bytes.NewReader(raw)
	var version byte
	if version, err = r.ReadByte(); err != nil {
		return nil, err
	}
	skip := map[byte]int64{1: 1 + 2 + 16, 2: 2 + 32}[version] // [type,] suite, message id
	if skip == 0 {
		return nil, fmt.Errorf("version %d", version)
	}
	if _, err := r.Seek(skip, 1); err != nil {
		return nil, err
	}
	var aad uint16
	if err := binary.Read(r, binary.BigEndian, &aad); err != nil {
		return nil, err
	}
	if _, err := r.Seek(int64(aad), 1); err != nil {
		return nil, err
	}
	var count uint16
	if err := binary.Read(r, binary.BigEndian, &count); err != nil {
		return nil, err
	}
	var infos []string
	for range count {
		var fields [3][]byte // provider id, provider info, encrypted key
		for i := range fields {
			var n uint16
			if err := binary.Read(r, binary.BigEndian, &n); err != nil {
				return nil, err
			}
			fields[i] = make([]byte, n)
			if _, err := io.ReadFull(r, fields[i]); err != nil {
				return nil, err
			}
		}
		if string(fields[0]) == "aws-kms" {
			infos = append(infos, string(fields[1]))
		}
	}
	if len(infos) == 0 {
		return nil, errors.New("no KMS data key")
	}
	return infos, nil
}

// defaultSender is the default tenant's fromAddress in the stack's overlay.
func defaultSender() (string, error) {
	data, err := os.ReadFile(filepath.Join(os.Getenv("COGMAIL_TEMPLATES_DIR"), "tenants", "default", "tenant.json"))
	if err != nil {
		return "", err
	}
	var tn struct {
		Sender struct{ FromAddress string } `json:"sender"`
	}
	err = json.Unmarshal(data, &tn)
	return tn.Sender.FromAddress, err
}

func main() { lambda.Start(handle) }
