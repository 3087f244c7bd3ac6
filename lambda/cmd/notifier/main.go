// Command notifier is the notifier function: it emails people when their
// password changed (lambda/notify), set up once at cold start, served
// through the Lambda runtime API.
package main

import (
	"context"
	"log/slog"
	"os"
	// The users' time zones (their zoneinfo attribute) without the host's
	// database: Lambda's provided.al2023 runtime has none.
	_ "time/tzdata"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cogmail/cogmail/lambda/internal/logging"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/notify"
)

func main() {
	logger := logging.New(os.Getenv)
	slog.SetDefault(logger)
	// keys.Getenv tells a keyring variable set blank from an unset one.
	lambda.Start(notify.Setup(context.Background(), keys.Getenv, logger))
}
