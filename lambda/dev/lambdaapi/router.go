// Package lambdaapi is a local stand-in for the Lambda service's Invoke API,
// for the local stack only: cognito-local's Lambda client and the notifier's
// self-invoke call it as they would call Lambda, and it hands each
// invocation to the Runtime Interface Emulator running that function
// (cogmail's Custom Message function, the notifier, the Custom Email
// Sender).
//
// It serves POST /2015-03-31/functions/{name}/invocations on 127.0.0.1:
//   - X-Amz-Invocation-Type RequestResponse (the default) waits for the
//     function and answers as Lambda does, with X-Amz-Function-Error when
//     the function failed (the emulator itself drops that header);
//   - Event answers 202 at once and invokes in the background with Lambda's
//     asynchronous policy: two retries after a function error, then the
//     event goes to the function's dead-letter queue, an SQS queue, with
//     Lambda's DLQ message attributes (RequestID, ErrorCode, ErrorMessage).
//
// Where it differs from Lambda, on purpose: the retry delays are seconds, not
// Lambda's one and two minutes (Options.RetryDelays); one emulator runs one
// invocation at a time, so each function's invocations, synchronous and
// asynchronous, run one after another in the order they came (a function
// that invokes itself synchronously would wait forever); throttling and
// service errors are retried like function errors, not for up to six hours;
// events still queued when the router closes are lost.
package lambdaapi

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultRetryDelays are Lambda's waits before its two retries of a failed
// asynchronous invocation, one and two minutes, scaled down sixty times.
var DefaultRetryDelays = []time.Duration{time.Second, 2 * time.Second}

const (
	// maxPayload is Lambda's synchronous request limit (6 MB); asynchronous
	// events are accepted up to the same size here.
	maxPayload = 6 << 20
	// queueLength bounds each function's waiting invocations; beyond it the
	// router answers 429, as Lambda does when throttled.
	queueLength = 256
	pathPrefix  = "/2015-03-31/functions/"
	pathSuffix  = "/invocations"
)

// Options configures New.
type Options struct {
	// Functions maps a function name to its emulator's invocation URL
	// (…/2015-03-31/functions/function/invocations).
	Functions map[string]string
	// RetryDelays are the waits before each retry of a failed asynchronous
	// invocation: nil means DefaultRetryDelays, empty means no retry.
	RetryDelays []time.Duration
	// DLQ is the SQS queue URL failed asynchronous events go to; empty
	// drops them, saying so in Log.
	DLQ string
	// DLQs are functions' own dead-letter queues, by function name, as
	// each Lambda function has its own; a function not named uses DLQ.
	DLQs map[string]string
	// SQS sends to the DLQ; its zero value signs for Region with dummy
	// credentials.
	SQS SQS
	// Log receives one line per failed attempt, retry and dead letter:
	// function names, request ids and error types, never payloads (they
	// carry addresses). nil discards them.
	Log io.Writer
}

// Router is the local Invoke API. Close it to stop its background work.
type Router struct {
	opts    Options
	targets map[string]*target
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	logMu   sync.Mutex
}

// New starts a router with one worker per function.
func New(opts Options) *Router {
	if opts.RetryDelays == nil {
		opts.RetryDelays = DefaultRetryDelays
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Router{opts: opts, targets: map[string]*target{}, ctx: ctx, cancel: cancel}
	for name, url := range opts.Functions {
		t := &target{name: name, url: url, jobs: make(chan *job, queueLength),
			client: &http.Client{Transport: &http.Transport{Proxy: nil}}}
		r.targets[name] = t
		r.wg.Add(1)
		go r.work(t)
	}
	return r
}

// Close stops the workers and pending retries and waits for them; an
// invocation under way is abandoned.
func (r *Router) Close() {
	r.cancel()
	r.wg.Wait()
}

// ServeHTTP serves the Invoke API.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	name, ok := functionName(req.URL.Path)
	if !ok || req.Method != http.MethodPost {
		apiError(w, http.StatusNotFound, "UnknownOperationException", "only POST "+pathPrefix+"{name}"+pathSuffix+" is served here")
		return
	}
	t := r.targets[name]
	if t == nil {
		apiError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
		return
	}
	payload, err := io.ReadAll(io.LimitReader(req.Body, maxPayload+1))
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestContentException", err.Error())
		return
	}
	if len(payload) > maxPayload {
		apiError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "the payload exceeds 6 MB")
		return
	}
	if len(payload) == 0 {
		payload = []byte("{}") // Lambda's SDKs send none for an empty event
	}
	id := requestID()
	w.Header().Set("X-Amzn-Requestid", id)
	switch kind := req.Header.Get("X-Amz-Invocation-Type"); kind {
	case "", "RequestResponse":
		// The router's context, not the caller's: an invocation the caller
		// gives up on still runs to its end in the emulator, which takes
		// no other meanwhile.
		j := &job{id: id, payload: payload, ctx: r.ctx, done: make(chan result, 1)}
		if !r.enqueue(t, j) {
			apiError(w, http.StatusTooManyRequests, "TooManyRequestsException", "too many invocations are waiting")
			return
		}
		var res result
		select {
		case res = <-j.done:
		case <-req.Context().Done():
			return
		case <-r.ctx.Done():
			apiError(w, http.StatusServiceUnavailable, "ServiceException", "the router is closing")
			return
		}
		res.write(w)
	case "Event":
		if !r.enqueue(t, &job{id: id, payload: payload, ctx: r.ctx, attempt: 1}) {
			apiError(w, http.StatusTooManyRequests, "TooManyRequestsException", "too many invocations are waiting")
			return
		}
		w.WriteHeader(http.StatusAccepted)
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
	default:
		apiError(w, http.StatusBadRequest, "InvalidParameterValueException", "unknown X-Amz-Invocation-Type "+kind)
	}
}

