// Command cogmail renders events and verifies links outside Lambda, with the
// same handler and key sources the function uses.
//
//	cogmail render [FILE|-]   print what the Lambda would return for an event (or the notifier would send)
//	cogmail verify URL        print a link's claims, or why it is not valid
//	cogmail check             render every tenant × language × message through the gate
//	cogmail preview           write or serve a gallery of every email, light and dark
//	cogmail keys              make a keyring, add, promote or retire a key
//	cogmail tenants           push, pull, diff or remove tenants in S3
//
// `cogmail -h` prints every command's usage, `cogmail CMD -h` one's.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/check"
	"github.com/cogmail/cogmail/lambda/dev/preview"
	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/notify"
	"github.com/cogmail/cogmail/lambda/sender"
)

// Each command's usage; `cogmail -h` prints them all, `cogmail CMD -h` one.
var commands = []struct{ name, usage string }{
	{"render", `  cogmail render [FILE|-]   print, as JSON, what the Lambda returns for the event in FILE (default: stdin);
                            for a Post confirmation, notifier or CloudTrail event, the email the notifier
                            would send (from, to, subject, text, html) or why none, without sending it
  cogmail render -user USER.json FILE
                            the same for a CloudTrail event, for the user in USER.json (as
                            aws cognito-idp admin-get-user prints it) instead of a placeholder
  cogmail render [-code CODE] FILE
                            for a Custom Email Sender event, the email the sender function would send
                            (from, to, subject, text, html) with CODE as the decrypted code (default: a
                            sample); -user USER.json gives the takeover notice's user
`},
	{"verify", `  cogmail verify URL        print the claims of a signed link as JSON, or why it is not valid (exit 1)
`},
	{"check", `  cogmail check [-failures] [-templates DIR]
                            render every tenant × language × message with sample data through the
                            output gate, in custom-message mode and again as the Custom Email Sender
                            sends it (MESSAGE "reset-sender": real sample values and a text part,
                            through its gate), and every notice; print a table, after the problems of
                            the templates, the catalogs and each tenant's files (with the file and the
                            JSON path or line:column); exit 1 on any failure, warnings pass. -failures prints the
                            failures, then the warnings. -templates checks an overlay folder of tenants
                            (as COGMAIL_TEMPLATES_DIR) over the embedded ones
`},
	{"preview", `  cogmail preview --out DIR [-templates DIR]
                            write a gallery of every tenant × language × message, in both modes, light
                            and dark side by side, and the text part beside them where there is one, to
                            DIR/index.html (and DIR/mail/…); print the index's path
  cogmail preview --serve 127.0.0.1:PORT [-templates DIR]
                            serve that gallery from the templates folder on disk (default: templates/
                            of the module), rebuilt on the next request after a file there changes
`},
	{"keys", keysUsage},       // keys.go
	{"tenants", tenantsUsage}, // tenants.go
}

const keysNote = `
Keys come from COGMAIL_KEYS_SECRET_ARN, else COGMAIL_SIGNING_KEYS, else the
built-in development keyring, as in the Lambda (a variable set but blank is
an error). verify warns on stderr when the development key checked the link.
The secret is read with credentials from the environment only
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; for a profile:
eval "$(aws configure export-credentials --format env)").
`

// usage is every command's usage, for `cogmail -h`.
func usage() string {
	var b strings.Builder
	b.WriteString("usage:\n")
	for _, c := range commands {
		b.WriteString(c.usage)
	}
	b.WriteString(keysNote)
	return b.String()
}

// commandUsage writes one command's usage and its flags.
func commandUsage(w io.Writer, flags *flag.FlagSet) {
	fmt.Fprint(w, "usage:\n")
	for _, c := range commands {
		if c.name == flags.Name() {
			fmt.Fprint(w, c.usage)
		}
	}
	printFlags(w, flags)
	if flags.Name() != "check" && flags.Name() != "preview" {
		fmt.Fprint(w, keysNote)
	}
}

// parseFlags reads a command's flags. -h, -help and --help print its usage
// to stdout (exit 0); a flag it does not know prints the error and the
// usage to stderr (exit 2). ok is false when the command is done.
func parseFlags(flags *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	flags.SetOutput(io.Discard) // the usage is ours
	flags.Usage = func() {}
	err := flags.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		commandUsage(stdout, flags)
		return 0, false
	case err != nil:
		fmt.Fprintf(stderr, "cogmail %s: %v\n", flags.Name(), err)
		commandUsage(stderr, flags)
		return 2, false
	}
	return 0, true
}

