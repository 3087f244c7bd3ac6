// Package moto runs moto_server, a real implementation of the AWS APIs
// cogmail calls (Secrets Manager, SES v2, DynamoDB, SQS, KMS), for tests: on
// a free port of 127.0.0.1, stopped when the test ends. Find, Args and Await
// serve the local stack, which runs it as one of its processes, KMS makes
// its key, and Sent reads what its SES accepted.
package moto

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/patience"
)

// Start runs moto_server until t ends (passed, failed or panicked) and
// returns its URL. Without moto_server on PATH the test is skipped, saying
// how to install it.
func Start(t testing.TB) string {
	t.Helper()
	path, err := Find()
	if err != nil {
		t.Skip(err.Error())
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	logPath := filepath.Join(t.TempDir(), "moto.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, Args(port)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	// Registered after t.TempDir, so it runs before the directory is removed.
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		_ = logFile.Close()
	})
	motoLog := func() string {
		b, _ := os.ReadFile(logPath)
		return string(b)
	}

	endpoint := "http://127.0.0.1:" + port
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	// Idle, moto_server answers within a few seconds.
	within := patience.For(5 * time.Second)
	for deadline := start.Add(within); ; {
		resp, err := client.Get(endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("moto_server exited before answering:\n%s", motoLog())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s within %s: %v\n%s", endpoint, within, err, motoLog())
		}
	}
	t.Logf("moto_server answered on %s after %v", endpoint, time.Since(start).Round(time.Millisecond))
	return endpoint
}

// Find returns moto_server from PATH, or an error saying how to install it.
func Find() (string, error) {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		return "", fmt.Errorf("moto_server not on PATH: %w (pip install 'moto[server]' to run the tests against the AWS APIs)", err)
	}
	return path, nil
}

// Args are moto_server's arguments to serve on 127.0.0.1:port only.
func Args(port string) []string { return []string{"-H", "127.0.0.1", "-p", port} }

// Await returns once moto_server answers at endpoint, or when ctx ends or
// exited (closed when the process exits) is closed.
func Await(ctx context.Context, endpoint string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/moto-api/", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-exited:
			return errors.New("moto_server exited before answering")
		case <-ctx.Done():
			return fmt.Errorf("moto_server did not answer on %s: %w", endpoint, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
