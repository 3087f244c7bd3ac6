// Command coldstart measures cogmail's cold start against the smallest Go
// Lambda function, in one run, alternating: each sample starts the Lambda
// Runtime Interface Emulator with a function and waits for its first answer
// (the emulator starts the function on the first invocation, so that answer
// pays the whole cold start). cogmail answers events/forgot-password.json;
// the echo function (lambda/dev/rie/testdata/echo, built with the same
// flags) answers the same event with itself. It prints both medians and
// their ratio, then cogmail's package init as GODEBUG=inittrace=1 reports it.
//
// `make coldstart` builds both functions and runs it; BENCHMARKS.md keeps
// the figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}

// errUsage is returned for bad command-line arguments, already reported.
var errUsage = errors.New("usage")

// run is the whole command, apart from signals and exit codes.
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("coldstart", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var o options
	flags.StringVar(&o.bootstrap, "bootstrap", "build/local/bootstrap", "cogmail's function `binary` (make build-local)")
	flags.StringVar(&o.echo, "echo", "build/local/echo", "the echo function's `binary`, built with the same flags")
	flags.StringVar(&o.event, "event", "events/forgot-password.json", "the Cognito event `file` both functions answer")
	flags.IntVar(&o.runs, "runs", 20, "cold starts of `each` function, alternating")
	flags.StringVar(&o.answer, "answer", answerRendered, "what cogmail's first answer must be: `rendered` (the email with its link) or event (the event back, as the notifier answers Post confirmation)")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: coldstart [-bootstrap PATH] [-echo PATH] [-event FILE] [-runs N] [-answer rendered|event]")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return errUsage
	}
	if flags.NArg() > 0 || o.runs < 1 || o.answer != answerRendered && o.answer != answerEvent {
		flags.Usage()
		return errUsage
	}
	return measure(ctx, o, environ, stdout)
}

type options struct {
	bootstrap, echo, event string
	runs                   int
	answer                 string
}

// The answers -answer accepts.
const (
	answerRendered = "rendered"
	answerEvent    = "event"
)
