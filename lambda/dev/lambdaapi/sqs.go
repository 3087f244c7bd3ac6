package lambdaapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// SQS speaks SQS's JSON protocol to moto_server with plain HTTP: go.mod has
// no SQS client, and these three calls do not need one. Requests are signed
// with dummy credentials, since moto_server tells services apart by the
// signature's scope (it checks nothing else).
type SQS struct {
	// Region is the signing region; empty means us-east-1.
	Region string
}

// Attribute is an SQS message attribute.
type Attribute struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue"`
}

// QueueMessage is a received message.
type QueueMessage struct {
	MessageID         string               `json:"MessageId"`
	ReceiptHandle     string               `json:"ReceiptHandle"`
	Body              string               `json:"Body"`
	MessageAttributes map[string]Attribute `json:"MessageAttributes"`
}

// CreateQueue creates a standard queue at endpoint (or finds the one of that
// name) and returns its URL.
func (q SQS) CreateQueue(ctx context.Context, endpoint, name string) (string, error) {
	var out struct{ QueueUrl string }
	if err := q.call(ctx, endpoint, "CreateQueue", map[string]any{"QueueName": name}, &out); err != nil {
		return "", err
	}
	return out.QueueUrl, nil
}

// SendMessage sends body with attributes to the queue.
func (q SQS) SendMessage(ctx context.Context, queueURL, body string, attrs map[string]Attribute) error {
	endpoint, err := endpointOf(queueURL)
	if err != nil {
		return err
	}
	in := map[string]any{"QueueUrl": queueURL, "MessageBody": body}
	if len(attrs) > 0 {
		in["MessageAttributes"] = attrs
	}
	return q.call(ctx, endpoint, "SendMessage", in, nil)
}

// ReceiveMessages receives up to ten messages with all their attributes,
// waiting up to wait (whole seconds, at most 20) for the first, and deletes
// none: they come back once their visibility timeout ends.
func (q SQS) ReceiveMessages(ctx context.Context, queueURL string, wait time.Duration) ([]QueueMessage, error) {
	endpoint, err := endpointOf(queueURL)
	if err != nil {
		return nil, err
	}
	var out struct{ Messages []QueueMessage }
	err = q.call(ctx, endpoint, "ReceiveMessage", map[string]any{
		"QueueUrl": queueURL, "MaxNumberOfMessages": 10, "MessageAttributeNames": []string{"All"},
		"WaitTimeSeconds": min(int(wait/time.Second), 20),
	}, &out)
	return out.Messages, err
}

func (q SQS) call(ctx context.Context, endpoint, action string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS."+action)
	region := q.Region
	if region == "" {
		region = "us-east-1"
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "sqs", region, time.Now()); err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		return fmt.Errorf("sqs %s: %w", action, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("sqs %s: %w", action, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sqs %s: %s: %s", action, resp.Status, bytes.TrimSpace(data))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("sqs %s: %w", action, err)
	}
	return nil
}

// endpointOf is a queue URL's scheme and host, where its API answers.
func endpointOf(queueURL string) (string, error) {
	u, err := url.Parse(queueURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("sqs: %q is not a queue URL", queueURL)
	}
	return u.Scheme + "://" + u.Host, nil
}
