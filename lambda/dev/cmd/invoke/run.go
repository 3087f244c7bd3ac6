package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
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

	env, notes, err := invokeEnv(environ, *outDir)
	if err != nil {
		return err
	}
	for _, note := range notes {
		fmt.Fprintln(stderr, "invoke:", note)
	}

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

// hrefPattern finds the email's first link: its button's.
var hrefPattern = regexp.MustCompile(`href="([^"]*)"`)

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
	if m := hrefPattern.FindStringSubmatch(email); m != nil {
		fmt.Fprintf(stdout, "link:     %s\n", html.UnescapeString(m[1]))
	}
	fmt.Fprintf(stdout, "html:     %s\n", base+".html")
	fmt.Fprintf(stdout, "answer:   %s\n", base+".json")
	return nil
}

// localPage is where lambda/dev/cmd/page listens by default (its defaultAddr):
// the default tenant's links lead there, so that the emailed link opens the
// page a developer runs next to make invoke.
const localPage = "http://127.0.0.1:8088"

// invokeEnv is the function's environment: environ, plus a fresh random
// keyring when environ names none, and COGMAIL_PAGE_URL on the local page
// when environ sets none. Under the emulator the function counts as inside
// Lambda, where the public development keyring is refused and links to
// example hosts are not signed. The random keyring is written to
// outDir/keys.json (readable by its owner only), to verify the link with.
// A keyring variable set but blank is an error, as in the function.
func invokeEnv(environ []string, outDir string) (env, notes []string, err error) {
	var named, page bool
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		switch name {
		case keys.EnvSigningKeys, keys.EnvSecretARN:
			if strings.TrimSpace(value) == "" {
				return nil, nil, fmt.Errorf("%s is set but blank: unset it for a fresh random keyring, or give it one", name)
			}
			named = true
		case handler.EnvPageURL:
			page = true
		}
	}
	env = environ[:len(environ):len(environ)]
	if !named {
		ring := keys.Random()
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return nil, nil, err
		}
		file := filepath.Join(outDir, "keys.json")
		if err := os.WriteFile(file, []byte(ring+"\n"), 0o600); err != nil {
			return nil, nil, err
		}
		env = append(env, keys.EnvSigningKeys+"="+ring)
		notes = append(notes, fmt.Sprintf("%s and %s are unset: signing with a fresh random keyring, saved in %s "+
			"(the emulator counts as Lambda, where the development keyring is refused)", keys.EnvSigningKeys, keys.EnvSecretARN, file))
	}
	if !page {
		env = append(env, handler.EnvPageURL+"="+localPage)
		notes = append(notes, fmt.Sprintf("the default tenant's links lead to the local page, %s (go run ./lambda/dev/cmd/page)", localPage))
	}
	return rie.WithLambdaDefaults(env), notes, nil
}
