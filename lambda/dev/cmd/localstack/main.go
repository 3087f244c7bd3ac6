// Command localstack starts and stops cogmail's local stack (see package
// localstack); `make local-up` and `make local-down` run it.
//
//	localstack up -bootstrap PATH [-page PATH] [-notifier PATH] [-mode MODE -sender PATH] [-state DIR]
//	localstack forgot [-state DIR] EMAIL [LOCALE]
//	localstack down [-state DIR]
//
// up builds nothing: it takes the function, the page server, the notifier
// and (with -mode custom-email-sender) the sender as built by make, leaves
// the stack running in the background and prints how to use it. It runs this same program as `localstack serve
// -config PATH` in the background too, for the stack's local Lambda API and
// the collection of SES mail into the mailbox.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/dev/rie"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, err) // the package's errors name it already
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "serve" {
		return serve(ctx, args[1:], stderr)
	}
	if len(args) == 0 || args[0] != "up" && args[0] != "down" && args[0] != "forgot" {
		fmt.Fprintln(stderr, "usage: localstack up -bootstrap PATH [-page PATH] [-notifier PATH] [-mode MODE -sender PATH] [-state DIR] | localstack forgot [-state DIR] EMAIL [LOCALE] | localstack down [-state DIR]")
		return flag.ErrHelp
	}
	flags := flag.NewFlagSet("localstack "+args[0], flag.ContinueOnError)
	flags.SetOutput(stderr)
	state := flags.String("state", "", "the stack's state `folder` (default <module root>/"+localstack.DefaultState+")")
	bootstrap := flags.String("bootstrap", "build/local/bootstrap", "the function `binary`, built with -tags lambda.norpc")
	page := flags.String("page", "", "the page server `binary` (lambda/dev/cmd/page); none: the links lead nowhere")
	notifier := flags.String("notifier", "", "the notifier `binary` (lambda/cmd/notifier, -tags lambda.norpc); none: no notices, no moto_server")
	modeName := flags.String("mode", string(localstack.ModeCustomMessage), "how cognito-local hands over its emails: "+
		string(localstack.ModeCustomMessage)+" (to -bootstrap) or "+string(localstack.ModeCustomEmailSender)+" (to -sender)")
	sender := flags.String("sender", "", "the sender `binary` (lambda/cmd/sender, -tags lambda.norpc), for -mode "+string(localstack.ModeCustomEmailSender))
	if err := flags.Parse(args[1:]); err != nil {
		return err
	}
	mode, err := localstack.ParseMode(*modeName)
	if err != nil {
		return fmt.Errorf("localstack %s: %w", args[0], err)
	}
	if *state == "" {
		root, err := rie.ModuleRoot()
		if err != nil {
			return err
		}
		*state = filepath.Join(root, localstack.DefaultState)
	}
	if args[0] == "forgot" {
		return forgot(ctx, *state, flags.Args(), stdout)
	}
	if args[0] == "down" {
		err := localstack.StopDetached(*state)
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stdout, "no local stack recorded in %s\n", *state)
			return nil
		}
		if err != nil {
			return fmt.Errorf("localstack down: %w", err)
		}
		fmt.Fprintln(stdout, "local stack stopped")
		return nil
	}

	if mode == localstack.ModeCustomEmailSender {
		// The sender cannot do without moto_server's KMS and SES.
		if _, err := moto.Find(); err != nil {
			return fmt.Errorf("localstack up: mode %s: %w", mode, err)
		}
	}
	if *notifier != "" {
		if _, err := moto.Find(); err != nil {
			fmt.Fprintf(stderr, "localstack: starting without the notifier: %v\n", err)
			*notifier = ""
		}
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("localstack up: %w", err)
	}
	began := time.Now()
	s, err := localstack.Start(ctx, localstack.Options{Mode: mode, Bootstrap: *bootstrap, Sender: *sender, Page: *page, Notifier: *notifier,
		State: *state, Detach: true, Serve: []string{self, "serve"}})
	if err != nil {
		return err
	}
	walkthrough(stdout, &s.Info, time.Since(began))
	return nil
}