// usageError says what is wrong with a command's arguments, then its usage.
func usageError(flags *flag.FlagSet, stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "cogmail %s: %s\n", flags.Name(), fmt.Sprintf(format, args...))
	commandUsage(stderr, flags)
	return 2
}

func main() {
	// keys.Getenv: a keyring variable set to "" is an error, never "unset"
	// and the public development keyring.
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, keys.Getenv))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	switch args[0] {
	case "render":
		return render(ctx, args[1:], stdin, stdout, stderr, getenv, logger)
	case "verify":
		return verify(ctx, args[1:], stdout, stderr, getenv)
	case "check":
		return checkAll(ctx, args[1:], stdout, stderr, getenv)
	case "preview":
		return previewGallery(ctx, args[1:], stdout, stderr, getenv)
	case "keys":
		return keysCmd(args[1:], stdin, stdout, stderr)
	case "tenants":
		return tenantsCmd(ctx, args[1:], stdout, stderr, getenv)
	case "help", "-h", "-help", "--help":
		if len(args) == 2 { // cogmail help render
			return run(ctx, []string{args[1], "-h"}, stdin, stdout, stderr, getenv)
		}
		fmt.Fprint(stdout, usage())
		return 0
	}
	if strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "cogmail: flag provided but not defined: %s\n%s", args[0], usage())
	} else {
		fmt.Fprintf(stderr, "cogmail: unknown command %q\n%s", args[0], usage())
	}
	return 2
}

func render(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, logger *slog.Logger) int {
	flags := flag.NewFlagSet("render", flag.ContinueOnError)
	user := flags.String("user", "", "a CloudTrail event's user: the `FILE` aws cognito-idp admin-get-user writes (JSON)")
	code := flags.String("code", "", "a Custom Email Sender event's decrypted `CODE` (default: a sample)")
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if flags.NArg() > 1 {
		return usageError(flags, stderr, "one event file at most, not %d", flags.NArg())
	}
	in := stdin
	if file := flags.Arg(0); file != "" && file != "-" {
		f, err := os.Open(file)
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
	if sender.Accepts(payload) { // the Custom Email Sender's event: sender.go
		return renderSender(ctx, payload, *code, *user, stdout, stderr, getenv, logger)
	}
	if *code != "" {
		return usageError(flags, stderr, "-code is for Custom Email Sender events")
	}
	if notify.Accepts(payload) { // the notifier's event: notice.go
		return renderNotice(ctx, payload, *user, stdout, stderr, getenv, logger)
	}
	if *user != "" {
		return usageError(flags, stderr, "-user is for CloudTrail events")
	}
	h := handler.Setup(ctx, getenv, logger)
	out, _ := h.Invoke(ctx, payload)
	fmt.Fprintf(stdout, "%s\n", out)
	return 0
}

func verify(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("verify", flag.ContinueOnError)
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if flags.NArg() != 1 {
		return usageError(flags, stderr, "give one link")
	}
	ring, _, err := keys.Load(ctx, keys.Options{Getenv: getenv})
	if err != nil {
		fmt.Fprintf(stderr, "cogmail verify: %v\n", err)
		return 1
	}
	// The development key is public: a link it verifies proves nothing,
	// and one checked with it by mistake must not pass for a real one.
	development := keys.IsDevelopment(ring)
	claims, err := link.Verify(flags.Arg(0), ring, time.Now())
	if err != nil {
		reason := err.Error()
		if errors.Is(err, link.ErrExpired) {
			reason = fmt.Sprintf("%v (purpose %s, tenant %s)", err, claims.Purpose, claims.Tenant)
		}
		fmt.Fprintf(stderr, "cogmail verify: invalid: %s\n", reason)
		if development {
			fmt.Fprintf(stderr, "cogmail verify: checked with the public development keyring; set %s or %s for a production link\n", keys.EnvSecretARN, keys.EnvSigningKeys)
		}
		return 1
	}
	if development {
		fmt.Fprintf(stderr, "cogmail verify: WARNING: VERIFIED WITH THE PUBLIC DEVELOPMENT KEYRING: anyone can sign such a link, it proves nothing. "+
			"Set %s or %s to check a production link.\n", keys.EnvSecretARN, keys.EnvSigningKeys)
	}
	if claims.Version == 1 {
		fmt.Fprintln(stderr, "cogmail verify: a version-1 link, from before user pools were signed: it names no pool")
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Purpose  link.Purpose `json:"purpose"`
		Tenant   string       `json:"tenant"`
		UserPool string       `json:"userPool"`
		Username string       `json:"username"`
		Locale   string       `json:"locale"`
		Expires  time.Time    `json:"expires"`
		KeyID    string       `json:"kid"`
		Version  int          `json:"version"`
		Signed   bool         `json:"codeSigned"` // version 3: the code is signed too
	}{claims.Purpose, claims.Tenant, claims.UserPool, claims.Username, claims.Locale, claims.Expires, claims.KeyID, claims.Version, claims.CodeSigned}); err != nil {
		return 1
	}
	return 0
}

