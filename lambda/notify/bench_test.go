package notify_test

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkNotify is the warm path of one notice against moto_server:
// decode the wrapper, resolve the tenant, render, gate, claim in DynamoDB,
// send through SES, mark sent. Most of it is the two round trips to moto,
// which stand for DynamoDB's and SES's (BENCHMARKS.md).
func BenchmarkNotify(b *testing.B) {
	s := startStack(b)
	s.reset(b, "example.com")
	n, _ := notifier(b, s, nil)
	event := readEvent(b, "post-confirmation-forgot-password.json")
	ctx := context.Background()
	// Warm: templates parsed, tenant loaded, connections open.
	if _, err := n.Invoke(ctx, wrap(b, "warm", received, event)); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		out, err := n.Invoke(ctx, wrap(b, fmt.Sprint("bench-", i), received, event))
		if err != nil || string(out) != `{"outcome":"sent"}` {
			b.Fatalf("%s %v", out, err)
		}
	}
}