// walkthrough prints what a person needs to try the stack.
func walkthrough(w io.Writer, info *localstack.Info, took time.Duration) {
	rel := func(path string) string {
		if wd, err := os.Getwd(); err == nil {
			if r, err := filepath.Rel(wd, path); err == nil && filepath.IsLocal(r) {
				return r
			}
		}
		return path
	}
	fmt.Fprintf(w, "cogmail's local stack is up (started in %s); it is described in %s\n\n", took.Round(10*time.Millisecond), rel(filepath.Join(info.State, localstack.InfoFile)))
	if info.Page.Running {
		fmt.Fprintf(w, "  page server   %s (the emails link to /reset, /activate, /confirm)\n", info.Page.URL)
		fmt.Fprintf(w, "  sign-in page  %s (where the pages' Sign in buttons lead)\n", info.Links.SignIn)
	} else {
		fmt.Fprintf(w, "  page server   not started: the emails' links to %s lead nowhere\n", info.Page.URL)
	}
	sender := info.Mode == localstack.ModeCustomEmailSender
	fmt.Fprintf(w, "  cognito       %s  pool %s\n", info.Cognito.Endpoint, info.UserPoolID)
	functions := "function, the trigger"
	if sender {
		functions = "sender, the Custom Email Sender"
		fmt.Fprintf(w, "  mode          %s: cognito-local encrypts each code under the KMS key and hands it to the sender, which sends through SES\n", info.Mode)
	}
	if info.Notifier.Running {
		functions += "; notifier"
	}
	fmt.Fprintf(w, "  lambda API    %s (functions: %s)\n", info.Lambda.Endpoint, functions)
	if info.Moto.Endpoint != "" {
		domains := info.Sender.Domains // the same as the notifier's
		if len(domains) == 0 {
			domains = info.Notifier.Domains
		}
		fmt.Fprintf(w, "  moto_server   %s  SES identities %s\n", info.Moto.Endpoint, strings.Join(domains, ", "))
	}
	if sender {
		fmt.Fprintf(w, "  sender        KMS key %s (%s), table %s, dead-letter queue %s\n",
			info.Sender.KMSKeyARN, info.Sender.KMSKeyAlias, info.Sender.Table, info.Sender.DLQ)
	}
	if info.Notifier.Running {
		fmt.Fprintf(w, "  notifier      table %s, dead-letter queue %s\n", info.Notifier.Table, info.Notifier.DLQ)
	} else {
		fmt.Fprintf(w, "  notifier      not started: no password-change notices (make local-up starts it when moto_server is on PATH)\n")
	}
	fmt.Fprintf(w, "  app clients   %s (no secret), %s (secret %s)\n", info.Clients.Public.ID, info.Clients.Secret.ID, info.Clients.Secret.Secret)
	fmt.Fprintln(w, "  users         (email, password, language, tenant)")
	for _, u := range info.Users {
		fmt.Fprintf(w, "                %-18s  %-18s  %-2s  %s\n", u.Email, u.Password, u.Locale, u.Tenant)
	}
	fmt.Fprintf(w, "\nSend Ana a reset email in German and print its link:\n\n")
	fmt.Fprintf(w, "  make local-forgot EMAIL=ana@example.com LOCALE=de\n\n")
	fmt.Fprintf(w, "or, with the AWS CLI (any credentials do):\n\n")
	fmt.Fprintf(w, "  AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s aws cognito-idp forgot-password --region %s \\\n", localstack.AccessKeyID, localstack.SecretAccessKey, info.Region)
	fmt.Fprintf(w, "    --endpoint-url %s --client-id %s \\\n", info.Cognito.Endpoint, info.Clients.Public.ID)
	fmt.Fprintf(w, "    --username ana@example.com --client-metadata locale=de\n\n")
	signIn(w, info)
	if sender {
		fmt.Fprintf(w, "Every email the sender sends lands in %s, one JSON line each, marked \"source\":\"ses\" (html and text decoded):\n\n", rel(string(info.Mailbox)))
		fmt.Fprintf(w, "  tail -n 1 %s | jq -r .html > reset.html\n", rel(string(info.Mailbox)))
		fmt.Fprintf(w, "  jq -r 'select(.source == \"ses\") | .text' %s\n\n", rel(string(info.Mailbox)))
	} else {
		fmt.Fprintf(w, "Every message lands in %s, one JSON line each (emailMessage is the HTML):\n\n", rel(string(info.Mailbox)))
		fmt.Fprintf(w, "  tail -n 1 %s | jq -r .emailMessage > reset.html\n\n", rel(string(info.Mailbox)))
	}
	if info.Notifier.Running && !sender {
		fmt.Fprintf(w, "Once a new password is saved, the notifier's notice joins it, marked \"source\":\"ses\" (html and text decoded):\n\n")
		fmt.Fprintf(w, "  jq -r 'select(.source == \"ses\") | .text' %s\n\n", rel(string(info.Mailbox)))
	}
	// The stack signs with a keyring of its own, made at this start.
	fmt.Fprintf(w, "Links are signed with this stack's own random keyring; check one with:\n\n")
	fmt.Fprintf(w, "  COGMAIL_SIGNING_KEYS=\"$(jq -r .signingKeys %s)\" go run ./lambda/cmd/cogmail verify 'LINK'\n\n",
		rel(filepath.Join(info.State, localstack.InfoFile)))
	fmt.Fprintf(w, "Logs: %s   Stop it: make local-down\n", rel(info.Logs))
}

// signIn prints how to sign in as the first seeded user: in a browser on the
// page server's local sign-in page, or with the AWS CLI.
func signIn(w io.Writer, info *localstack.Info) {
	if len(info.Users) == 0 {
		return
	}
	u := info.Users[0]
	if info.Page.Running {
		fmt.Fprintf(w, "Sign in as %s in a browser at %s, or with the AWS CLI:\n\n", u.GivenName, info.Links.SignIn)
	} else {
		fmt.Fprintf(w, "Sign in as %s with the AWS CLI:\n\n", u.GivenName)
	}
	fmt.Fprintf(w, "  AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s aws cognito-idp initiate-auth --region %s \\\n", localstack.AccessKeyID, localstack.SecretAccessKey, info.Region)
	fmt.Fprintf(w, "    --endpoint-url %s --client-id %s --auth-flow USER_PASSWORD_AUTH \\\n", info.Cognito.Endpoint, info.Clients.Public.ID)
	fmt.Fprintf(w, "    --auth-parameters 'USERNAME=%s,PASSWORD=%s'\n\n", u.Email, u.Password)
}
