package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/rie"
)

// errUsage is returned for bad command-line arguments, already reported.
var errUsage = errors.New("usage")

// run is the whole command, apart from signals and exit codes.
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) (err error) {
	flags := flag.NewFlagSet("invoke", flag.ContinueOnError)
	flags.SetOutput(stderr)
	bootstrap := flags.String("bootstrap", "build/local/bootstrap", "the function `binary`, built with -tags lambda.norpc")
	eventFile := flags.String("event", "events/forgot-password.json", "the Cognito event `file` to invoke the function with")
	outDir := flags.String("out", "build/invoke", "the `directory` to write the rendered email to")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: invoke [-bootstrap PATH] [-event FILE] [-out DIR]")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return errUsage
	}
	if flags.NArg() > 0 {
		flags.Usage()
		return errUsage
	}

	event, err := os.ReadFile(*eventFile)
	if err != nil {
		return fmt.Errorf("read the event: %w", err)
	}
	if !json.Valid(event) {
		return fmt.Errorf("the event %s is not valid JSON", *eventFile)
	}

	// Outside a module checkout the emulator can still come from PATH.
	root, _ := rie.ModuleRoot()
	emulator, err := rie.Find(root)
	if err != nil {
		return err
	}

	env := environ
	if !hasKeys(environ) {
		// Inside the emulator the function counts as in Lambda, where it
		// refuses the development keyring unless it is handed over like any
		// other keyring.
		fmt.Fprintf(stderr, "invoke: %s and %s are unset: signing with the public development keyring\n", keys.EnvSigningKeys, keys.EnvSecretARN)
		env = append(env[:len(env):len(env)], keys.EnvSigningKeys+"="+keys.DevelopmentJSON)
	}
	env = rie.WithLambdaDefaults(env)

	e, err := rie.Start(ctx, rie.Options{Emulator: emulator, Bootstrap: *bootstrap, Env: env, Stderr: stderr})
	if err != nil {
		return err
	}
	defer func() {
		if stopErr := e.Stop(); err == nil {
			err = stopErr
		}
	}()

	answer, err := e.Invoke(ctx, event)
	if err != nil {
		return err
	}
	// Stopped before printing, so that the emulator's log does not run into
	// what follows.
	if err := e.Stop(); err != nil {
		return err
	}

	return report(answer, *eventFile, *outDir, stdout)
}

// report writes the answer to DIR/<event>.json and the email to
// DIR/<event>.html, and prints a summary a person reads at a glance: the
// subject, the sizes as Cognito counts them, and where the files are. The
// whole answer is 5 to 10 KB of escaped HTML, useless on a terminal.
func report(answer []byte, eventFile, outDir string, stdout io.Writer) error {
	var indented bytes.Buffer
	if err := json.Indent(&indented, answer, "", "  "); err != nil {
		return fmt.Errorf("the function's answer is not JSON (%v): %q", err, answer)
	}
	indented.WriteByte('\n')
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	name := filepath.Base(eventFile)
	base := filepath.Join(outDir, strings.TrimSuffix(name, filepath.Ext(name)))
	if err := os.WriteFile(base+".json", indented.Bytes(), 0o644); err != nil {
		return err
	}

	var reply struct {
		TriggerSource string `json:"triggerSource"`
		Response      *struct {
			EmailSubject *string `json:"emailSubject"`
			EmailMessage *string `json:"emailMessage"`
			SMSMessage   *string `json:"smsMessage"`
		} `json:"response"`
	}
	// An answer without an object for response (null, say) has no email:
	// not an error here, the summary says so.
	_ = json.Unmarshal(answer, &reply)
	fmt.Fprintf(stdout, "trigger:  %s\n", reply.TriggerSource)
	if reply.Response == nil || reply.Response.EmailMessage == nil || *reply.Response.EmailMessage == "" {
		fmt.Fprintln(stdout, "email:    none: the event went back unchanged, and Cognito sends its default message")
		fmt.Fprintf(stdout, "answer:   %s\n", base+".json")
		return nil
	}
	email := *reply.Response.EmailMessage
	if reply.Response.EmailSubject != nil {
		fmt.Fprintf(stdout, "subject:  %s\n", *reply.Response.EmailSubject)
	}
	fmt.Fprintf(stdout, "email:    %d characters of Cognito's %d (%d bytes)\n", gate.Length(email), gate.MaxEmailBody, len(email))
	if sms := reply.Response.SMSMessage; sms != nil && *sms != "" {
		fmt.Fprintf(stdout, "sms:      %q (%d characters)\n", *sms, gate.Length(*sms))
	}
	if err := os.WriteFile(base+".html", []byte(email), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "html:     %s\n", base+".html")
	fmt.Fprintf(stdout, "answer:   %s\n", base+".json")
	return nil
}

// hasKeys reports whether environ names a keyring; like keys.Load, a value of
// only spaces counts as unset.
func hasKeys(environ []string) bool {
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if (name == keys.EnvSigningKeys || name == keys.EnvSecretARN) && strings.TrimSpace(value) != "" {
			return true
		}
	}
	return false
}
