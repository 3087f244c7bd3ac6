package lambdaapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/dev/patience"
)

// function is a small real HTTP server standing where an emulator would:
// it records each invocation and answers with answer's reply.
type function struct {
	*httptest.Server
	mu      sync.Mutex
	calls   []call
	running atomic.Int32
	overlap atomic.Bool
}

type call struct {
	id      string
	payload string
}

// reply is a function's answer to its n-th invocation (from 1).
type reply func(n int, payload []byte) (status int, body string)

func newFunction(t *testing.T, answer reply) *function {
	f := &function{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The emulator refuses a second invocation while one runs.
		if f.running.Add(1) > 1 {
			f.overlap.Store(true)
		}
		defer f.running.Add(-1)
		payload, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.calls = append(f.calls, call{id: r.Header.Get("X-Amzn-RequestId"), payload: string(payload)})
		n := len(f.calls)
		f.mu.Unlock()
		status, body := answer(n, payload)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *function) invocations() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// waitCalls waits until f has been invoked n times; idle, the router hands
// an event on within milliseconds.
func (f *function) waitCalls(t *testing.T, n int) []call {
	t.Helper()
	deadline := time.Now().Add(patience.For(2 * time.Second))
	for len(f.invocations()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d invocations, want %d", len(f.invocations()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return f.invocations()
}

func echo(_ int, payload []byte) (int, string) { return http.StatusOK, string(payload) }

const failure = `{"errorMessage":"ses: MessageRejected","errorType":"retryable"}`

func fails(int, []byte) (int, string) { return http.StatusOK, failure }

func startRouter(t *testing.T, opts Options) string {
	t.Helper()
	r := New(opts)
	srv := httptest.NewServer(r)
	t.Cleanup(func() { srv.Close(); r.Close() })
	return srv.URL
}

func invoke(t *testing.T, base, name, kind, payload string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/2015-03-31/functions/"+name+"/invocations", strings.NewReader(payload))
	require.NoError(t, err)
	if kind != "" {
		req.Header.Set("X-Amz-Invocation-Type", kind)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func TestRequestResponse(t *testing.T) {
	for _, tc := range []struct {
		name, fn    string
		answer      reply
		wantError   string
		wantBodyHas string
	}{
		{name: "case=the function's answer, as it gave it", fn: "function", answer: echo, wantBodyHas: `{"hello":"world"}`},
		{name: "case=a returned error is flagged Unhandled", fn: "function", answer: fails, wantError: "Unhandled", wantBodyHas: "MessageRejected"},
		{name: "case=an empty 502 becomes an error document", fn: "function",
			answer:    func(int, []byte) (int, string) { return http.StatusBadGateway, "" },
			wantError: "Unhandled", wantBodyHas: `"errorType":"Runtime.Unknown"`},
		{name: "case=the emulator's timeout is an error", fn: "function",
			answer:    func(int, []byte) (int, string) { return http.StatusOK, "Task timed out after 3.00 seconds" },
			wantError: "Unhandled", wantBodyHas: `"errorType":"Sandbox.Timedout"`},
		{name: "case=a function named by its ARN and qualifier", fn: "arn:aws:lambda:us-east-1:123456789012:function:function:$LATEST", answer: echo, wantBodyHas: "hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFunction(t, tc.answer)
			base := startRouter(t, Options{Functions: map[string]string{"function": f.URL}})
			resp := invoke(t, base, tc.fn, "", `{"hello":"world"}`)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, tc.wantError, resp.Header.Get("X-Amz-Function-Error"))
			assert.Contains(t, body(t, resp), tc.wantBodyHas)
			calls := f.invocations()
			require.Len(t, calls, 1)
			assert.Equal(t, resp.Header.Get("X-Amzn-Requestid"), calls[0].id, "the function sees the request id the caller got")
			assert.Equal(t, `{"hello":"world"}`, calls[0].payload)
		})
	}
}

func TestUnknownRoutes(t *testing.T) {
	f := newFunction(t, echo)
	base := startRouter(t, Options{Functions: map[string]string{"function": f.URL}})
	for _, tc := range []struct{ name, fn, wantType string }{
		{"case=an unknown function", "other", "ResourceNotFoundException"},
		{"case=no function name", "", "UnknownOperationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := invoke(t, base, tc.fn, "Event", "{}")
			assert.Equal(t, http.StatusNotFound, resp.StatusCode)
			assert.Equal(t, tc.wantType, resp.Header.Get("X-Amzn-Errortype"))
		})
	}
	assert.Empty(t, f.invocations())
}

func TestEvent(t *testing.T) {
	t.Run("case=answered 202 before the function ends", func(t *testing.T) {
		release := make(chan struct{})
		f := newFunction(t, func(n int, p []byte) (int, string) { <-release; return echo(n, p) })
		base := startRouter(t, Options{Functions: map[string]string{"function": f.URL}})
		resp := invoke(t, base, "function", "Event", `{"n":1}`)
		assert.Equal(t, http.StatusAccepted, resp.StatusCode)
		assert.NotEmpty(t, resp.Header.Get("X-Amzn-Requestid"))
		close(release)
		calls := f.waitCalls(t, 1)
		assert.Equal(t, resp.Header.Get("X-Amzn-Requestid"), calls[0].id)
	})

	t.Run("case=one function's invocations run one at a time, in order", func(t *testing.T) {
		f := newFunction(t, func(n int, p []byte) (int, string) { time.Sleep(5 * time.Millisecond); return echo(n, p) })
		base := startRouter(t, Options{Functions: map[string]string{"function": f.URL}})
		const events = 8
		for i := range events {
			assert.Equal(t, http.StatusAccepted, invoke(t, base, "function", "Event", fmt.Sprintf(`{"n":%d}`, i)).StatusCode)
		}
		// A synchronous call waits its turn behind them.
		assert.Equal(t, `{"n":"sync"}`, body(t, invoke(t, base, "function", "RequestResponse", `{"n":"sync"}`)))
		calls := f.waitCalls(t, events+1)
		for i := range events {
			assert.Equal(t, fmt.Sprintf(`{"n":%d}`, i), calls[i].payload)
		}
		assert.False(t, f.overlap.Load(), "two invocations overlapped")
	})

	t.Run("case=a function error is retried with the same request id until it succeeds", func(t *testing.T) {
		f := newFunction(t, func(n int, p []byte) (int, string) {
			if n < 3 {
				return fails(n, p)
			}
			return echo(n, p)
		})
		var log syncWriter
		base := startRouter(t, Options{Functions: map[string]string{"function": f.URL},
			RetryDelays: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}, Log: &log})
		resp := invoke(t, base, "function", "Event", `{"email":"ana@example.com"}`)
		calls := f.waitCalls(t, 3)
		for _, c := range calls {
			assert.Equal(t, resp.Header.Get("X-Amzn-Requestid"), c.id)
			assert.Equal(t, `{"email":"ana@example.com"}`, c.payload)
		}
		// A later event's invocation shows the third attempt was settled.
		invoke(t, base, "function", "Event", `{}`)
		f.waitCalls(t, 4)
		assert.Contains(t, log.String(), "attempt 2 of 3 failed")
		assert.NotContains(t, log.String(), "attempt 3")
		assert.NotContains(t, log.String(), "ana@example.com", "payloads stay out of the log")
	})

	t.Run("case=no retry when the delays are empty", func(t *testing.T) {
		f := newFunction(t, fails)
		var log syncWriter
		base := startRouter(t, Options{Functions: map[string]string{"function": f.URL}, RetryDelays: []time.Duration{}, Log: &log})
		invoke(t, base, "function", "Event", `{}`)
		f.waitCalls(t, 1)
		waitLog(t, &log, "event dropped")
		assert.Len(t, f.invocations(), 1)
		assert.Contains(t, log.String(), "attempt 1 of 1 failed (200 Unhandled: retryable)")
	})
}

