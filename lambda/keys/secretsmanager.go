package keys

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cogmail/cogmail/lambda/link"
)

// The keyring is read with one Secrets Manager call, GetSecretValue: a
// JSON POST signed with Signature Version 4 by the AWS SDK's own signer.
// The SDK's client for it would bring its configuration loader, its
// credential chain and four more service clients (STS, SSO, SSO OIDC,
// sign-in), whose package init alone cost every cold start about 2 ms and
// the function 2.5 MB (BENCHMARKS.md), for the one call. Like the SDK, it
// reads from the process environment:
//
//   - credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
//     AWS_SESSION_TOKEN, which Lambda always sets for the function's role
//     (and `sam local` from the caller's profile). Profiles, SSO and
//     instance metadata are not read: export a profile's credentials first
//     (`eval "$(aws configure export-credentials --format env)"`);
//   - the region: AWS_REGION, else AWS_DEFAULT_REGION;
//   - the endpoint: AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS_ENDPOINT_URL
//     (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), else the region's,
//     FIPS with AWS_USE_FIPS_ENDPOINT=true, dual-stack with
//     AWS_USE_DUALSTACK_ENDPOINT=true.
//
// A throttled, failed (5xx) or unanswered request is tried again, three
// attempts in all, as the SDK's standard retryer does, within the timeout.

// APIError is an error answer of the Secrets Manager API.
type APIError struct {
	StatusCode int
	Code       string // such as ResourceNotFoundException
	Message    string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("Secrets Manager answered %d %s: %s", e.StatusCode, e.Code, e.Message)
}

// ErrorCode is the error's code, as the SDK's smithy.APIError says it.
func (e *APIError) ErrorCode() string { return e.Code }

// attempts is how many times a request that may succeed later is made.
const attempts = 3

// maxAnswer bounds the answer read: a secret holds at most 64 KB, which
// base64 and JSON make less than 100 KB.
const maxAnswer = 1 << 20

// fromSecretsManager fetches the keyring JSON from the secret arn, spending at
// most timeout on it. Tests point it at a fake with
// AWS_ENDPOINT_URL_SECRETS_MANAGER and need no hook here.
func fromSecretsManager(ctx context.Context, arn string, timeout time.Duration) (*link.Keyring, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	env := awsEnv(os.Getenv)
	endpoint, err := env.endpoint()
	if err == nil {
		err = env.credentials()
	}
	if err != nil {
		return nil, fetchError(ctx, arn, timeout, "loading the AWS configuration", err)
	}
	body, err := json.Marshal(map[string]string{"SecretId": arn})
	if err != nil {
		return nil, err
	}
	answer, err := env.call(ctx, endpoint, body)
	if err != nil {
		return nil, fetchError(ctx, arn, timeout, "reading the secret", err)
	}

	var out struct {
		SecretString *string
		SecretBinary []byte // base64 in JSON
	}
	if err := json.Unmarshal(answer, &out); err != nil {
		// Never the answer itself: it is the secret.
		return nil, fmt.Errorf("keys: secret %s: the answer of Secrets Manager is not the JSON of a secret value", arn)
	}
	var value []byte
	switch {
	case out.SecretString != nil && *out.SecretString != "":
		value = []byte(*out.SecretString)
	case len(out.SecretBinary) > 0:
		value = out.SecretBinary
	default:
		return nil, fmt.Errorf("keys: secret %s has no value (neither SecretString nor SecretBinary)", arn)
	}
	// ParseKeyring's errors name key ids and sizes, never key bytes or the
	// JSON text, so they are safe to wrap.
	ring, err := link.ParseKeyring(value)
	if err != nil {
		return nil, fmt.Errorf("keys: secret %s: %w", arn, err)
	}
	return ring, nil
}

// awsConfig is what the call reads from the environment.
type awsConfig struct {
	getenv func(string) string
	region string
	creds  aws.Credentials
}

func awsEnv(getenv func(string) string) *awsConfig {
	c := &awsConfig{getenv: getenv, region: getenv("AWS_REGION")}
	if c.region == "" {
		c.region = getenv("AWS_DEFAULT_REGION")
	}
	return c
}

func (c *awsConfig) credentials() error {
	id, secret := c.getenv("AWS_ACCESS_KEY_ID"), c.getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" {
		id = c.getenv("AWS_ACCESS_KEY") // the SDK's older spellings
	}
	if secret == "" {
		secret = c.getenv("AWS_SECRET_KEY")
	}
	if id == "" || secret == "" {
		return errors.New("no AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, which Lambda sets; " +
			`from a profile: eval "$(aws configure export-credentials --format env)")`)
	}
	c.creds = aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: c.getenv("AWS_SESSION_TOKEN"), Source: "environment"}
	return nil
}

