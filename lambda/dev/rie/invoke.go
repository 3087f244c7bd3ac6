// Invoking the function, and the errors an invocation reports.

package rie

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/patience"
)

// InvokeError is an invocation the function did not answer normally: the
// emulator answered other than 200, or answered 200 with Lambda's error
// document, which is how it reports an error the function returned.
type InvokeError struct {
	StatusCode int
	Body       []byte
	// Log holds the emulator's error lines from this invocation: its only
	// account of a function that could not be started.
	Log string
}

func (e *InvokeError) Error() string {
	var b strings.Builder
	if e.StatusCode == http.StatusOK {
		b.WriteString("rie: the function returned an error")
	} else {
		fmt.Fprintf(&b, "rie: the emulator answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if body := strings.TrimSpace(string(e.Body)); body != "" {
		b.WriteString(": ")
		b.WriteString(body)
	}
	if e.Log != "" {
		b.WriteString("\nemulator log:\n")
		b.WriteString(indent(e.Log))
	}
	return b.String()
}

// Invoke invokes the function once with payload, the event, and returns its
// answer. A failed invocation is an *InvokeError.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	e.invokeMu.Lock()
	defer e.invokeMu.Unlock()
	select {
	case <-e.exited:
		return nil, fmt.Errorf("rie: the emulator is not running (%s); its output:\n%s", e.cmd.ProcessState, indent(e.log.tail(20)))
	default:
	}

	mark := e.log.mark()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("rie: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("rie: invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("rie: read the answer: %w", err)
	}
	if len(body) > maxResponse {
		return nil, fmt.Errorf("rie: the answer exceeds %d bytes", maxResponse)
	}
	if resp.StatusCode != http.StatusOK || isErrorDocument(body) {
		// The answer can come before the log lines that explain it, which
		// travel through a pipe.
		e.log.settle(50*time.Millisecond, patience.For(time.Second))
		return nil, &InvokeError{StatusCode: resp.StatusCode, Body: body, Log: errorLines(e.log.since(mark))}
	}
	return body, nil
}

// IsErrorDocument reports whether body is Lambda's function error document,
// as the emulator answers a function's error (lambda/dev/lambdaapi reads
// its answers too).
func IsErrorDocument(body []byte) bool { return isErrorDocument(body) }

// isErrorDocument reports whether body is Lambda's function error document:
// an object with errorMessage and errorType and nothing beyond the other
// fields runtimes add to it.
func isErrorDocument(body []byte) bool {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return false
	}
	_, hasMessage := doc["errorMessage"]
	_, hasType := doc["errorType"]
	if !hasMessage || !hasType {
		return false
	}
	for key := range doc {
		switch key {
		case "errorMessage", "errorType", "stackTrace", "requestId", "cause":
		default:
			return false
		}
	}
	return true
}

// errorLines keeps the emulator's [ERROR] lines: enough to say why, without
// repeating the whole log the caller has already been shown.
func errorLines(log string) string {
	var kept []string
	for line := range strings.Lines(log) {
		if strings.Contains(line, "[ERROR]") {
			kept = append(kept, strings.TrimRight(line, "\n"))
		}
	}
	return strings.Join(kept, "\n")
}
