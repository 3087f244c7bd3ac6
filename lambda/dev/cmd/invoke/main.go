// Command invoke runs the built function once, the way Lambda runs it, on a
// recorded Cognito event: through the AWS Lambda Runtime Interface Emulator.
//
//	invoke [-bootstrap PATH] [-event FILE] [-out DIR]
//
// After the emulator's log (on stderr) it prints a summary on stdout: the
// subject, the email's size as Cognito counts it, its link, and where it
// wrote the email (DIR/<event name>.html) and the whole answer
// (DIR/<event name>.json).
//
// Under the emulator the function counts as inside Lambda: it refuses the
// public development keyring and signs no link to an example host. Unless
// the environment names a keyring, invoke hands it a fresh random one (saved
// in DIR/keys.json) and, unless COGMAIL_PAGE_URL is set, points the default
// tenant's links at the local page, http://127.0.0.1:8088.
// The emulator and the function are stopped on every way out, Ctrl-C
// included.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// Ctrl-C cancels ctx rather than killing invoke at once, so that run
	// stops the emulator and the function before returning.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	interrupted := ctx.Err() != nil
	stop()
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil && interrupted:
		fmt.Fprintln(os.Stderr, "invoke: interrupted; the emulator is stopped")
		os.Exit(130)
	case err != nil:
		fmt.Fprintln(os.Stderr, "invoke:", err)
		os.Exit(1)
	}
}