// partitions are the DNS suffixes of AWS's partitions, by the prefix of
// their regions' names (the SDK's partitions.json); the last is the default.
var partitions = []struct{ prefix, dns, dualStack string }{
	{"cn-", "amazonaws.com.cn", "api.amazonwebservices.com.cn"},
	{"eusc-", "amazonaws.eu", "api.amazonwebservices.eu"},
	{"us-iso-", "c2s.ic.gov", "api.aws.ic.gov"},
	{"us-isob-", "sc2s.sgov.gov", "api.aws.scloud"},
	{"eu-isoe-", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"},
	{"us-isof-", "csp.hci.ic.gov", "api.aws.hci.ic.gov"},
	{"", "amazonaws.com", "api.aws"}, // aws, aws-us-gov
}

// endpoint is where the call goes, as the SDK resolves it.
func (c *awsConfig) endpoint() (string, error) {
	if c.region == "" {
		return "", errors.New("no region: set AWS_REGION (Lambda does)")
	}
	if !strings.EqualFold(c.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		for _, name := range []string{"AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL"} {
			if url := c.getenv(name); url != "" {
				return url, nil
			}
		}
	}
	for _, ch := range c.region {
		if !('a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '-') {
			return "", fmt.Errorf("region %q is not a region name", c.region)
		}
	}
	host := "secretsmanager"
	if strings.EqualFold(c.getenv("AWS_USE_FIPS_ENDPOINT"), "true") {
		host += "-fips"
	}
	p := partitions[len(partitions)-1]
	for _, q := range partitions {
		if strings.HasPrefix(c.region, q.prefix) {
			p = q
			break
		}
	}
	suffix := p.dns
	if strings.EqualFold(c.getenv("AWS_USE_DUALSTACK_ENDPOINT"), "true") {
		suffix = p.dualStack
	}
	return "https://" + host + "." + c.region + "." + suffix, nil
}

// client has no timeout of its own: the caller's context bounds each call.
var client = &http.Client{}

// call makes GetSecretValue with body, trying again what may succeed later.
func (c *awsConfig) call(ctx context.Context, endpoint string, body []byte) ([]byte, error) {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	signer := v4.NewSigner()
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
		if err := signer.SignHTTP(ctx, c.creds, req, hash, "secretsmanager", c.region, time.Now()); err != nil {
			return nil, err
		}
		answer, err := do(req)
		if err == nil || attempt == attempts || !retryable(err) || ctx.Err() != nil {
			return answer, err
		}
		// The SDK's backoff, shortened to fit the timeout: a random wait up
		// to 50 ms, then up to 100 ms.
		wait := time.Duration(rand.Int64N(int64(25*time.Millisecond) << attempt))
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
		}
	}
}

// do sends req and reads its answer; an error answer is an *APIError.
func do(req *http.Request) ([]byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	switch {
	case err != nil:
		return nil, err
	case len(answer) > maxAnswer:
		return nil, fmt.Errorf("an answer of more than %d bytes", maxAnswer)
	case resp.StatusCode == http.StatusOK:
		return answer, nil
	}
	// An error answer holds no secret: its code and message are kept.
	var doc struct {
		Type    string `json:"__type"`
		Code    string `json:"code"`
		Message string `json:"message"` // or "Message": encoding/json ignores case
	}
	_ = json.Unmarshal(answer, &doc)
	code := resp.Header.Get("X-Amzn-ErrorType")
	for _, c := range []string{doc.Type, doc.Code} {
		if code == "" {
			code = c
		}
	}
	// "aws.protocoljson#ResourceNotFoundException:http://…" → the name.
	code, _, _ = strings.Cut(code, ":")
	if _, name, ok := strings.Cut(code, "#"); ok {
		code = name
	}
	if code == "" {
		code = "UnknownError"
	}
	msg := doc.Message
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return nil, &APIError{StatusCode: resp.StatusCode, Code: code, Message: msg}
}

// retryable reports whether a later attempt may succeed: the SDK's
// standard retryer's throttling codes, server errors and connection errors.
func retryable(err error) bool {
	var api *APIError
	if !errors.As(err, &api) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	switch api.Code {
	case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
		"TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
		"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
		"SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException":
		return true
	}
	return api.StatusCode == http.StatusTooManyRequests || api.StatusCode >= 500
}

// fetchError turns a failed call into an error that says what to fix. It
// wraps an *APIError and the bare context error on timeout or
// cancellation; other errors keep only their text.
func fetchError(ctx context.Context, arn string, timeout time.Duration, doing string, err error) error {
	// The deadline may surface as the transport's own error or only as
	// ctx.Err() (for instance during a backoff); either way callers must be
	// able to test it with errors.Is.
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("keys: secret %s: timed out after %s while %s (%v): %w", arn, timeout, doing, err, context.DeadlineExceeded)
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return fmt.Errorf("keys: secret %s: canceled while %s (%v): %w", arn, doing, err, context.Canceled)
	}

	var api *APIError
	if !errors.As(err, &api) {
		return fmt.Errorf("keys: secret %s: %s failed: %v", arn, doing, err)
	}
	switch api.Code {
	case "ResourceNotFoundException":
		return fmt.Errorf("keys: secret %s not found (check %s, the region and the account): %w", arn, EnvSecretARN, err)
	case "DecryptionFailure":
		return fmt.Errorf("keys: secret %s cannot be decrypted (check kms:Decrypt on its KMS key for the function's role): %w", arn, err)
	case "InvalidRequestException":
		return fmt.Errorf("keys: secret %s cannot be read now (is it scheduled for deletion?): %w", arn, err)
	case "AccessDeniedException", "AccessDenied":
		return fmt.Errorf("keys: secret %s: access denied (check secretsmanager:GetSecretValue on it for the function's role): %w", arn, err)
	case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException":
		return fmt.Errorf("keys: secret %s: AWS rejected the credentials: %w", arn, err)
	}
	return fmt.Errorf("keys: secret %s: %s failed: %w", arn, doing, err)
}
