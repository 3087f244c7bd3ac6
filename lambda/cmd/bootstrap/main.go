// Command bootstrap is the Lambda function: the handler, set up once at cold
// start, served through the Lambda runtime API.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/internal/logging"
	"github.com/cogmail/cogmail/lambda/keys"
)

func main() {
	logger := logging.New(os.Getenv)
	slog.SetDefault(logger)
	// keys.Getenv tells a keyring variable set blank from an unset one: a
	// blank one is a broken deployment, said so at cold start.
	lambda.Start(handler.Setup(context.Background(), keys.Getenv, logger))
}
