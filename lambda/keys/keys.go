// Package keys decides where the link-signing keyring comes from: AWS Secrets
// Manager in production, an environment variable for local use, and a public
// development keyring only outside Lambda.
//
// Load runs once at cold start; the caller caches what it returns. Its errors
// say what is wrong and never contain key material or a secret's value, so
// they can be logged as they are.
package keys

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cogmail/cogmail/lambda/link"
)

// Names of the environment variables Load reads.
const (
	// EnvSecretARN names the Secrets Manager secret holding the keyring. It
	// wins over EnvSigningKeys so that a deployed function always uses the
	// managed secret, even if a stray local variable is left in its config.
	EnvSecretARN = "COGMAIL_KEYS_SECRET_ARN"
	// EnvSigningKeys holds the keyring JSON itself, for local use where no
	// Secrets Manager is at hand.
	EnvSigningKeys = "COGMAIL_SIGNING_KEYS"
)

// Source says where a keyring came from, so the caller can log it (and warn
// about SourceDevelopment).
type Source string

// The sources Load reports. On error Load reports the source it tried, so a
// log line says which configuration is broken.
const (
	SourceSecretsManager Source = "secretsmanager"
	SourceEnv            Source = "env"
	SourceDevelopment    Source = "development"
	SourceNone           Source = "none"
)

// DefaultTimeout bounds the Secrets Manager fetch when Options.Timeout is
// zero. It is short because the fetch happens inside Cognito's trigger budget
// of about 5 seconds, on a cold start.
const DefaultTimeout = 2 * time.Second

// Options adjusts Load; the zero value is what production uses.
type Options struct {
	// Getenv reads the COGMAIL_* and AWS_LAMBDA_* variables; nil means
	// os.Getenv. It lets tests run without touching the process environment.
	// The AWS SDK still reads its own variables (credentials, region,
	// AWS_ENDPOINT_URL_SECRETS_MANAGER…) from the process environment.
	Getenv func(string) string
	// Timeout bounds the whole Secrets Manager fetch, loading the AWS
	// configuration and every retry included; 0 or less means DefaultTimeout.
	Timeout time.Duration
}

func (o Options) getenv() func(string) string {
	if o.Getenv == nil {
		return os.Getenv
	}
	return o.Getenv
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

// ErrNoKeys is wrapped by Load's error when it runs inside Lambda with no
// keyring configured: there the development keyring would let anyone forge
// links, so Load refuses rather than falls back.
var ErrNoKeys = errors.New("keys: no signing keyring configured")

// Load returns the signing keyring and where it came from, trying in order:
//
//  1. EnvSecretARN set: the keyring JSON in that Secrets Manager secret
//     (SecretString, or SecretBinary when the secret is binary);
//  2. EnvSigningKeys set: the keyring JSON in that variable;
//  3. outside Lambda: Development(), with a nil error (the caller warns);
//  4. inside Lambda: an error wrapping ErrNoKeys.
//
// A configured source that fails is an error; Load never falls through to the
// next one, since that would hide a broken configuration. A variable holding
// only spaces counts as unset. When the fetch runs out of time the error
// wraps context.DeadlineExceeded.
func Load(ctx context.Context, opt Options) (*link.Keyring, Source, error) {
	getenv := opt.getenv()
	if arn := strings.TrimSpace(getenv(EnvSecretARN)); arn != "" {
		ring, err := fromSecretsManager(ctx, arn, opt.timeout())
		if err != nil {
			return nil, SourceSecretsManager, err
		}
		return ring, SourceSecretsManager, nil
	}
	if js := getenv(EnvSigningKeys); strings.TrimSpace(js) != "" {
		ring, err := link.ParseKeyring([]byte(js))
		if err != nil {
			return nil, SourceEnv, fmt.Errorf("keys: %s: %w", EnvSigningKeys, err)
		}
		return ring, SourceEnv, nil
	}
	if InLambda(getenv) {
		return nil, SourceNone, fmt.Errorf("%w: set %s (or %s); inside Lambda the development keyring is never used",
			ErrNoKeys, EnvSecretARN, EnvSigningKeys)
	}
	ring, err := development()
	if err != nil {
		return nil, SourceDevelopment, err
	}
	return ring, SourceDevelopment, nil
}

// development parses DevelopmentJSON once; the ring is never modified, so
// every caller can share it.
var development = sync.OnceValues(func() (*link.Keyring, error) {
	ring, err := link.ParseKeyring([]byte(DevelopmentJSON))
	if err != nil {
		return nil, fmt.Errorf("keys: built-in development keyring: %w", err)
	}
	return ring, nil
})

// Development returns the public development keyring. It does not panic: the
// keyring is a constant that the package's tests prove parses, so it never
// returns nil in practice.
func Development() *link.Keyring {
	ring, _ := development()
	return ring
}

// InLambda reports whether the process runs in AWS Lambda, where the Lambda
// runtime always sets AWS_LAMBDA_FUNCTION_NAME and AWS_LAMBDA_RUNTIME_API.
// Either is enough, so that a partly emulated environment still counts as
// Lambda and never gets the development keyring. A nil getenv means os.Getenv.
func InLambda(getenv func(string) string) bool {
	if getenv == nil {
		getenv = os.Getenv
	}
	return getenv("AWS_LAMBDA_FUNCTION_NAME") != "" || getenv("AWS_LAMBDA_RUNTIME_API") != ""
}
