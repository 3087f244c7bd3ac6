package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cogmail/cogmail/lambda/keys"
)

// keysNow is the clock of `cogmail keys`; tests fix it.
var keysNow = time.Now

// keysSubUsage is each subcommand's usage, for `cogmail keys CMD -h`.
var keysSubUsage = map[string]string{
	"new": `  cogmail keys new          print a fresh keyring: one random 32-byte key, current
`,
	"add": `  cogmail keys add [FILE|-] print the keyring in FILE (default: stdin) with a new random key, not
                            current (its id goes to stderr)
`,
	"promote": `  cogmail keys promote [-overlap D] [-force] KID [FILE|-]
                            print the keyring with key KID current, once it was added at least the
                            overlap ago (default 7d, the longest a link lives: an invitation's)
`,
	"retire": `  cogmail keys retire KID [FILE|-]
                            print the keyring without key KID (not the current one): its links stop
                            verifying, so retire a key only once the links it signed have expired
`,
}

// keysUsage is `cogmail keys`'s part of `cogmail -h`.
var keysUsage = keysSubUsage["new"] + keysSubUsage["add"] + keysSubUsage["promote"] + keysSubUsage["retire"]

const keysEditNote = `
Keyrings are read from FILE or stdin and printed to stdout as JSON; nothing
else is written. Every key must be 32 random bytes or more (no weak key is
carried over) and the public development key is refused. "added" records
when each key came in. Store the output where the functions read it (the
keyring secret: infra/README.md).
`

// overlapValue is a duration that also reads days ("7d"), as keys are
// rotated in days.
type overlapValue struct{ d *time.Duration }

func (v overlapValue) String() string {
	if v.d == nil {
		return ""
	}
	if *v.d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(*v.d/(24*time.Hour)), 10) + "d"
	}
	return v.d.String()
}

func (v overlapValue) Set(s string) error {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseUint(days, 10, 16)
		if err != nil {
			return errors.New("want a whole number of days (7d) or a duration (36h)")
		}
		*v.d = time.Duration(n) * 24 * time.Hour
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return errors.New("want a whole number of days (7d) or a duration (36h)")
	}
	*v.d = d
	return nil
}

// keysCmd edits a keyring: `cogmail keys new|add|promote|retire`.
func keysCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "cogmail keys: give one of new, add, promote, retire\nusage:\n%s%s", keysUsage, keysEditNote)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(stdout, "usage:\n%s%s", keysUsage, keysEditNote)
		return 0
	}
	sub := args[0]
	if _, ok := keysSubUsage[sub]; !ok {
		fmt.Fprintf(stderr, "cogmail keys: unknown command %q\nusage:\n%s%s", sub, keysUsage, keysEditNote)
		return 2
	}
	flags := flag.NewFlagSet("keys "+sub, flag.ContinueOnError)
	overlap := keys.DefaultOverlap
	force := false
	if sub == "promote" {
		flags.Var(overlapValue{&overlap}, "overlap", "how long ago the key must have been added: `D` days (7d) or a duration (36h)")
		flags.BoolVar(&force, "force", false, "promote at once, however recently the key was added (as -overlap 0): links it signs fail wherever the keyring was not yet re-read")
	}
	if code, ok := parseKeysFlags(flags, sub, args[1:], stdout, stderr); !ok {
		return code
	}
	if force {
		overlap = 0
	}
	rest := flags.Args()
	var kid string
	switch sub {
	case "new":
		if len(rest) > 0 {
			return keysUsageError(flags, sub, stderr, "no arguments, not %q", rest[0])
		}
		ring, err := keys.New(keysNow())
		return keysOutput(sub, ring, err, stdout, stderr)
	case "promote", "retire":
		if len(rest) == 0 {
			return keysUsageError(flags, sub, stderr, "give the key's id")
		}
		kid, rest = rest[0], rest[1:]
	}
	if len(rest) > 1 {
		return keysUsageError(flags, sub, stderr, "one keyring file at most, not %d", len(rest))
	}
	ring, err := readKeyring(rest, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "cogmail keys %s: %v\n", sub, err)
		return 1
	}
	var out []byte
	switch sub {
	case "add":
		var added string
		out, added, err = keys.Add(ring, keysNow())
		if err == nil {
			fmt.Fprintf(stderr, "cogmail keys add: added key %q, not current: promote it with `cogmail keys promote %s` from %s\n",
				added, added, keysNow().Add(keys.DefaultOverlap).UTC().Format(time.RFC3339))
		}
	case "promote":
		out, err = keys.Promote(ring, kid, keysNow(), overlap)
		if errors.Is(err, keys.ErrTooSoon) {
			defer fmt.Fprintln(stderr, "cogmail keys promote: -force promotes it now (every verifier must have the key first)")
		}
	case "retire":
		out, err = keys.Retire(ring, kid)
	}
	return keysOutput(sub, out, err, stdout, stderr)
}

// readKeyring reads the file named in rest, or stdin for none or "-".
func readKeyring(rest []string, stdin io.Reader) ([]byte, error) {
	if len(rest) == 0 || rest[0] == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(rest[0])
}

func keysOutput(sub string, ring []byte, err error, stdout, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintf(stderr, "cogmail keys %s: %v\n", sub, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s\n", ring)
	return 0
}

// parseKeysFlags is parseFlags for a keys subcommand, whose usage is its own.
func parseKeysFlags(flags *flag.FlagSet, sub string, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	flags.SetOutput(io.Discard)
	flags.Usage = func() {}
	err := flags.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		keysCommandUsage(stdout, flags, sub)
		return 0, false
	case err != nil:
		fmt.Fprintf(stderr, "cogmail keys %s: %v\n", sub, err)
		keysCommandUsage(stderr, flags, sub)
		return 2, false
	}
	return 0, true
}

func keysUsageError(flags *flag.FlagSet, sub string, stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "cogmail keys %s: %s\n", sub, fmt.Sprintf(format, args...))
	keysCommandUsage(stderr, flags, sub)
	return 2
}

func keysCommandUsage(w io.Writer, flags *flag.FlagSet, sub string) {
	fmt.Fprintf(w, "usage:\n%s", keysSubUsage[sub])
	printFlags(w, flags)
	fmt.Fprint(w, keysEditNote)
}
