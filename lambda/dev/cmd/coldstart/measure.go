package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
)

// function is one of the two functions measured, and how its first answer
// is known to be the real one.
type function struct {
	name, bootstrap string
	check           func(answer []byte) error
	took            []time.Duration
}

func measure(ctx context.Context, o options, environ []string, stdout io.Writer) error {
	event, err := os.ReadFile(o.event)
	if err != nil {
		return fmt.Errorf("read the event: %w", err)
	}
	root, _ := rie.ModuleRoot()
	emulator, err := rie.Find(root)
	if err != nil {
		return err
	}
	env := functionEnv(environ)
	cogmail := &function{name: "cogmail", bootstrap: o.bootstrap, check: rendered}
	if o.answer == answerEvent {
		// The notifier answers a Post confirmation event with the event.
		cogmail.check = func(answer []byte) error { return same(answer, event) }
	}
	echo := &function{name: "echo", bootstrap: o.echo, check: func(answer []byte) error { return same(answer, event) }}

	fmt.Fprintf(stdout, "load average before: %s\n", loadAverage())
	// One start of each, not counted, reads both binaries into the page
	// cache: every counted one then starts as Lambda's warm hosts do.
	for _, f := range []*function{cogmail, echo} {
		if _, err := coldStart(ctx, emulator, f, env, event); err != nil {
			return err
		}
	}
	for i := range o.runs {
		// Which goes first alternates too, so that neither always follows
		// the other's exit.
		pair := []*function{cogmail, echo}
		if i%2 == 1 {
			pair[0], pair[1] = echo, cogmail
		}
		for _, f := range pair {
			d, err := coldStart(ctx, emulator, f, env, event)
			if err != nil {
				return err
			}
			f.took = append(f.took, d)
		}
	}
	fmt.Fprintf(stdout, "load average after:  %s\n", loadAverage())

	fmt.Fprintf(stdout, "emulator start to first answer, %d cold starts each, alternating:\n", o.runs)
	for _, f := range []*function{cogmail, echo} {
		fmt.Fprintf(stdout, "  %-8s median %s  (min %s, max %s)\n", f.name, ms(median(f.took)), ms(slices.Min(f.took)), ms(slices.Max(f.took)))
	}
	fmt.Fprintf(stdout, "ratio cogmail/echo: %.2f\n", float64(median(cogmail.took))/float64(median(echo.took)))

	init, err := packageInit(ctx, o.bootstrap, o.echo, env, 5)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, init)
	return nil
}

// coldStart starts the emulator with f and returns how long it took until
// f's first answer, checked.
func coldStart(ctx context.Context, emulator string, f *function, env []string, event []byte) (time.Duration, error) {
	start := time.Now()
	e, err := rie.Start(ctx, rie.Options{Emulator: emulator, Bootstrap: f.bootstrap, Env: env})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", f.name, err)
	}
	answer, err := e.Invoke(ctx, event)
	took := time.Since(start)
	if stopErr := e.Stop(); err == nil {
		err = stopErr
	}
	if err == nil {
		err = f.check(answer)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", f.name, err)
	}
	return took, nil
}

// functionEnv is both functions' environment: what `make invoke` gives
// cogmail (a fresh random keyring, since the emulator counts as Lambda and
// refuses the development one; the local page for the default tenant's
// links) and nothing of the caller's own cogmail configuration or GODEBUG,
// so that every run measures the same thing.
func functionEnv(environ []string) []string {
	var env []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "COGMAIL_") && !strings.HasPrefix(kv, "GODEBUG=") {
			env = append(env, kv)
		}
	}
	env = append(env, keys.EnvSigningKeys+"="+keys.Random(), handler.EnvPageURL+"=http://127.0.0.1:8088")
	return rie.WithLambdaDefaults(env)
}

// rendered checks that cogmail answered with its rich email: a measurement
// of the fallback, or of a passed-through event, would flatter it.
func rendered(answer []byte) error {
	var reply struct {
		Response struct {
			EmailMessage string `json:"emailMessage"`
		} `json:"response"`
	}
	if err := json.Unmarshal(answer, &reply); err != nil {
		return fmt.Errorf("the answer is not JSON: %w", err)
	}
	if m := reply.Response.EmailMessage; !strings.Contains(m, "{####}") || !strings.Contains(m, "<!DOCTYPE html>") ||
		!strings.Contains(m, `href="http://127.0.0.1:8088/reset?`) {
		return fmt.Errorf("the answer is not the rendered email with its link (%d bytes of email)", len(m))
	}
	return nil
}

// same checks that the echo function gave the event back.
func same(answer, event []byte) error {
	var a, e bytes.Buffer
	if json.Compact(&a, answer) != nil || json.Compact(&e, event) != nil || !bytes.Equal(a.Bytes(), e.Bytes()) {
		return fmt.Errorf("the answer is not the event: %.200s", answer)
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// loadAverage is the machine's 1, 5 and 15 minute load, to print beside the
// figures: other work on the machine moves them.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
