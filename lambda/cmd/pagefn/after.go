package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Work the page starts after its answer (the call that sends a new email,
// whose duration tells whether the account exists) must run after the
// answer has left and before Lambda freezes the execution environment.
// Lambda sends the answer as soon as the runtime has posted it, and freezes
// the environment once the runtime and every extension have asked for the
// next event: an internal extension that asks only when the invocation's
// work is done keeps the environment running just that long. Internal
// extensions get INVOKE events only (never SHUTDOWN).

// extensionName names the internal extension; any name that is no file in
// /opt/extensions registers an internal one.
const extensionName = "cogmail-page-after"

// envRuntimeAPI is where Lambda serves the Runtime and Extensions APIs.
const envRuntimeAPI = "AWS_LAMBDA_RUNTIME_API"

// afterwork counts, per invocation, the handler itself and the work it
// started; the extension asks for the next event when the count is zero. A
// nil *afterwork (outside Lambda) runs work in plain goroutines.
type afterwork struct {
	api, id string
	client  *http.Client
	logger  *slog.Logger

	mu      sync.Mutex
	pending map[string]*invocation // by request id
	// finished remembers the invocations whose wait is over, the last
	// maxFinished of them (oldest first in order): a late call for one
	// must not start a count that nothing would ever wait for or delete.
	finished map[string]bool
	order    []string
}

// maxFinished bounds finished. Lambda runs one invocation at a time in an
// execution environment: a late call can only be for a recent one.
const maxFinished = 64

// invocation is one invocation's count.
type invocation struct {
	n    int           // the handler, until handled, plus the work still running
	done chan struct{} // closed when n drops to zero
}

func newAfterwork(logger *slog.Logger) *afterwork {
	return &afterwork{client: &http.Client{}, logger: logger, pending: map[string]*invocation{}, finished: map[string]bool{}}
}

// registerAfterwork registers the extension when the process runs in
// Lambda (or the emulator) and starts its loop; elsewhere it returns nil.
// It must run before the runtime asks for its first event.
func registerAfterwork(getenv func(string) string, logger *slog.Logger) (*afterwork, error) {
	api := getenv(envRuntimeAPI)
	if api == "" {
		return nil, nil
	}
	a := newAfterwork(logger)
	a.api = api
	req, err := http.NewRequest(http.MethodPost, a.url("register"), bytes.NewReader([]byte(`{"events":["INVOKE"]}`)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Lambda-Extension-Name", extensionName)
	res, err := a.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("registering the %s extension: %w", extensionName, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	if a.id = res.Header.Get("Lambda-Extension-Identifier"); res.StatusCode != http.StatusOK || a.id == "" {
		return nil, fmt.Errorf("registering the %s extension: %s: %s", extensionName, res.Status, bytes.TrimSpace(body))
	}
	go a.loop()
	return a, nil
}

func (a *afterwork) url(op string) string {
	return "http://" + a.api + "/2020-01-01/extension/" + op
}

// invokeEvent is the part of an INVOKE event the extension reads.
type invokeEvent struct {
	EventType  string `json:"eventType"`
	RequestID  string `json:"requestId"`
	DeadlineMs int64  `json:"deadlineMs"`
}

// loop waits for each invocation's work before it asks for the next
// event. If the Extensions API fails, the environment cannot be trusted to
// run that work: the process exits and Lambda starts a fresh one.
func (a *afterwork) loop() {
	for {
		ev, err := a.next()
		if err != nil {
			a.logger.Error("the extension that finishes work after answers failed: exiting", "error", err.Error())
			exit(1)
			return
		}
		if ev.EventType == "INVOKE" {
			a.wait(ev.RequestID, time.UnixMilli(ev.DeadlineMs))
		}
	}
}

// exit is os.Exit, replaced in tests.
var exit = os.Exit

func (a *afterwork) next() (invokeEvent, error) {
	req, err := http.NewRequest(http.MethodGet, a.url("event/next"), nil)
	if err != nil {
		return invokeEvent{}, err
	}
	req.Header.Set("Lambda-Extension-Identifier", a.id)
	res, err := a.client.Do(req)
	if err != nil {
		return invokeEvent{}, err
	}
	defer res.Body.Close()
	var ev invokeEvent
	if res.StatusCode != http.StatusOK {
		return ev, fmt.Errorf("next event: %s", res.Status)
	}
	return ev, json.NewDecoder(io.LimitReader(res.Body, 64<<10)).Decode(&ev)
}

// count returns the invocation's count, created holding the handler, or
// nil once its wait is over. The caller holds a.mu.
func (a *afterwork) count(id string) *invocation {
	if a.finished[id] {
		return nil
	}
	inv, ok := a.pending[id]
	if !ok {
		inv = &invocation{n: 1, done: make(chan struct{})} // the handler, until handled
		a.pending[id] = inv
	}
	return inv
}

// release takes one off the count. The caller holds a.mu.
func (inv *invocation) release() {
	if inv.n--; inv.n == 0 {
		close(inv.done)
	}
}

// wait returns when the invocation's handler and work are done, or at its
// deadline (an invocation that never reached the handler, say). Either way
// the invocation is finished then: later calls for it count nothing.
func (a *afterwork) wait(id string, deadline time.Time) {
	a.mu.Lock()
	inv := a.count(id)
	a.mu.Unlock()
	if inv == nil { // the same event twice: already waited for
		return
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-inv.done:
	case <-timer.C:
		a.logger.Warn("work after the answer outlived the invocation")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.pending, id)
	a.finished[id] = true
	if a.order = append(a.order, id); len(a.order) > maxFinished {
		delete(a.finished, a.order[0])
		a.order = a.order[1:]
	}
}

// handled marks the invocation's handler done: its answer is written and
// it starts no more work.
func (a *afterwork) handled(ctx context.Context) {
	id := requestID(ctx)
	if a == nil || id == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if inv := a.count(id); inv != nil && inv.n > 0 {
		inv.release()
	}
}

// after runs work in a goroutine that the invocation waits for. Work that
// comes after the invocation is over (its wait gave up at the deadline)
// runs all the same, uncounted: nothing waits for it any more. Either way
// work bounds its own duration (the page gives its calls a deadline), so
// no goroutine outlives its invocation by more than that.
func (a *afterwork) after(ctx context.Context, work func()) {
	id := requestID(ctx)
	if a == nil || id == "" {
		go work()
		return
	}
	a.mu.Lock()
	inv := a.count(id)
	if inv == nil || inv.n == 0 { // finished, or its count already reached zero
		a.mu.Unlock()
		a.logger.Warn("work started after its invocation was over")
		go work()
		return
	}
	inv.n++
	a.mu.Unlock()
	go func() {
		defer func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			inv.release()
		}()
		work()
	}()
}

func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}
