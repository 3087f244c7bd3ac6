// Package codes decrypts the codes Cognito's custom sender triggers send:
// base64 messages of the AWS Encryption SDK, encrypted under the user pool's
// KMS key.
//
// It is the one package that links the Encryption SDK, its material
// providers and the KMS client (some 220,000 lines of generated Go): only the
// sender function imports it (lambda/dev/layout keeps it so).
//
// Real Cognito encrypts with a suite without key commitment (message format
// 1), so the commitment policy is REQUIRE_ENCRYPT_ALLOW_DECRYPT: this package
// never encrypts, and it must read those. The keyring is a strict KMS keyring
// on the key's full ARN, so a message whose data key another key wrapped is
// never sent to KMS at all. When the message's encryption context names a
// user pool (real Cognito's does: userpool-id), it must be the event's.
//
// The SDK calls KMS with context.Background(). Each Decrypt therefore gets a
// KMS client of its own whose first middleware hands the caller's deadline
// and cancellation to the call, and which records what KMS answered, so that
// a failure can be told apart: KMS unreachable or refusing (try again) from a
// message that will never decrypt (drop it). The HTTP client's own timeouts
// bound every call besides.
package codes

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	mpl "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygenerated"
	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	esdk "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygenerated"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// ContextPool is the encryption context key in which Cognito names the user
// pool a code is for.
const ContextPool = "userpool-id"

// MaxCiphertext bounds the base64 text Decrypt reads: Cognito's codes are
// well under a kilobyte (a header, one or two data keys, a signature).
const MaxCiphertext = 16 << 10

// maxDataKeys bounds the encrypted data keys a message may hold (Cognito
// writes one, cognito-local two): each would be a KMS call.
const maxDataKeys = 4

// Timeouts of the KMS client (the SDK passes no deadline of its own). A
// KMS Decrypt takes milliseconds; these bound a KMS that does not answer.
const (
	dialTimeout     = time.Second
	headerTimeout   = 2 * time.Second
	requestTimeout  = 2 * time.Second
	retryAttempts   = 2
	retryMaxBackoff = 500 * time.Millisecond
)

// MaxKMSWait is the longest one KMS call of a Decrypt can take, retries
// included, when the caller's context has no earlier deadline. A message
// holds at most maxDataKeys data keys under the key, each one call.
const MaxKMSWait = retryAttempts*requestTimeout + (retryAttempts-1)*retryMaxBackoff

// Class says why a code did not decrypt, and so whether to try again.
type Class string

const (
	// ClassUnavailable: KMS did not answer, timed out, failed (5xx) or
	// throttled: a later attempt may pass.
	ClassUnavailable Class = "unavailable"
	// ClassRefused: KMS answered and refused (access denied, a disabled or
	// pending-deletion key): an operator can fix it, and a later attempt, or
	// the dead-letter queue's redrive, may pass.
	ClassRefused Class = "refused"
	// ClassInvalid: the message will never decrypt under this key: not
	// base64, not an Encryption SDK message, wrapped by another key, or
	// tampered with.
	ClassInvalid Class = "invalid"
	// ClassWrongPool: it decrypted, but its encryption context names another
	// user pool than the event's.
	ClassWrongPool Class = "wrong-pool"
)

// Error is a code that did not decrypt. Its text never holds the code, the
// ciphertext or KMS's messages: the class, and the KMS error code when KMS
// answered.
type Error struct {
	Class  Class
	Reason string // what failed, without data
	err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("decrypt: %s (%s, retryable %t)", e.Reason, e.Class, e.Retryable())
}

// Unwrap gives the underlying error; its text may be the SDK's, garbled.
func (e *Error) Unwrap() error { return e.err }

// Retryable reports whether the same code may decrypt later.
func (e *Error) Retryable() bool { return e.Class == ClassUnavailable || e.Class == ClassRefused }

// Retryable reports whether err, from Decrypt, may pass later.
func Retryable(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Retryable()
	}
	return err != nil
}

// Decrypter decrypts codes under one KMS key. It is safe for concurrent use.
type Decrypter struct {
	keyARN string
	kms    kms.Options
	esdk   *esdk.Client
	mpl    *mpl.Client
}

// KeyARN checks that s is a KMS key's full ARN, which a strict keyring
// needs: an alias ARN, an alias or a bare key id fail every Decrypt.
func KeyARN(s string) error {
	a, err := arn.Parse(s)
	switch {
	case err != nil:
		return errors.New("not an ARN: a KMS key's full ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) is needed")
	case a.Service != "kms":
		return errors.New("not a KMS ARN")
	case strings.HasPrefix(a.Resource, "alias/"):
		return errors.New("an alias ARN: the strict keyring needs the key's own ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)")
	case !strings.HasPrefix(a.Resource, "key/") || len(a.Resource) == len("key/"):
		return errors.New("not a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)")
	}
	return nil
}

