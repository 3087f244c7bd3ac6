// Command bootstrap is the Lambda function: the handler, set up once at cold
// start, served through the Lambda runtime API.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cogmail/cogmail/lambda/handler"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(logger)
	lambda.Start(handler.Setup(context.Background(), os.Getenv, logger))
}
