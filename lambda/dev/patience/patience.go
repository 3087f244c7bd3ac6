// Package patience is the one scale the tests' deadlines are written in.
//
// A test that waits on a real process (Chromium, Node.js, cognito-local, the
// emulator, the Go toolchain) names what the wait takes on an idle machine
// and waits For that: Slowdown times longer. Tests must pass on a 2-core
// machine at load average 8, where those processes run 5 to 10 times slower
// than idle. A deadline still ends a hung test, only later; where a test can
// wait for a condition instead of a fixed time, it does.
package patience

import "time"

// Slowdown is how much slower than idle the busiest machine the tests must
// pass on is. Raise it here, and every deadline follows.
const Slowdown = 10

// For is the deadline for something that takes at most idle on an idle
// machine.
func For(idle time.Duration) time.Duration { return Slowdown * idle }