// New returns a Decrypter for the key keyARN, calling KMS with a client made
// from cfg (its region, credentials and endpoint: AWS_ENDPOINT_URL_KMS),
// with HTTP timeouts and few, short retries. The KMS region is the key's.
func New(cfg aws.Config, keyARN string, optFns ...func(*kms.Options)) (*Decrypter, error) {
	if err := KeyARN(keyARN); err != nil {
		return nil, err
	}
	a, _ := arn.Parse(keyARN)
	client := kms.NewFromConfig(cfg, func(o *kms.Options) {
		o.Region = a.Region
		o.HTTPClient = HTTPClient()
		o.Retryer = retry.NewStandard(func(r *retry.StandardOptions) {
			r.MaxAttempts = retryAttempts
			r.MaxBackoff = retryMaxBackoff
		})
	}, func(o *kms.Options) { o.APIOptions = slices.Clip(o.APIOptions) })
	opts := client.Options()
	for _, fn := range optFns {
		fn(&opts)
	}
	policy := mpltypes.ESDKCommitmentPolicyRequireEncryptAllowDecrypt
	max := int64(maxDataKeys)
	e, err := esdk.NewClient(esdktypes.AwsEncryptionSdkConfig{CommitmentPolicy: &policy, MaxEncryptedDataKeys: &max})
	if err != nil {
		return nil, fmt.Errorf("encryption sdk: %w", err)
	}
	m, err := mpl.NewClient(mpltypes.MaterialProvidersConfig{})
	if err != nil {
		return nil, fmt.Errorf("material providers: %w", err)
	}
	return &Decrypter{keyARN: keyARN, kms: opts, esdk: e, mpl: m}, nil
}

// HTTPClient is the KMS client's: every connection, header and request
// bounded, because the SDK gives KMS calls no deadline.
func HTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().
		WithTimeout(requestTimeout).
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = dialTimeout }).
		WithTransportOptions(func(t *http.Transport) {
			t.TLSHandshakeTimeout = dialTimeout
			t.ResponseHeaderTimeout = headerTimeout
		})
}

// Decrypt decrypts the base64 ciphertext of a code for user pool pool. Its
// error is an *Error.
func (d *Decrypter) Decrypt(ctx context.Context, ciphertext, pool string) (string, error) {
	if len(ciphertext) > MaxCiphertext {
		return "", &Error{Class: ClassInvalid, Reason: "ciphertext too long"}
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(ciphertext))
	if err != nil || len(raw) == 0 {
		return "", &Error{Class: ClassInvalid, Reason: "ciphertext is not base64"}
	}
	if err := ctx.Err(); err != nil {
		return "", &Error{Class: ClassUnavailable, Reason: "no time left", err: err}
	}
	calls := &kmsCalls{}
	client := kms.New(d.kms, func(o *kms.Options) {
		o.APIOptions = append(o.APIOptions, calls.middleware(ctx))
	})
	keyring, err := d.mpl.CreateAwsKmsKeyring(ctx, mpltypes.CreateAwsKmsKeyringInput{KmsClient: client, KmsKeyId: d.keyARN})
	if err != nil {
		return "", &Error{Class: ClassInvalid, Reason: "keyring", err: err}
	}
	out, err := d.esdk.Decrypt(ctx, esdktypes.DecryptInput{Ciphertext: raw, Keyring: keyring})
	if err != nil {
		return "", calls.classify(err)
	}
	if want, ok := out.EncryptionContext[ContextPool]; ok && want != pool {
		return "", &Error{Class: ClassWrongPool, Reason: "the encryption context names another user pool"}
	}
	return string(out.Plaintext), nil
}

// kmsCalls records the errors of one Decrypt's KMS calls.
type kmsCalls struct {
	mu   sync.Mutex
	errs []error
}

// middleware is the KMS client's first step: the call runs under ctx's
// deadline and cancellation (the SDK passes context.Background()), keeping
// the values the client set, and its error is recorded.
func (c *kmsCalls) middleware(ctx context.Context) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("cogmailCallContext",
			func(sdkCtx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(callContext{Context: sdkCtx, call: ctx}, in)
				if err != nil {
					c.mu.Lock()
					c.errs = append(c.errs, err)
					c.mu.Unlock()
				}
				return out, md, err
			}), middleware.Before)
	}
}

// classify tells why a Decrypt failed from what KMS answered: nothing (the
// message never reached KMS: invalid), no answer or a server failure
// (unavailable), a refusal of the key (refused), or a refusal of the
// ciphertext (invalid).
func (c *kmsCalls) classify(err error) *Error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.errs) == 0 {
		return &Error{Class: ClassInvalid, Reason: "not a message this key decrypts", err: err}
	}
	worst := &Error{Class: ClassInvalid, Reason: "KMS refused the ciphertext", err: err}
	for _, kerr := range c.errs {
		class, code := kmsClass(kerr)
		e := &Error{Class: class, Reason: "KMS Decrypt: " + code, err: errors.Join(kerr, err)}
		switch {
		case class == ClassUnavailable:
			return e
		case class == ClassRefused:
			worst = e
		case worst.Class == ClassInvalid:
			worst.Reason = e.Reason
		}
	}
	return worst
}

// KMS error codes that condemn the ciphertext, not the key or the service.
var ciphertextCodes = map[string]bool{
	"InvalidCiphertextException": true, "IncorrectKeyException": true, "InvalidKeyUsageException": true,
	"ValidationException": true, "SerializationException": true,
}

var throttleCodes = map[string]bool{
	"ThrottlingException": true, "Throttling": true, "TooManyRequestsException": true,
	"LimitExceededException": true, "RequestLimitExceeded": true,
}

func kmsClass(err error) (Class, string) {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return ClassUnavailable, "no answer"
	}
	code := api.ErrorCode()
	var status interface{ HTTPStatusCode() int }
	switch {
	case throttleCodes[code], api.ErrorFault() == smithy.FaultServer,
		errors.As(err, &status) && status.HTTPStatusCode() >= 500:
		return ClassUnavailable, code
	case ciphertextCodes[code]:
		return ClassInvalid, code
	}
	return ClassRefused, code
}

// callContext carries the SDK's values and the caller's deadline and
// cancellation.
type callContext struct {
	context.Context // the SDK's: values
	call            context.Context
}

func (c callContext) Deadline() (time.Time, bool) { return c.call.Deadline() }
func (c callContext) Done() <-chan struct{}       { return c.call.Done() }
func (c callContext) Err() error                  { return c.call.Err() }
