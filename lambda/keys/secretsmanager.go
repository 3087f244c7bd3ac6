package keys

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/cogmail/cogmail/lambda/link"
)

// fromSecretsManager fetches the keyring JSON from the secret arn, spending at
// most timeout on it. Endpoint, region and credentials come from the SDK's
// usual sources, so tests point it at a fake with AWS_ENDPOINT_URL_SECRETS_MANAGER
// and need no hook here.
func fromSecretsManager(ctx context.Context, arn string, timeout time.Duration) (*link.Keyring, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fetchError(ctx, arn, timeout, "loading the AWS configuration", err)
	}
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &arn})
	if err != nil {
		return nil, fetchError(ctx, arn, timeout, "reading the secret", err)
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

// apiError is what every AWS error response satisfies (smithy.APIError); a
// local interface keeps the package's imports to the SDK modules it uses.
type apiError interface {
	error
	ErrorCode() string
}

// fetchError turns an SDK error into one that says what to fix. It wraps the
// SDK error only when it is an AWS error response, and wraps the bare context
// error on timeout or cancellation: other SDK errors can carry the raw
// response body (a failed deserialization keeps a snapshot of it, and a
// successful response body is the secret), so only their text is kept.
func fetchError(ctx context.Context, arn string, timeout time.Duration, doing string, err error) error {
	// The deadline may surface as the SDK's own error or only as ctx.Err()
	// (for instance while the retryer waits between attempts); either way
	// callers must be able to test it with errors.Is.
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("keys: secret %s: timed out after %s while %s (%v): %w", arn, timeout, doing, err, context.DeadlineExceeded)
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return fmt.Errorf("keys: secret %s: canceled while %s (%v): %w", arn, doing, err, context.Canceled)
	}

	var notFound *types.ResourceNotFoundException
	var decrypt *types.DecryptionFailure
	var invalid *types.InvalidRequestException
	var api apiError
	switch {
	case errors.As(err, &notFound):
		return fmt.Errorf("keys: secret %s not found (check %s, the region and the account): %w", arn, EnvSecretARN, err)
	case errors.As(err, &decrypt):
		return fmt.Errorf("keys: secret %s cannot be decrypted (check kms:Decrypt on its KMS key for the function's role): %w", arn, err)
	case errors.As(err, &invalid):
		return fmt.Errorf("keys: secret %s cannot be read now (is it scheduled for deletion?): %w", arn, err)
	case errors.As(err, &api):
		switch api.ErrorCode() {
		case "AccessDeniedException", "AccessDenied":
			return fmt.Errorf("keys: secret %s: access denied (check secretsmanager:GetSecretValue on it for the function's role): %w", arn, err)
		case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException":
			return fmt.Errorf("keys: secret %s: AWS rejected the credentials: %w", arn, err)
		}
		return fmt.Errorf("keys: secret %s: %s failed: %w", arn, doing, err)
	}
	// Not an AWS error response: keep the text, drop the chain (see above).
	return fmt.Errorf("keys: secret %s: %s failed: %v", arn, doing, err)
}
