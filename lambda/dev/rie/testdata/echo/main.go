// Command echo is the smallest Lambda function: it answers every event with
// the event itself. The rie tests drive it through the emulator, so they test
// the emulator plumbing without depending on cogmail's own handler.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, e json.RawMessage) (json.RawMessage, error) { return e, nil })
}
