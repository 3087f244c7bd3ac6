package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/lambdaapi"
)

// ServeFile is the file in the state folder that holds a detached stack's
// ServeConfig, for the process that serves it.
const ServeFile = "serve.json"

// ServeConfig is what the stack's own process serves while the stack runs:
// the local Lambda Invoke API (package lambdaapi) and the collection of
// moto_server's SES messages into the mailbox. An attached stack serves it
// in the process that started it; a detached one in a process of its own,
// Options.Serve, which runs Serve.
type ServeConfig struct {
	// Addr is the Invoke API's address, 127.0.0.1:port.
	Addr string `json:"addr"`
	// Functions maps function names to their emulators' invocation URLs.
	Functions map[string]string `json:"functions"`
	// DLQs are the functions' dead-letter queues' URLs, in moto_server's
	// SQS, by function name.
	DLQs map[string]string `json:"dlqs,omitempty"`
	// RetryDelays are the asynchronous retries' waits; nil means
	// lambdaapi.DefaultRetryDelays.
	RetryDelays []time.Duration `json:"retryDelays,omitempty"`
	// Moto is moto_server's endpoint; empty collects no SES messages.
	Moto    string  `json:"moto,omitempty"`
	Mailbox Mailbox `json:"mailbox"`
}

// ReadServeConfig reads a ServeConfig written by a detached Start.
func ReadServeConfig(path string) (ServeConfig, error) {
	var c ServeConfig
	data, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Serve serves c until ctx ends; log receives the router's and the
// collector's lines.
func Serve(ctx context.Context, c ServeConfig, log io.Writer) error {
	s, err := startServing(c, log)
	if err != nil {
		return err
	}
	<-ctx.Done()
	return s.stop()
}

// serving is a started ServeConfig.
type serving struct {
	srv    *http.Server
	router *lambdaapi.Router
	cancel context.CancelFunc
	wg     sync.WaitGroup
	served chan error
}

func startServing(c ServeConfig, log io.Writer) (*serving, error) {
	l, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return nil, fmt.Errorf("the local Lambda API: %w", err)
	}
	router := lambdaapi.New(lambdaapi.Options{Functions: c.Functions, DLQs: c.DLQs, RetryDelays: c.RetryDelays, Log: log})
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{srv: &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second}, router: router,
		cancel: cancel, served: make(chan error, 1)}
	go func() { s.served <- s.srv.Serve(l) }()
	if c.Moto != "" {
		collector := newSESCollector(c.Moto, c.Mailbox, log)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			collector.run(ctx)
		}()
	}
	return s, nil
}

// stop closes the API (calls under way are cut), stops the router's retries
// and the collector, and waits for them.
func (s *serving) stop() error {
	s.cancel()
	err := s.srv.Close()
	s.router.Close()
	s.wg.Wait()
	if served := <-s.served; !errors.Is(served, http.ErrServerClosed) {
		err = errors.Join(err, served)
	}
	return err
}