// After three failed attempts the event lands in the dead-letter queue in
// moto_server, unchanged, with Lambda's DLQ attributes, and the log names
// neither the payload nor the error message.
func TestDeadLetterQueue(t *testing.T) {
	endpoint := moto.Start(t)
	ctx := t.Context()
	queue, err := SQS{}.CreateQueue(ctx, endpoint, "cogmail-notifier-dlq")
	require.NoError(t, err)

	f := newFunction(t, fails)
	var log syncWriter
	base := startRouter(t, Options{Functions: map[string]string{"notifier": f.URL}, DLQ: queue,
		RetryDelays: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}, Log: &log})
	event := `{"cogmail":"notice","id":"1","event":{"userName":"ana@example.com"}}`
	resp := invoke(t, base, "notifier", "Event", event)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	id := resp.Header.Get("X-Amzn-Requestid")

	msg := receiveOne(t, ctx, queue)
	assert.Equal(t, event, msg.Body)
	assert.Equal(t, map[string]Attribute{
		"RequestID":    {DataType: "String", StringValue: id},
		"ErrorCode":    {DataType: "Number", StringValue: "200"},
		"ErrorMessage": {DataType: "String", StringValue: "ses: MessageRejected"},
	}, msg.MessageAttributes)
	assert.Len(t, f.invocations(), 3, "the first attempt and two retries")
	waitLog(t, &log, "sent to the dead-letter queue")
	assert.NotContains(t, log.String(), "ana@example.com")
	assert.NotContains(t, log.String(), "MessageRejected")
}

