package notify

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
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Cognito waits about 5 seconds on a Post confirmation trigger. The
// synchronous half stays well inside that: the hand-off gets handoffTimeout,
// and sending at once, when the hand-off failed, ends by syncBudget after
// the event arrived.
const (
	handoffTimeout = 1500 * time.Millisecond
	syncBudget     = 4 * time.Second
)

// postConfirmation serves the synchronous half: when there is something to
// send, it hands the event to an asynchronous invocation of the function
// itself, or sends it at once if that fails. It never fails the caller.
func (n *Notifier) postConfirmation(ctx context.Context, payload []byte, in input, rec *record) {
	rec.name, rec.kind, rec.pool = in.name, string(in.kind), in.pool
	if in.reason != "" {
		rec.outcome, rec.reason = outcomeIgnored, in.reason
		return
	}
	arrived := time.Now() // the real clock: Cognito's wait runs on it
	start := n.cfg.Now()
	in.when = start
	in.id = "pc#" + requestID(ctx, start)
	rec.id = in.id
	// Decide here what needs no network: a notice that would be skipped
	// costs no invocation.
	tg, skip := n.route(in, rec)
	if skip != "" {
		rec.outcome, rec.reason = outcomeSkipped, skip
		return
	}
	var handoffErr error
	if n.cfg.Invoke == nil {
		handoffErr = errNoHandoff
	} else {
		body, err := json.Marshal(wrapper{Cogmail: wrapperTag, ID: strings.TrimPrefix(in.id, "pc#"), Received: start, Event: payload})
		if err == nil {
			hctx, cancel := context.WithTimeout(ctx, handoffTimeout)
			err = n.cfg.Invoke(hctx, body)
			cancel()
		}
		if handoffErr = err; err == nil {
			rec.outcome = outcomeHandedOff
			return
		}
	}
	// Sent here, within what is left of Cognito's wait.
	sctx, cancel := context.WithDeadline(ctx, arrived.Add(syncBudget))
	defer cancel()
	rec.warning = join(rec.warning, "hand-off failed, sent at once: "+safeError(handoffErr))
	if err := n.sendTo(sctx, in, tg, rec); err != nil && rec.err == nil {
		rec.err = err
	}
}

var errNoHandoff = fmt.Errorf("no hand-off configured (%s unset)", envFunctionName)

// requestID is the invocation's request id (the wrapper's id, and so the
// idempotency key), or, outside Lambda, one made of the time.
func requestID(ctx context.Context, now time.Time) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	return "local-" + fmt.Sprint(now.UnixNano())
}

// Invoker invokes a Lambda function asynchronously: one POST to the Lambda
// API's Invoke with X-Amz-Invocation-Type: Event, signed with Signature
// Version 4 by the SDK's signer. Lambda answers 202 once the event is
// queued; it then retries a failed invocation twice and sends what still
// fails to the function's dead-letter queue.
type Invoker struct {
	Endpoint    string // https://lambda.<region>.amazonaws.com, or AWS_ENDPOINT_URL_LAMBDA
	Function    string // the function's name or ARN
	Region      string
	Credentials aws.CredentialsProvider
	Client      *http.Client // nil: http.DefaultClient
	Now         func() time.Time
}

// Invoke queues payload for an asynchronous invocation.
func (iv *Invoker) Invoke(ctx context.Context, payload []byte) error {
	if iv.Function == "" || iv.Endpoint == "" || iv.Credentials == nil {
		return errNoHandoff
	}
	u := strings.TrimRight(iv.Endpoint, "/") + "/2015-03-31/functions/" + url.PathEscape(iv.Function) + "/invocations"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", "Event")
	creds, err := iv.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("lambda invoke: credentials: %w", err)
	}
	sum := sha256.Sum256(payload)
	now := time.Now
	if iv.Now != nil {
		now = iv.Now
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "lambda", iv.Region, now()); err != nil {
		return fmt.Errorf("lambda invoke: signing: %w", err)
	}
	client := iv.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("lambda invoke: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusAccepted {
		// The answer is an error's type and message about the request, not
		// about the user: no address in it.
		var e struct {
			Type string `json:"Type"`
		}
		_ = json.Unmarshal(body, &e)
		code := resp.Header.Get("X-Amzn-ErrorType")
		if code == "" {
			code = e.Type
		}
		return fmt.Errorf("lambda invoke: %s", strings.TrimSpace(resp.Status+" "+code))
	}
	return nil
}

// lambdaEndpoint is where the Lambda API is: AWS_ENDPOINT_URL_LAMBDA, else
// AWS_ENDPOINT_URL, as the SDK reads them (unless
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), else the region's.
func lambdaEndpoint(getenv func(string) string, region string) string {
	if !strings.EqualFold(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		for _, name := range []string{"AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL"} {
			if v := strings.TrimSpace(getenv(name)); v != "" {
				return v
			}
		}
	}
	if region == "" {
		return ""
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return "https://lambda." + region + "." + suffix
}
