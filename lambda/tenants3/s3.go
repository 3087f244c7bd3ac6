package tenants3

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cogmail/cogmail/lambda/tenant"
)

// The AWS environment is read as lambda/keys reads it for Secrets Manager,
// and as the SDK would:
//
//   - credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
//     AWS_SESSION_TOKEN, which Lambda sets for the function's role;
//   - the region: AWS_REGION, else AWS_DEFAULT_REGION;
//   - the endpoint: AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL (unless
//     AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), both path-style
//     (<endpoint>/<bucket>/<key>), else the bucket's virtual host in the
//     region, https://<bucket>.s3.<region>.amazonaws.com/<key>, path-style
//     on https://s3.<region>.amazonaws.com when the bucket's name has a dot
//     (its TLS certificate covers one label); FIPS with
//     AWS_USE_FIPS_ENDPOINT=true, dual-stack with
//     AWS_USE_DUALSTACK_ENDPOINT=true.
//
// A throttled, failed (5xx) or unanswered GET is tried again, three
// attempts in all, within the caller's context.

// APIError is an error answer of S3.
type APIError struct {
	URL        string // s3://bucket/key
	StatusCode int
	Code       string // such as NoSuchKey or PreconditionFailed; "" when the answer had no body
	Message    string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("tenants3: %s: S3 answered %d %s", e.URL, e.StatusCode, e.Code)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// ErrorCode is the error's code, as the SDK's smithy.APIError says it.
func (e *APIError) ErrorCode() string { return e.Code }

// attempts is how many times a GET that may succeed later is made.
const attempts = 3

// emptySHA256 is the payload hash of a GET, which S3 wants in a header too.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// The transport's own bounds, for a caller whose context has no deadline;
// the Store's (1.5 s for a whole revalidation) is shorter.
const (
	dialTimeout   = 3 * time.Second
	headerTimeout = 5 * time.Second
	wholeTimeout  = 30 * time.Second
)

// client is shared: its connections are kept between events, so a warm
// revalidation is one request on an open connection.
var client = &http.Client{
	Timeout: wholeTimeout,
	Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: headerTimeout,
		MaxIdleConnsPerHost:   parallel,
		IdleConnTimeout:       90 * time.Second,
	},
}

// signer signs as S3 wants: the path escaped once, as sent.
var signer = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })

// awsConfig is what the GETs read from the environment, once, in New:
// Lambda's environment does not change while a sandbox lives.
type awsConfig struct {
	bucket string
	region string
	creds  aws.Credentials
	// base is what a key is appended to: "<endpoint>/<bucket>/" or
	// "https://<bucket>.s3.<region>.<dns>/".
	base string
}

func awsEnv(getenv func(string) string, bucket string) (*awsConfig, error) {
	c := &awsConfig{bucket: bucket, region: getenv("AWS_REGION")}
	if c.region == "" {
		c.region = getenv("AWS_DEFAULT_REGION")
	}
	if c.region == "" {
		return nil, errors.New("no region: set AWS_REGION (Lambda does)")
	}
	for _, ch := range c.region {
		if !('a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '-') {
			return nil, fmt.Errorf("region %q is not a region name", c.region)
		}
	}
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" {
		id = getenv("AWS_ACCESS_KEY") // the SDK's older spellings
	}
	if secret == "" {
		secret = getenv("AWS_SECRET_KEY")
	}
	if id == "" || secret == "" {
		return nil, errors.New("no AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, which Lambda sets; " +
			`from a profile: eval "$(aws configure export-credentials --format env)")`)
	}
	c.creds = aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN"), Source: "environment"}

	if !strings.EqualFold(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		for _, name := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
			if endpoint := getenv(name); endpoint != "" {
				if !strings.HasPrefix(endpoint, "http://") && !strings.HasPrefix(endpoint, "https://") {
					return nil, fmt.Errorf("%s=%q is not an http(s) URL", name, endpoint)
				}
				c.base = strings.TrimSuffix(endpoint, "/") + "/" + bucket + "/"
				return c, nil
			}
		}
	}
	host := "s3"
	if strings.EqualFold(getenv("AWS_USE_FIPS_ENDPOINT"), "true") {
		host += "-fips"
	}
	if strings.EqualFold(getenv("AWS_USE_DUALSTACK_ENDPOINT"), "true") {
		host += ".dualstack"
	}
	host += "." + c.region + "." + partitionDNS(c.region)
	if strings.Contains(bucket, ".") {
		c.base = "https://" + host + "/" + bucket + "/"
	} else {
		c.base = "https://" + bucket + "." + host + "/"
	}
	return c, nil
}

