package main

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/cogmail/cogmail/lambda/dev/localstack"
)

// serve runs a detached stack's local Lambda API and SES mail collection
// until it is killed (local-down kills its session) or interrupted; `up`
// starts it, and nothing else should.
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	flags := flag.NewFlagSet("localstack serve", flag.ContinueOnError)
	flags.SetOutput(stderr)
	config := flags.String("config", "", "the stack's "+localstack.ServeFile+" (written by localstack up)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *config == "" {
		return errors.New("localstack serve: -config is required")
	}
	c, err := localstack.ReadServeConfig(*config)
	if err != nil {
		return err
	}
	return localstack.Serve(ctx, c, stderr)
}
