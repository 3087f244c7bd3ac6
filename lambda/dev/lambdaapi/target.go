package lambdaapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cogmail/cogmail/lambda/dev/rie"
)

// target is one function: its emulator and its queue of invocations.
type target struct {
	name   string
	url    string
	jobs   chan *job
	client *http.Client
}

// job is one invocation; done is set for a synchronous one, which waits for
// its result.
type job struct {
	id      string
	payload []byte
	ctx     context.Context
	attempt int
	done    chan result
}

// result is how an invocation ended.
type result struct {
	id string
	// status is the emulator's HTTP status; 0 when it could not be reached.
	status int
	body   []byte
	// functionError is set when the function failed: Lambda's
	// X-Amz-Function-Error value.
	functionError string
	// err is a failure to reach the emulator at all.
	err error
}

// invoke runs one invocation on the emulator. The request id goes along as
// X-Amzn-RequestId, which the emulator hands to the function as its
// context's request id: retries of one event keep it, as in Lambda.
func (t *target) invoke(ctx context.Context, id string, payload []byte) result {
	res := result{id: id}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(payload))
	if err != nil {
		res.err = err
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amzn-RequestId", id)
	resp, err := t.client.Do(req)
	if err != nil {
		res.err = err
		return res
	}
	defer resp.Body.Close()
	res.status = resp.StatusCode
	if res.body, err = io.ReadAll(io.LimitReader(resp.Body, maxPayload+1)); err != nil {
		res.err = err
		return res
	}
	res.functionError = resp.Header.Get("X-Amz-Function-Error")
	switch {
	case res.functionError != "":
	case rie.IsErrorDocument(res.body):
		// The emulator answers a returned error with 200 and the error
		// document, a crash with 502 and the document.
		res.functionError = "Unhandled"
	case bytes.HasPrefix(res.body, []byte("Task timed out")):
		// The emulator's timeout: 200 and this plain text.
		res.functionError = "Unhandled"
		res.body = errorDocument("Sandbox.Timedout", string(res.body))
	case res.status != http.StatusOK:
		// An empty 502: the function could not start; the reason is only
		// in the emulator's log.
		res.functionError = "Unhandled"
		res.body = errorDocument("Runtime.Unknown", fmt.Sprintf("the emulator answered %d: see its log", res.status))
	}
	return res
}

func (r result) failed() bool { return r.err != nil || r.functionError != "" }

// write answers a synchronous invocation as Lambda does: 200 with the
// function's answer, and X-Amz-Function-Error when that is an error.
func (r result) write(w http.ResponseWriter) {
	if r.err != nil {
		apiError(w, http.StatusBadGateway, "ServiceException", "the function's emulator could not be reached: "+r.err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if r.functionError != "" {
		w.Header().Set("X-Amz-Function-Error", r.functionError)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(r.body)
}

// errorCode is the DLQ's ErrorCode: the HTTP status of the invocation, 200
// for a function error as in Lambda, 5xx when the emulator failed.
func (r result) errorCode() int {
	if r.err != nil {
		return http.StatusBadGateway
	}
	return r.status
}

// errorMessage is the DLQ's ErrorMessage: the function's error message,
// cut to 1 KB as Lambda cuts it.
func (r result) errorMessage() string {
	msg := r.reason()
	if doc := r.document(); doc.Message != "" {
		msg = doc.Message
	}
	if len(msg) > 1024 {
		msg = strings.ToValidUTF8(msg[:1024], "")
	}
	return msg
}

// reason is what the log says about a failure: the error type, never the
// message, which may quote the event.
func (r result) reason() string {
	if r.err != nil {
		return "emulator unreachable"
	}
	if doc := r.document(); doc.Type != "" {
		return fmt.Sprintf("%d %s: %s", r.status, r.functionError, doc.Type)
	}
	return fmt.Sprintf("%d %s", r.status, r.functionError)
}

type errorDoc struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}

func (r result) document() errorDoc {
	var doc errorDoc
	_ = json.Unmarshal(r.body, &doc)
	return doc
}

func errorDocument(errorType, message string) []byte {
	b, _ := json.Marshal(errorDoc{Message: message, Type: errorType})
	return b
}
