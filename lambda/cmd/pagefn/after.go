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
	pending map[string]*sync.WaitGroup // by request id
}

// registerAfterwork registers the extension when the process runs in
// Lambda (or the emulator) and starts its loop; elsewhere it returns nil.
// It must run before the runtime asks for its first event.
func registerAfterwork(getenv func(string) string, logger *slog.Logger) (*afterwork, error) {
	api := getenv(envRuntimeAPI)
	if api == "" {
		return nil, nil
	}
	a := &afterwork{api: api, client: &http.Client{}, logger: logger, pending: map[string]*sync.WaitGroup{}}
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

// count returns the invocation's counter, created holding the handler.
func (a *afterwork) count(id string) *sync.WaitGroup {
	a.mu.Lock()
	defer a.mu.Unlock()
	wg, ok := a.pending[id]
	if !ok {
		wg = new(sync.WaitGroup)
		wg.Add(1) // the handler, until handled
		a.pending[id] = wg
	}
	return wg
}

// wait returns when the invocation's handler and work are done, or at its
// deadline (an invocation that never reached the handler, say).
func (a *afterwork) wait(id string, deadline time.Time) {
	wg := a.count(id)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		a.logger.Warn("work after the answer outlived the invocation")
	}
	a.mu.Lock()
	delete(a.pending, id)
	a.mu.Unlock()
}

// handled marks the invocation's handler done: its answer is written and
// it starts no more work.
func (a *afterwork) handled(ctx context.Context) {
	if id := requestID(ctx); a != nil && id != "" {
		a.count(id).Done()
	}
}

// after runs work in a goroutine that the invocation waits for.
func (a *afterwork) after(ctx context.Context, work func()) {
	id := requestID(ctx)
	if a == nil || id == "" {
		go work()
		return
	}
	wg := a.count(id)
	wg.Go(work)
}

func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}
