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

	var indented bytes.Buffer
	if err := json.Indent(&indented, answer, "", "  "); err != nil {
		return fmt.Errorf("the function's answer is not JSON (%v): %q", err, answer)
	}
	indented.WriteByte('\n')
	if _, err := stdout.Write(indented.Bytes()); err != nil {
		return err
	}

	var reply struct {
		Response struct {
			EmailMessage string `json:"emailMessage"`
		} `json:"response"`
	}
	// An answer without an object for response (null, say) has no email:
	// not an error here, the answer is printed for the developer to judge.
	_ = json.Unmarshal(answer, &reply)
	if reply.Response.EmailMessage == "" {
		return nil
	}
	name := filepath.Base(*eventFile)
	htmlPath := filepath.Join(*outDir, strings.TrimSuffix(name, filepath.Ext(name))+".html")
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(htmlPath, []byte(reply.Response.EmailMessage), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "email HTML: %s\n", htmlPath)
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
