// Command sender is the Custom Email Sender function: it sends every email
// of a user pool itself, the code decrypted with the AWS Encryption SDK
// (lambda/codes, linked by this binary only), rendered and sent by
// lambda/sender; set up once at cold start, served through the Lambda
// runtime API.
package main

import (
	"context"
	"log/slog"
	"os"
	// The users' time zones (their zoneinfo attribute) without the host's
	// database: Lambda's provided.al2023 runtime has none.
	_ "time/tzdata"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cogmail/cogmail/lambda/codes"
	"github.com/cogmail/cogmail/lambda/internal/logging"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/sender"
)

func main() {
	logger := logging.New(os.Getenv)
	slog.SetDefault(logger)
	decrypter := func(cfg aws.Config, keyARN string) (sender.Decrypter, error) { return codes.New(cfg, keyARN) }
	// keys.Getenv tells a keyring variable set blank from an unset one.
	lambda.Start(sender.Setup(context.Background(), keys.Getenv, logger, decrypter))
}
