// Command rotate is the Secrets Manager rotation function of the signing
// keyring (lambda/rotation): each rotation adds a key, promotes one added
// at least keys.DefaultOverlap ago and retires the keys no live link needs.
// Its client reads the AWS configuration as any SDK client does; unlike the
// functions on Cognito's path, its cold start costs nobody a wait.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/cogmail/cogmail/lambda/internal/logging"
	"github.com/cogmail/cogmail/lambda/rotation"
)

func main() {
	logger := logging.New(os.Getenv)
	slog.SetDefault(logger)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("the AWS configuration failed to load; no rotation can run", "error", err.Error())
		os.Exit(1)
	}
	r := &rotation.Rotator{Client: secretsmanager.NewFromConfig(cfg), Logger: logger}
	lambda.Start(r.Handle)
}
