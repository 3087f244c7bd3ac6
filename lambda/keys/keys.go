// Package keys decides where the link-signing keyring comes from: AWS Secrets
// Manager in production, an environment variable for local use, and a public
// development keyring only outside Lambda. The development key is refused
// inside Lambda and from Secrets Manager, whatever id it is given.
//
// Load runs once at cold start; the caller caches what it returns. Its errors
// say what is wrong and never contain key material or a secret's value, so
// they can be logged as they are.
package keys

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
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
	// Getenv reads the COGMAIL_* and AWS_LAMBDA_* variables; nil means the
	// process environment (os.LookupEnv). It lets tests run without touching
	// the process environment; pass Getenv (this package's) rather than
	// os.Getenv, so that a variable set to "" is refused, not ignored.
	// The Secrets Manager call still reads the AWS variables (credentials,
	// region, AWS_ENDPOINT_URL_SECRETS_MANAGER…) from the process
	// environment, as the AWS SDK would (secretsmanager.go).
	Getenv func(string) string
	// Timeout bounds the whole Secrets Manager fetch, loading the AWS
	// configuration and every retry included; 0 or less means DefaultTimeout.
	Timeout time.Duration
}

// lookup reads a variable and whether it is set. Through a Getenv, an empty
// value cannot be told from an unset one (Getenv, the function of this
// package, shows it as a blank); without one, the process environment can.
func (o Options) lookup() func(string) (string, bool) {
	if o.Getenv == nil {
		return os.LookupEnv
	}
	return func(name string) (string, bool) {
		v := o.Getenv(name)
		return v, v != ""
	}
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

// ErrBlank is wrapped by Load's error when a keyring variable is set but
// blank: a failed $(…) or an empty deployment parameter, which must never
// read as "unset" and fall back to the public development keyring.
var ErrBlank = errors.New("keys: set but blank")

// Load returns the signing keyring and where it came from, trying in order:
//
//  1. EnvSecretARN set: the keyring JSON in that Secrets Manager secret
//     (SecretString, or SecretBinary when the secret is binary);
//  2. EnvSigningKeys set: the keyring JSON in that variable;
//  3. outside Lambda: Development(), with a nil error (the caller warns);
//  4. inside Lambda: an error wrapping ErrNoKeys.
//
// A configured source that fails is an error; Load never falls through to the
// next one, since that would hide a broken configuration. A variable set to
// nothing or only spaces is such a failure (ErrBlank), not an unset one. The
// public development key, by its id or its bytes, is refused
// (ErrDevelopmentKey) from Secrets Manager, a production source wherever it
// is read, and from anywhere inside Lambda. When the fetch runs out of time
// the error wraps context.DeadlineExceeded.
func Load(ctx context.Context, opt Options) (*link.Keyring, Source, error) {
	lookup := opt.lookup()
	inLambda := InLambda(func(name string) string { v, _ := lookup(name); return v })
	if arn, set := lookup(EnvSecretARN); set {
		arn = strings.TrimSpace(arn)
		if arn == "" {
			return nil, SourceSecretsManager, fmt.Errorf("%w: %s; unset it, or name the secret", ErrBlank, EnvSecretARN)
		}
		ring, err := fromSecretsManager(ctx, arn, opt.timeout())
		if err != nil {
			return nil, SourceSecretsManager, err
		}
		if err := RefuseDevelopment(ring); err != nil {
			return nil, SourceSecretsManager, fmt.Errorf("keys: secret %s: %w", arn, err)
		}
		return ring, SourceSecretsManager, nil
	}
	if js, set := lookup(EnvSigningKeys); set {
		if strings.TrimSpace(js) == "" {
			return nil, SourceEnv, fmt.Errorf("%w: %s; unset it, or give it a keyring", ErrBlank, EnvSigningKeys)
		}
		ring, err := link.ParseKeyring([]byte(js))
		if err != nil {
			return nil, SourceEnv, fmt.Errorf("keys: %s: %w", EnvSigningKeys, err)
		}
		if inLambda {
			if err := RefuseDevelopment(ring); err != nil {
				return nil, SourceEnv, fmt.Errorf("keys: %s, inside Lambda: %w", EnvSigningKeys, err)
			}
		}
		return ring, SourceEnv, nil
	}
	if inLambda {
		return nil, SourceNone, fmt.Errorf("%w: set %s (or %s); inside Lambda the development keyring is never used",
			ErrNoKeys, EnvSecretARN, EnvSigningKeys)
	}
	ring, err := development()
	if err != nil {
		return nil, SourceDevelopment, err
	}
	return ring, SourceDevelopment, nil
}

// Getenv is os.Getenv for callers that hand a getenv function down to Load
// (handler.Setup, page.LoadConfig): it reads a keyring variable that is set
// but empty as a blank, " ", which Load refuses, where os.Getenv would make
// it look unset.
func Getenv(name string) string {
	v, set := os.LookupEnv(name)
	if set && v == "" && (name == EnvSecretARN || name == EnvSigningKeys) {
		return " "
	}
	return v
}

// Random returns the JSON of a fresh keyring holding one key of 32 bytes
// from crypto/rand, for a local run under the emulator (make invoke, the
// local stack), where the function counts as inside Lambda and refuses the
// development keyring. Its id names no run in particular.
func Random() string {
	key := make([]byte, link.MinKeyBytes)
	_, _ = rand.Read(key) // never fails: crypto/rand crashes the program instead
	id := make([]byte, 4)
	_, _ = rand.Read(id)
	kid := "local-" + hex.EncodeToString(id)
	return fmt.Sprintf(`{"current":%q,"keys":{%q:%q}}`, kid, kid, base64.StdEncoding.EncodeToString(key))
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