// functionName takes the name from the path: a plain name, a partial or full
// ARN, any of them with a :qualifier.
func functionName(path string) (string, bool) {
	name, ok := strings.CutPrefix(path, pathPrefix)
	if !ok {
		return "", false
	}
	if name, ok = strings.CutSuffix(name, pathSuffix); !ok || name == "" || strings.Contains(name, "/") {
		return "", false
	}
	if _, after, found := strings.Cut(name, "function:"); found {
		name = after
	}
	name, _, _ = strings.Cut(name, ":")
	return name, name != ""
}

func (r *Router) enqueue(t *target, j *job) bool {
	select {
	case t.jobs <- j:
		return true
	default:
		return false
	}
}

// work runs t's invocations one at a time: the emulator refuses a second
// one while the first runs.
func (r *Router) work(t *target) {
	defer r.wg.Done()
	for {
		select {
		case <-r.ctx.Done():
			return
		case j := <-t.jobs:
			res := t.invoke(j.ctx, j.id, j.payload)
			if j.done != nil {
				j.done <- res
				continue
			}
			r.settle(t, j, res)
		}
	}
}

// settle decides what follows an asynchronous attempt: nothing, a retry
// after its delay, or the dead-letter queue.
func (r *Router) settle(t *target, j *job, res result) {
	if !res.failed() {
		return
	}
	attempts := 1 + len(r.opts.RetryDelays)
	if j.attempt < attempts {
		delay := r.opts.RetryDelays[j.attempt-1]
		r.logf("%s %s: attempt %d of %d failed (%s); retry in %s", t.name, j.id, j.attempt, attempts, res.reason(), delay)
		next := &job{id: j.id, payload: j.payload, ctx: j.ctx, attempt: j.attempt + 1}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			select {
			case <-time.After(delay):
				if !r.enqueue(t, next) {
					r.logf("%s %s: the queue is full; event dropped", t.name, j.id)
				}
			case <-r.ctx.Done():
			}
		}()
		return
	}
	r.logf("%s %s: attempt %d of %d failed (%s)", t.name, j.id, j.attempt, attempts, res.reason())
	dlq := r.opts.DLQs[t.name]
	if dlq == "" {
		dlq = r.opts.DLQ
	}
	if dlq == "" {
		r.logf("%s %s: no dead-letter queue; event dropped", t.name, j.id)
		return
	}
	attrs := map[string]Attribute{
		"RequestID":    {DataType: "String", StringValue: j.id},
		"ErrorCode":    {DataType: "Number", StringValue: fmt.Sprint(res.errorCode())},
		"ErrorMessage": {DataType: "String", StringValue: res.errorMessage()},
	}
	ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer cancel()
	if err := r.opts.SQS.SendMessage(ctx, dlq, string(j.payload), attrs); err != nil {
		r.logf("%s %s: send to the dead-letter queue: %v", t.name, j.id, err)
		return
	}
	r.logf("%s %s: sent to the dead-letter queue", t.name, j.id)
}

func (r *Router) logf(format string, args ...any) {
	if r.opts.Log == nil {
		return
	}
	r.logMu.Lock()
	defer r.logMu.Unlock()
	fmt.Fprintf(r.opts.Log, "lambdaapi: "+format+"\n", args...)
}

// apiError answers as Lambda's API does: the error type in a header and a
// small JSON body.
func apiError(w http.ResponseWriter, status int, errorType, message string) {
	w.Header().Set("X-Amzn-Errortype", errorType)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": message})
}

// requestID is a random UUID, as Lambda's request ids are.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