func checkAll(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("check", flag.ContinueOnError)
	failures := flags.Bool("failures", false, "print only the failures, then the warnings")
	dir := flags.String("templates", "", "an overlay folder holding tenants/<id>/ (as COGMAIL_TEMPLATES_DIR)")
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if flags.NArg() > 0 {
		return usageError(flags, stderr, "unexpected argument %q", flags.Arg(0))
	}
	env := getenv
	if *dir != "" {
		if info, err := os.Stat(*dir); err != nil || !info.IsDir() {
			fmt.Fprintf(stderr, "cogmail check: -templates %s is not a folder\n", *dir)
			return 2
		}
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
	rep := check.Check(h) // a template that does not load is among its problems
	check.Write(stdout, rep, *failures)
	if rep.Failed() > 0 {
		return 1
	}
	return 0
}

func previewGallery(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("preview", flag.ContinueOnError)
	out := flags.String("out", "", "write the gallery into this folder")
	addr := flags.String("serve", "", "serve the gallery on this loopback address (127.0.0.1:PORT)")
	dir := flags.String("templates", "", "the templates folder to read (default: the embedded copy with -out, templates/ of the module with -serve)")
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if flags.NArg() > 0 || (*out == "") == (*addr == "") {
		return usageError(flags, stderr, "give one of --out DIR or --serve 127.0.0.1:PORT")
	}
	if *addr != "" {
		return serveGallery(ctx, *addr, *dir, stdout, stderr)
	}
	var h *handler.Handler
	source := "the embedded templates"
	if *dir == "" {
		// The very handler the Lambda builds, overlay folder included.
		h = handler.Setup(ctx, getenv, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	} else {
		var err error
		if h, err = preview.NewHandler(os.DirFS(*dir)); err != nil {
			fmt.Fprintf(stderr, "cogmail preview: %v\n", err)
			return 1
		}
		source = "the templates on disk"
	}
	g := preview.Build(h, source)
	if err := g.Write(*out); err != nil {
		fmt.Fprintf(stderr, "cogmail preview: %v\n", err)
		return 1
	}
	index, err := filepath.Abs(filepath.Join(*out, "index.html"))
	if err != nil {
		index = filepath.Join(*out, "index.html")
	}
	// Failures are marked in the gallery, not an exit status: `cogmail
	// check` is the gate; the path alone goes to stdout, for `open $(…)`.
	fmt.Fprintf(stderr, "cogmail preview: %d messages, %d failed\n", len(g.Entries), g.Failed())
	fmt.Fprintln(stdout, index)
	return 0
}

func serveGallery(ctx context.Context, addr, dir string, stdout, stderr io.Writer) int {
	if err := preview.CheckLoopback(addr); err != nil {
		fmt.Fprintf(stderr, "cogmail preview: %v\n", err)
		return 2
	}
	if dir == "" {
		root, err := rie.ModuleRoot()
		if err != nil {
			fmt.Fprintf(stderr, "cogmail preview: %v (or give -templates DIR)\n", err)
			return 1
		}
		dir = filepath.Join(root, "templates")
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "cogmail preview: %s is not a templates folder\n", dir)
		return 1
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := preview.ListenAndServe(ctx, addr, preview.NewServer(dir), func(a net.Addr) {
		fmt.Fprintf(stdout, "serving the gallery of %s at http://%s/ (Ctrl-C stops)\n", dir, a)
	})
	if err != nil {
		fmt.Fprintf(stderr, "cogmail preview: %v\n", err)
		return 1
	}
	return 0
}

// printFlags lists a command's flags after its usage, if it has any.
func printFlags(w io.Writer, flags *flag.FlagSet) {
	n := 0
	flags.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprint(w, "\nflags:\n")
		flags.SetOutput(w)
		flags.PrintDefaults()
		flags.SetOutput(io.Discard)
	}
}
