// Package rie runs a Lambda function locally the way Lambda runs it: through
// the AWS Lambda Runtime Interface Emulator (aws-lambda-rie), which serves the
// Runtime API to the function's bootstrap and turns an HTTP POST into an
// invocation. Running the built bootstrap this way, rather than calling the
// handler in-process, exercises the same binary, build tags and Runtime API
// loop that Lambda will.
//
// Measured on emulator v0.0.0-20261030222936-bef5c4ba774d:
//   - it accepts connections ~30 ms after it starts, but it starts the
//     function only on the first invocation, so that one pays the cold start;
//   - it never checks the bootstrap until that first invocation, and then
//     answers 502 with an empty body, the reason only in its log;
//   - a function that returns an error is answered 200 with Lambda's error
//     document ({"errorMessage":…,"errorType":…}): the emulator drops the
//     X-Amz-Function-Error header Lambda would set; a function that panics is
//     answered 502 with that document, one that exits mid-invocation 502 with
//     a Runtime.ExitError document, and one that dies before asking for its
//     first event an empty 502, the reason again only in the log;
//   - it forwards its whole environment to the function and adds the
//     AWS_LAMBDA_* variables (function name "test_function"), but not
//     AWS_REGION, AWS_DEFAULT_REGION or TZ, which Lambda always sets: see
//     WithLambdaDefaults;
//   - it starts the function in a process group of its own and does not stop
//     it when it is itself killed: see Stop.
package rie

import (
	"io"
	"net/http"
	"os/exec"
	"sync"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/patience"
)

// BinaryName is the emulator's executable, as `make tools` installs it into
// <module root>/.bin.
const BinaryName = "aws-lambda-rie"

const (
	// startTimeout bounds the wait for the emulator to listen; it normally
	// takes tens of milliseconds, so reaching this means something is wrong.
	startTimeout = patience.Slowdown * time.Second
	// stopTimeout bounds the wait for the emulator's processes to vanish
	// after SIGKILL.
	stopTimeout = patience.Slowdown * 500 * time.Millisecond
	// maxResponse is above Lambda's 6 MB synchronous response limit, so a
	// response Lambda would accept is never cut short.
	maxResponse = 16 << 20
	// invocationPath is the only route the emulator serves: the function name
	// in it must be "function".
	invocationPath = "/2015-03-31/functions/function/invocations"
)

// Options configures Start.
type Options struct {
	// Emulator is the aws-lambda-rie binary (see Find).
	Emulator string
	// Bootstrap is the function binary, built for Linux with
	// `-tags lambda.norpc`. The function runs in its directory, as Lambda
	// runs it in /var/task where its package is unpacked.
	Bootstrap string
	// Env is the emulator's environment, which it forwards whole to the
	// function; nil means this process's environment, as for exec.Cmd. Later
	// entries win. See WithLambdaDefaults.
	Env []string
	// Stderr receives the emulator's log and the function's stdout and
	// stderr; nil discards them. They are also kept, in part, for errors.
	Stderr io.Writer
}

// Emulator is a running aws-lambda-rie with one function. Its methods may be
// called from several goroutines; invocations are made one at a time, as the
// emulator accepts only one at a time.
type Emulator struct {
	// URL is the invocation endpoint.
	URL string
	// RuntimeAPI is the address the function reaches the Runtime API at.
	RuntimeAPI string

	cmd    *exec.Cmd
	log    *logTail
	exited chan struct{} // closed once the emulator has exited and been reaped
	client *http.Client

	invokeMu sync.Mutex
	stopOnce sync.Once
	stopErr  error
}
