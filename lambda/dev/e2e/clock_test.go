package e2e

import "time"

// timeNow is the tests' clock for verifying links; the page under test runs
// on its own, except where a test injects one.
func timeNow() time.Time { return time.Now() }
