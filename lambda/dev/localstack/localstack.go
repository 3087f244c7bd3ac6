// Package localstack runs cogmail's local stack on 127.0.0.1: the function
// under the Lambda Runtime Interface Emulator, cognito-local calling it as
// its Custom Message trigger and writing every message to a mailbox file,
// and the page server the emails link to. With a notifier it also runs
// moto_server (SES v2, DynamoDB, SQS) and the notifier under a second
// emulator, cognito-local's Post confirmation trigger; a local Lambda Invoke
// API (package lambdaapi) routes the functions, and what moto's SES
// accepts joins the mailbox. In the Custom Email Sender mode
// (ModeCustomEmailSender) the sender replaces the function: cognito-local
// encrypts each code under a KMS key in moto_server and hands it to the
// sender asynchronously, which sends through moto's SES. Start seeds a user
// pool with users and describes the whole in <state>/stack.json for tests
// and people.
package localstack

import (
	"context"
	"errors"
	"fmt"
	procfs "github.com/cogmail/cogmail/lambda/dev/proc"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// DefaultState is the state folder, under the module root.
const DefaultState = "build/local"

// Where the start script and its packages live, under the module root.
const (
	startScript = "infra/local/cognito-local.js"
	nodeModule  = "infra/local/node_modules/cognito-local"
)

const (
	// signInPath is the page config's signInUrl, on the page server: there
	// is no application to sign in to locally, so the page server serves a
	// sign-in page of its own (page.SignInPath) when its Cognito is local.
	signInPath = "/signin"
	// startTimeout bounds a start that takes up to 8 s on an idle machine
	// (moto_server and cognito-local are interpreted, and start beside two
	// or three emulators), on a machine that may be ten times slower.
	startTimeout = patience.Slowdown * 8 * time.Second
)

// Options configures Start.
type Options struct {
	// Root is the module root; empty means the one above the working
	// directory.
	Root string
	// Mode is how cognito-local hands over its emails; empty means
	// ModeCustomMessage.
	Mode Mode
	// Bootstrap is the function, built with -tags lambda.norpc: the Custom
	// Message trigger. The Custom Email Sender mode runs none, and ignores
	// it.
	Bootstrap string
	// Sender is the Custom Email Sender function (lambda/cmd/sender), built
	// with -tags lambda.norpc: required in ModeCustomEmailSender, ignored
	// otherwise. It needs moto_server on PATH.
	Sender string
	// Page is the page server binary (lambda/dev/cmd/page); empty runs none, and
	// the emails' links lead nowhere.
	Page string
	// State is the folder for the stack's files; empty means
	// <Root>/build/local. Start replaces only what it writes there.
	State string
	// Output receives the processes' output, each line prefixed with its
	// process's name; nil discards it. A detached stack writes to
	// <State>/logs/ instead.
	Output io.Writer
	// Detach leaves the processes running when this process exits, records
	// their pids in stack.json for StopDetached, and sends their output to
	// log files.
	Detach bool
	// Emulator is the aws-lambda-rie binary; empty means rie.Find.
	Emulator string
	// Node is the node binary; empty means the one on PATH.
	Node string
	// Notifier is the notifier function (lambda/cmd/notifier), built with
	// -tags lambda.norpc; empty runs none, and then neither moto_server.
	// With one, moto_server must be on PATH.
	Notifier string
	// Serve is the command a detached stack runs the Lambda API and the SES
	// mail collection in (see ServeConfig), given "-config PATH" after it:
	// `localstack serve`. Required with Detach.
	Serve []string
	// RetryDelays are the Lambda API's waits before retrying a failed
	// asynchronous invocation; nil means lambdaapi.DefaultRetryDelays.
	RetryDelays []time.Duration
}

// Stack is a running local stack.
type Stack struct {
	Info
	// Ring is Info.SigningKeys, parsed: what the stack's links verify with.
	Ring *link.Keyring

	// emus are the attached stack's emulators, in the order they started.
	emus []*rie.Emulator
	// files are the attached functions' log files.
	files    []*os.File
	serving  *serving
	procs    []*proc
	stopOnce sync.Once
	stopErr  error
}

// Start starts and seeds the stack; ctx bounds the start only. On failure
// every process already started is stopped again.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	began := time.Now()
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	if err := refuseRunning(o.State); err != nil {
		return nil, err
	}
	if err := cleanState(o.State); err != nil {
		return nil, err
	}
	ports, err := rie.FreePorts(10)
	if err != nil {
		return nil, err
	}
	s := &Stack{Info: Info{
		StartedAt: began.UTC(),
		Mode:      o.Mode,
		State:     o.State,
		Region:    Region,
		Cognito:   Cognito{Endpoint: "http://" + loopback(ports[0]), Port: ports[0]},
		Page:      Page{URL: "http://" + loopback(ports[1]), Port: ports[1]},
		Lambda:    LambdaAPI{Endpoint: "http://" + loopback(ports[2]), Port: ports[2]},
		Overlay:   filepath.Join(o.State, "overlay"),
		Mailbox:   Mailbox(filepath.Join(o.State, "mailbox.jsonl")),
	}}
	if o.Notifier != "" || o.Sender != "" {
		s.Moto = Moto{Endpoint: "http://" + loopback(ports[3]), Port: ports[3]}
	}
	s.Links = pageLinks(s.Page.URL)
	// A keyring of this stack's own: the emulator's function refuses the
	// public development one, as a deployed function does.
	s.SigningKeys = keys.Random()
	if s.Ring, err = s.Keyring(); err != nil {
		return nil, fmt.Errorf("localstack: the stack's keyring: %w", err)
	}
	if o.Detach {
		s.Logs = filepath.Join(o.State, "logs")
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if err := s.start(ctx, o, ports[4:]); err != nil {
		if stopErr := s.Stop(); stopErr != nil {
			err = errors.Join(err, stopErr)
		}
		return nil, fmt.Errorf("localstack: %w", err)
	}
	return s, nil
}

// start starts the processes in the order they need each other: moto_server
// (and what the functions need in it, the KMS key included) and the
// function first, cognito-local (which the Lambda API's port is already
// given to), the seed, then the notifier and the sender (whose environments
// name the seeded pool), the Lambda API that routes to them, and the page.
func (s *Stack) start(ctx context.Context, o Options, emulatorPorts []int) error {
	if err := writeOverlay(s.Overlay, s.Links); err != nil {
		return fmt.Errorf("write the tenant overlay: %w", err)
	}
	if s.Logs != "" {
		if err := os.MkdirAll(s.Logs, 0o755); err != nil {
			return err
		}
	}
	if s.Moto.Endpoint != "" {
		if err := s.startMoto(ctx, o); err != nil {
			return err
		}
		if err := s.provision(ctx, o); err != nil {
			return fmt.Errorf("provision moto_server: %w", err)
		}
	}
	if o.Bootstrap != "" {
		if err := s.startEmulator(ctx, o, emulatorPorts[:2]); err != nil {
			return err
		}
	}
	if err := s.startCognito(ctx, o); err != nil {
		return err
	}
	if err := seed(ctx, s.Client(), &s.Info); err != nil {
		return fmt.Errorf("seed cognito-local: %w", err)
	}
	if o.Notifier != "" {
		if err := s.startNotifier(ctx, o, emulatorPorts[2:4]); err != nil {
			return err
		}
	}
	if o.Sender != "" {
		if err := s.startSender(ctx, o, emulatorPorts[4:6]); err != nil {
			return err
		}
	}
	if err := s.serve(ctx, o); err != nil {
		return err
	}
	if o.Page != "" {
		if err := s.startPage(ctx, o); err != nil {
			return err
		}
	}
	if o.Detach {
		for _, p := range s.procs {
			st, _ := procfs.ReadStat(p.cmd.Process.Pid)
			s.Processes = append(s.Processes, Process{Name: p.name, PID: p.cmd.Process.Pid, Start: st.Start})
		}
	}
	return writeInfo(&s.Info)
}

// Stop kills every process the stack started, detached or not, and returns
// once none is left. It is safe to call more than once.
func (s *Stack) Stop() error {
	s.stopOnce.Do(func() {
		var errs []error
		if s.serving != nil {
			errs = append(errs, s.serving.stop())
		}
		for i := len(s.procs) - 1; i >= 0; i-- {
			errs = append(errs, s.procs[i].stop())
		}
		for i := len(s.emus) - 1; i >= 0; i-- {
			errs = append(errs, s.emus[i].Stop())
		}
		for _, f := range s.files {
			errs = append(errs, f.Close())
		}
		// stack.json would describe a stack that is gone.
		if err := os.Remove(filepath.Join(s.State, InfoFile)); !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

func (s *Stack) logFile(name string) string {
	if s.Logs == "" {
		return ""
	}
	return filepath.Join(s.Logs, name)
}
