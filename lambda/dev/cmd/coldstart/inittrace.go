package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/rie"
)

// module is the prefix of this module's packages in the init trace.
const module = "github.com/cogmail/cogmail/"

// initTimes is what GODEBUG=inittrace=1 says of n runs of one function.
type initTimes struct {
	totals, ours []time.Duration // per run: every package's init, and this module's
	perPackage   map[string][]time.Duration
}

// packageInit runs each function n times outside the emulator with
// GODEBUG=inittrace=1 (the emulator is a Go program too, and would trace its
// own init into the same log) and sums the clock time of every package's
// init. A function then sets up, finds no Runtime API at the closed port it
// is given, and exits. It reports cogmail's, the echo function's for
// comparison (the runtime, net/http and aws-lambda-go, which any Go
// function pays), and cogmail's slowest packages.
func packageInit(ctx context.Context, cogmail, echo string, env []string, n int) (string, error) {
	mine, err := traceInit(ctx, cogmail, env, n)
	if err != nil {
		return "", err
	}
	theirs, err := traceInit(ctx, echo, env, n)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "package init (GODEBUG=inittrace=1, median of %d runs): cogmail %s (its own packages %s), echo %s\n",
		n, msFine(median(mine.totals)), msFine(median(mine.ours)), msFine(median(theirs.totals)))
	pkgs := slices.SortedFunc(maps.Keys(mine.perPackage), func(a, b string) int {
		return int(median(mine.perPackage[b]) - median(mine.perPackage[a]))
	})
	fmt.Fprintln(&b, "  cogmail's slowest:")
	for _, pkg := range pkgs[:min(5, len(pkgs))] {
		fmt.Fprintf(&b, "    %-60s %s\n", pkg, msFine(median(mine.perPackage[pkg])))
	}
	return b.String(), nil
}

func traceInit(ctx context.Context, bootstrap string, env []string, n int) (*initTimes, error) {
	ports, err := rie.FreePorts(1)
	if err != nil {
		return nil, err
	}
	env = append(env[:len(env):len(env)], "GODEBUG=inittrace=1", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:"+strconv.Itoa(ports[0]))
	times := &initTimes{perPackage: map[string][]time.Duration{}}
	for range n {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		cmd := exec.CommandContext(ctx, bootstrap)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		_ = cmd.Run() // it exits 1 without a Runtime API: expected
		cancel()
		trace := parseInitTrace(stderr.Bytes())
		if len(trace) == 0 {
			return nil, fmt.Errorf("%s printed no init trace; its output:\n%s", bootstrap, stderr.String())
		}
		var total, own time.Duration
		for pkg, d := range trace {
			total += d
			if strings.HasPrefix(pkg, module) {
				own += d
			}
			times.perPackage[pkg] = append(times.perPackage[pkg], d)
		}
		times.totals, times.ours = append(times.totals, total), append(times.ours, own)
	}
	return times, nil
}

// parseInitTrace reads the runtime's lines
// "init <package> @<since start> ms, <clock> ms clock, <n> bytes, <n> allocs"
// into each package's clock time.
func parseInitTrace(out []byte) map[string]time.Duration {
	trace := map[string]time.Duration{}
	scan := bufio.NewScanner(bytes.NewReader(out))
	for scan.Scan() {
		f := strings.Fields(scan.Text())
		if len(f) < 7 || f[0] != "init" || f[5] != "ms" || f[6] != "clock," {
			continue
		}
		clock, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			continue
		}
		trace[f[1]] += time.Duration(clock * float64(time.Millisecond))
	}
	return trace
}

func msFine(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