// Each function's failed events go to its own dead-letter queue, as each
// Lambda function has its own; one without falls back to Options.DLQ.
func TestEachFunctionHasItsOwnDeadLetterQueue(t *testing.T) {
	endpoint := moto.Start(t)
	ctx := t.Context()
	queues := map[string]string{}
	for _, name := range []string{"shared-dlq", "sender-dlq"} {
		q, err := SQS{}.CreateQueue(ctx, endpoint, name)
		require.NoError(t, err)
		queues[name] = q
	}
	notifier, sender := newFunction(t, fails), newFunction(t, fails)
	base := startRouter(t, Options{Functions: map[string]string{"notifier": notifier.URL, "sender": sender.URL},
		DLQ: queues["shared-dlq"], DLQs: map[string]string{"sender": queues["sender-dlq"]},
		RetryDelays: []time.Duration{10 * time.Millisecond}})
	for _, tc := range []struct{ function, queue string }{
		{"sender", "sender-dlq"},
		{"notifier", "shared-dlq"},
	} {
		t.Run("case="+tc.function, func(t *testing.T) {
			event := `{"to":"` + tc.function + `"}`
			invoke(t, base, tc.function, "Event", event)
			assert.Equal(t, event, receiveOne(t, ctx, queues[tc.queue]).Body)
		})
	}
}

func receiveOne(t *testing.T, ctx context.Context, queue string) QueueMessage {
	t.Helper()
	deadline := time.Now().Add(patience.For(3 * time.Second))
	for {
		msgs, err := SQS{}.ReceiveMessages(ctx, queue, time.Second)
		require.NoError(t, err)
		if len(msgs) > 0 {
			require.Len(t, msgs, 1)
			return msgs[0]
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing reached the dead-letter queue")
		}
	}
}

func waitLog(t *testing.T, log *syncWriter, want string) {
	t.Helper()
	deadline := time.Now().Add(patience.For(2 * time.Second))
	for !strings.Contains(log.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the log never said %q:\n%s", want, log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFunctionName(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/2015-03-31/functions/notifier/invocations", "notifier"},
		{"/2015-03-31/functions/notifier:live/invocations", "notifier"},
		{"/2015-03-31/functions/123456789012:function:notifier/invocations", "notifier"},
		{"/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:notifier:7/invocations", "notifier"},
		{"/2015-03-31/functions//invocations", ""},
		{"/2015-03-31/functions/a/b/invocations", ""},
		{"/2015-03-31/functions/notifier", ""},
	} {
		t.Run("case="+tc.path, func(t *testing.T) {
			got, ok := functionName(tc.path)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.want != "", ok)
		})
	}
}

func TestRequestIDIsAUUID(t *testing.T) {
	a, b := requestID(), requestID()
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, a)
	assert.NotEqual(t, a, b)
}

// syncWriter is a buffer the router's goroutines write while the test reads.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		s.w = &bytes.Buffer{}
	}
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		return ""
	}
	return s.w.String()
}
