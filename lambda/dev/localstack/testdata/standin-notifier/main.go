// Command standin-notifier stands in for lambda/cmd/notifier in the local
// stack's tests, so that they test the stack's wiring, not the notifier: as
// cognito-local's Post confirmation trigger it hands the event to itself
// through the Lambda API (AWS_ENDPOINT_URL_LAMBDA, asynchronously) and
// answers with the event; given that hand-off it sends a multipart email
// through SES (AWS_ENDPOINT_URL_SESV2) to the user's address, from "from"
// when the hand-off names one, else from the overlay's default tenant's
// sender, and fails when SES refuses.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

type event struct {
	TriggerSource string `json:"triggerSource"`
	Request       struct {
		UserAttributes map[string]string `json:"userAttributes"`
	} `json:"request"`
	Cogmail string          `json:"cogmail"`
	From    string          `json:"from"`
	Event   json.RawMessage `json:"event"`
}

func handle(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
	var e event
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, err
	}
	if e.TriggerSource != "" {
		return raw, handOff(ctx, raw)
	}
	var inner event
	if err := json.Unmarshal(e.Event, &inner); err != nil {
		return nil, err
	}
	return nil, send(ctx, e.From, inner)
}

func handOff(ctx context.Context, raw json.RawMessage) error {
	body, _ := json.Marshal(map[string]any{"cogmail": "notice", "event": raw})
	url := os.Getenv("AWS_ENDPOINT_URL_LAMBDA") + "/2015-03-31/functions/" + os.Getenv("AWS_LAMBDA_FUNCTION_NAME") + "/invocations"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("X-Amz-Invocation-Type", "Event")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("self-invoke: %s", resp.Status)
	}
	return nil
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

func send(ctx context.Context, from string, e event) error {
	if from == "" {
		var err error
		if from, err = defaultSender(); err != nil {
			return err
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	to := e.Request.UserAttributes["email"]
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s <%s>\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\n", mime.QEncoding.Encode("utf-8", "Stand-in Größe"), from, to,
		mime.QEncoding.Encode("utf-8", "Passwort geändert: "+e.TriggerSource))
	msg.WriteString("Content-Type: multipart/alternative; boundary=b\r\n\r\n")
	msg.WriteString("--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe, text\r\n")
	msg.WriteString("--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nPHA+R3LDvMOfZSwgaHRtbDwvcD4=\r\n--b--\r\n")
	_, err = sesv2.NewFromConfig(cfg).SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &types.Destination{ToAddresses: []string{to}},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: msg.Bytes()}},
	})
	return err
}

func main() { lambda.Start(handle) }
