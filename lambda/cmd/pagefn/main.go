// Command pagefn is the reference page in Lambda behind a Function URL
// (InvokeMode RESPONSE_STREAM, which the lambdaurl adapter requires). It
// reads the page's configuration JSON from the Secrets Manager secret
// COGMAIL_PAGE_CONFIG_SECRET names (see config.go), the keyring variables
// of package keys and COGMAIL_TEMPLATES_DIR. It registers an internal
// extension so that the work the page starts after an answer runs to its
// end (see after.go).
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cogmail/cogmail/lambda/internal/logging"
	"github.com/cogmail/cogmail/lambda/keys"
)

func main() {
	logger := logging.New(os.Getenv)
	slog.SetDefault(logger)
	a, err := registerAfterwork(environ, logger)
	if err != nil {
		logger.Error("page extension", "error", err.Error())
		os.Exit(1)
	}
	h, err := setup(context.Background(), environ, logger, time.Now, a.after)
	if err != nil {
		logger.Error("page configuration", "error", err.Error())
		os.Exit(1)
	}
	lambda.StartHandlerFunc(functionHandler(h, a, logger))
}

// environ reads the process environment as the function does: a keyring
// variable set to "" reads as blank, which keys.Load refuses, where
// os.Getenv would make it unset and, outside Lambda, the public
// development keyring.
func environ(name string) string { return keys.Getenv(name) }