// partitionDNS is the DNS suffix of a region's partition (the SDK's
// partitions.json, as lambda/keys has it).
func partitionDNS(region string) string {
	for _, p := range []struct{ prefix, dns string }{
		{"cn-", "amazonaws.com.cn"},
		{"eusc-", "amazonaws.eu"},
		{"us-iso-", "c2s.ic.gov"},
		{"us-isob-", "sc2s.sgov.gov"},
		{"eu-isoe-", "cloud.adc-e.uk"},
		{"us-isof-", "csp.hci.ic.gov"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.dns
		}
	}
	return "amazonaws.com"
}

// escapeKey escapes a key as S3 signs it: every byte but A-Z a-z 0-9 - _ . ~
// and the "/" between segments.
func escapeKey(key string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// object is a GET's answer.
type object struct {
	body []byte
	etag string
}

// get GETs key with the conditional header cond ("If-None-Match" or
// "If-Match") set to etag, when etag is not "". A 304 is
// tenant.ErrUnchanged; an answer over max bytes is refused.
func (c *awsConfig) get(ctx context.Context, key, cond, etag string, max int64) (object, error) {
	where := "s3://" + c.bucket + "/" + key
	for attempt := 1; ; attempt++ {
		obj, again, err := c.getOnce(ctx, where, key, cond, etag, max)
		if err == nil || errors.Is(err, tenant.ErrUnchanged) {
			return obj, err
		}
		if ctx.Err() != nil {
			if !errors.Is(err, ctx.Err()) {
				// The deadline may surface as the transport's own error:
				// callers test it with errors.Is.
				err = fmt.Errorf("%w (%w)", err, ctx.Err())
			}
			return object{}, err
		}
		if !again || attempt == attempts {
			return object{}, err
		}
		// The SDK's backoff, shortened to fit the Store's timeout: a random
		// wait up to 50 ms, then up to 100 ms.
		wait := time.Duration(rand.Int64N(int64(25*time.Millisecond) << attempt))
		select {
		case <-ctx.Done():
			return object{}, fmt.Errorf("%w (%w)", err, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// getOnce makes one GET; again says whether another attempt may succeed.
func (c *awsConfig) getOnce(ctx context.Context, where, key, cond, etag string, max int64) (obj object, again bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+escapeKey(key), nil)
	if err != nil {
		return object{}, false, fmt.Errorf("tenants3: %s: %w", where, err)
	}
	if etag != "" {
		req.Header.Set(cond, etag)
	}
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	if err := signer.SignHTTP(ctx, c.creds, req, emptySHA256, "s3", c.region, time.Now()); err != nil {
		return object{}, false, fmt.Errorf("tenants3: %s: signing: %w", where, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error names the URL, which holds no credential. A
		// connection refused or reset may not be next time.
		return object{}, true, fmt.Errorf("tenants3: %s: %w", where, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return object{}, false, tenant.ErrUnchanged
	case http.StatusOK:
	default:
		api := apiError(where, resp)
		return object{}, api.retryable(), api
	}
	if resp.ContentLength > max {
		return object{}, false, fmt.Errorf("tenants3: %s: %d bytes, more than the %d it may have", where, resp.ContentLength, max)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	switch {
	case err != nil:
		return object{}, false, fmt.Errorf("tenants3: %s: reading: %w", where, err)
	case int64(len(body)) > max:
		return object{}, false, fmt.Errorf("tenants3: %s: more than the %d bytes it may have", where, max)
	}
	return object{body: body, etag: resp.Header.Get("ETag")}, false, nil
}

// apiError reads S3's XML error answer: its code and message, never the
// rest (a SignatureDoesNotMatch answer echoes the request it signed).
func apiError(where string, resp *http.Response) *APIError {
	var doc struct {
		Code    string
		Message string
	}
	_ = xml.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&doc)
	msg := doc.Message
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return &APIError{URL: where, StatusCode: resp.StatusCode, Code: doc.Code, Message: msg}
}

// retryable reports whether a later attempt may succeed: throttling and
// server errors, as the SDK's standard retryer says.
func (e *APIError) retryable() bool {
	switch e.Code {
	case "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "RequestTimeoutException", "InternalError":
		return true
	}
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}
