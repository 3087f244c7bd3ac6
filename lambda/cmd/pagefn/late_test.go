package main

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/patience"
)

func invocationContext(id string) context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: id})
}

func (a *afterwork) counting() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.pending)
}

// An invocation's wait ends when its handler and the work it started are
// done, not before.
func TestAfterworkWaitsForWork(t *testing.T) {
	logs := new(syncBuffer)
	a := newAfterwork(slog.New(slog.NewJSONHandler(logs, nil)))
	ctx := invocationContext("r1")
	release := make(chan struct{})
	a.after(ctx, func() { <-release })
	a.handled(ctx)
	waited := make(chan struct{})
	go func() { a.wait("r1", time.Now().Add(time.Hour)); close(waited) }()
	select {
	case <-waited:
		t.Fatal("the wait ended while work was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	select {
	case <-waited:
	case <-time.After(patience.For(5 * time.Second)):
		t.Fatal("the wait did not end when the work did")
	}
	assert.Zero(t, a.counting())
	assert.NotContains(t, logs.String(), "outlived")
}

// Once an invocation's wait has given up at its deadline, a late handler
// or late work counts nothing: no count is left behind that nothing would
// ever wait for, and late work still runs.
func TestAfterworkLateCalls(t *testing.T) {
	tests := []struct {
		name string
		late func(a *afterwork, ctx context.Context) (ran chan struct{})
	}{
		{"case=handler-done-late", func(a *afterwork, ctx context.Context) chan struct{} {
			a.handled(ctx)
			return nil
		}},
		{"case=work-started-late", func(a *afterwork, ctx context.Context) chan struct{} {
			ran := make(chan struct{})
			a.after(ctx, func() { close(ran) })
			return ran
		}},
		{"case=both-late", func(a *afterwork, ctx context.Context) chan struct{} {
			ran := make(chan struct{})
			a.after(ctx, func() { close(ran) })
			a.handled(ctx)
			return ran
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := new(syncBuffer)
			a := newAfterwork(slog.New(slog.NewJSONHandler(logs, nil)))
			// The handler never ran by the deadline, already past.
			a.wait("r1", time.Now())
			require.Contains(t, logs.String(), "outlived the invocation")
			require.Zero(t, a.counting())

			if ran := tt.late(a, invocationContext("r1")); ran != nil {
				select {
				case <-ran:
				case <-time.After(patience.For(5 * time.Second)):
					t.Fatal("late work did not run")
				}
			}
			assert.Zero(t, a.counting(), "a late call left a count behind")
			// The same event again returns at once: nothing is counted for it.
			waited := make(chan struct{})
			go func() { a.wait("r1", time.Now().Add(time.Hour)); close(waited) }()
			select {
			case <-waited:
			case <-time.After(patience.For(5 * time.Second)):
				t.Fatal("a finished invocation was waited for again")
			}
			assert.Zero(t, a.counting())
		})
	}
}

// The finished invocations it remembers are bounded.
func TestAfterworkRemembersBoundedly(t *testing.T) {
	a := newAfterwork(slog.New(slog.DiscardHandler))
	for i := range 3 * maxFinished {
		id := fmt.Sprintf("r%d", i)
		a.handled(invocationContext(id))
		a.wait(id, time.Now().Add(time.Hour))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	assert.Empty(t, a.pending)
	assert.Len(t, a.finished, maxFinished)
	assert.Len(t, a.order, maxFinished)
	assert.True(t, a.finished[fmt.Sprintf("r%d", 3*maxFinished-1)], "the latest is remembered")
}
