package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// secretTimeout bounds one read of the configuration secret, loading the
// AWS configuration and every retry included, as the keys package bounds
// the keyring's. A variable for tests that must not depend on the
// machine's load.
var secretTimeout = 2 * time.Second

// readSecret returns the secret's value. Endpoint, region and credentials
// come from the SDK's usual sources (AWS_ENDPOINT_URL_SECRETS_MANAGER in
// tests). Its errors never hold the value.
func readSecret(ctx context.Context, id string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return "", secretError(ctx, id, timeout, "loading the AWS configuration", err)
	}
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
	if err != nil {
		return "", secretError(ctx, id, timeout, "reading the secret", err)
	}
	switch {
	case out.SecretString != nil && *out.SecretString != "":
		return *out.SecretString, nil
	case len(out.SecretBinary) > 0:
		return string(out.SecretBinary), nil
	}
	return "", fmt.Errorf("%s: secret %s has no value", EnvConfigSecret, id)
}

// apiError is what every AWS error response satisfies (smithy.APIError).
type apiError interface {
	error
	ErrorCode() string
}

// secretError says what failed. As in the keys package, it keeps the chain
// of AWS error responses and of timeouts only: other SDK errors may hold a
// snapshot of the response body, which is the secret.
func secretError(ctx context.Context, id string, timeout time.Duration, doing string, err error) error {
	var api apiError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: secret %s: timed out after %s while %s: %w", EnvConfigSecret, id, timeout, doing, context.DeadlineExceeded)
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return fmt.Errorf("%s: secret %s: canceled while %s: %w", EnvConfigSecret, id, doing, context.Canceled)
	case errors.As(err, &api):
		return fmt.Errorf("%s: secret %s: %s failed (%s; check the name, the region and secretsmanager:GetSecretValue for the page's role): %w",
			EnvConfigSecret, id, doing, api.ErrorCode(), err)
	}
	return fmt.Errorf("%s: secret %s: %s failed: %v", EnvConfigSecret, id, doing, err)
}
