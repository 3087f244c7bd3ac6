// Command cogmail renders events and verifies links outside Lambda, with the
// same handler and key sources the function uses.
//
//	cogmail render [FILE|-]   print what the Lambda would return for an event
//	cogmail verify URL        print a link's claims, or why it is not valid
//	cogmail check             render every tenant × language × message through the gate
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/cogmail/cogmail/lambda/check"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

const usage = `usage:
  cogmail render [FILE|-]   print, as JSON, what the Lambda returns for the event in FILE (default: stdin)
  cogmail verify URL        print the claims of a signed link as JSON, or why it is not valid (exit 1)
  cogmail check [-failures] [-templates DIR]
                            render every tenant × language × message with sample data through the
                            output gate and print a table; exit 1 on any failure. -templates checks an
                            overlay folder of tenants (as COGMAIL_TEMPLATES_DIR) over the embedded ones

Keys come from COGMAIL_KEYS_SECRET_ARN, else COGMAIL_SIGNING_KEYS, else the
built-in development keyring, as in the Lambda.
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "render":
		return render(ctx, args[1:], stdin, stdout, stderr, getenv, logger)
	case "verify":
		return verify(ctx, args[1:], stdout, stderr, getenv)
	case "check":
		return checkAll(ctx, args[1:], stdout, stderr, getenv)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "cogmail: unknown command %q\n%s", args[0], usage)
	return 2
}

func render(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, logger *slog.Logger) int {
	in := stdin
	if len(args) > 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if len(args) == 1 && args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			fmt.Fprintf(stderr, "cogmail render: %v\n", err)
			return 1
		}
		defer f.Close()
		in = f
	}
	payload, err := io.ReadAll(in)
	if err != nil {
		fmt.Fprintf(stderr, "cogmail render: %v\n", err)
		return 1
	}
	if !json.Valid(payload) {
		fmt.Fprintln(stderr, "cogmail render: the event is not valid JSON")
		return 1
	}
	h := handler.Setup(ctx, getenv, logger)
	out, _ := h.Invoke(ctx, payload)
	fmt.Fprintf(stdout, "%s\n", out)
	return 0
}

func verify(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) != 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ring, _, err := keys.Load(ctx, keys.Options{Getenv: getenv})
	if err != nil {
		fmt.Fprintf(stderr, "cogmail verify: %v\n", err)
		return 1
	}
	claims, err := link.Verify(args[0], ring, time.Now())
	if err != nil {
		reason := err.Error()
		if errors.Is(err, link.ErrExpired) {
			reason = fmt.Sprintf("%v (purpose %s, tenant %s)", err, claims.Purpose, claims.Tenant)
		}
		fmt.Fprintf(stderr, "cogmail verify: invalid: %s\n", reason)
		return 1
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Purpose  link.Purpose `json:"purpose"`
		Tenant   string       `json:"tenant"`
		Username string       `json:"username"`
		Locale   string       `json:"locale"`
		Expires  time.Time    `json:"expires"`
	}{claims.Purpose, claims.Tenant, claims.Username, claims.Locale, claims.Expires}); err != nil {
		return 1
	}
	return 0
}

func checkAll(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("check", flag.ContinueOnError)
	flags.SetOutput(stderr)
	failures := flags.Bool("failures", false, "print only the rows that fail")
	dir := flags.String("templates", "", "an overlay folder holding tenants/<id>/ (as COGMAIL_TEMPLATES_DIR)")
	if err := flags.Parse(args); err != nil || flags.NArg() > 0 {
		return 2
	}
	env := getenv
	if *dir != "" {
		env = func(k string) string {
			if k == handler.EnvTemplatesDir {
				return *dir
			}
			return getenv(k)
		}
	}
	// Sample links are signed with the development ring unless keys are
	// configured: the check is about the emails, not the keys.
	h := handler.Setup(ctx, env, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	rows, err := check.Run(h)
	check.Write(stdout, rows, *failures)
	status := 0
	if err != nil {
		fmt.Fprintf(stderr, "cogmail check: %v\n", err)
		status = 1
	}
	for _, r := range rows {
		if r.Failed() {
			status = 1
		}
	}
	return status
}
