// Package rie runs a Lambda function locally the way Lambda runs it: through
// the AWS Lambda Runtime Interface Emulator (aws-lambda-rie), which serves the
// Runtime API to the function's bootstrap and turns an HTTP POST into an
// invocation. Running the built bootstrap this way, rather than calling the
// handler in-process, exercises the same binary, build tags and Runtime API
// loop that Lambda will.
//
// Measured on emulator v0.0.0-20261030222936-bef5c4ba774d:
//   - it accepts connections ~30 ms after it starts, but it starts the
//     function only on the first invocation, so that one pays the cold start;
//   - it never checks the bootstrap until that first invocation, and then
//     answers 502 with an empty body, the reason only in its log;
//   - a function that returns an error is answered 200 with Lambda's error
//     document ({"errorMessage":…,"errorType":…}): the emulator drops the
//     X-Amz-Function-Error header Lambda would set; a function that panics is
//     answered 502 with that document, one that exits mid-invocation 502 with
//     a Runtime.ExitError document, and one that dies before asking for its
//     first event an empty 502, the reason again only in the log;
//   - it forwards its whole environment to the function and adds the
//     AWS_LAMBDA_* variables (function name "test_function"), but not
//     AWS_REGION, AWS_DEFAULT_REGION or TZ, which Lambda always sets: see
//     WithLambdaDefaults;
//   - it starts the function in a process group of its own and does not stop
//     it when it is itself killed: see Stop.
package rie

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// BinaryName is the emulator's executable, as `make tools` installs it into
// <module root>/.bin.
const BinaryName = "aws-lambda-rie"

const (
	// startTimeout bounds the wait for the emulator to listen; it normally
	// takes tens of milliseconds, so reaching this means something is wrong.
	startTimeout = 10 * time.Second
	// stopTimeout bounds the wait for the emulator's processes to vanish
	// after SIGKILL.
	stopTimeout = 5 * time.Second
	// maxResponse is above Lambda's 6 MB synchronous response limit, so a
	// response Lambda would accept is never cut short.
	maxResponse = 16 << 20
	// invocationPath is the only route the emulator serves: the function name
	// in it must be "function".
	invocationPath = "/2015-03-31/functions/function/invocations"
)

// ModuleRoot returns the directory holding go.mod, walking up from the
// working directory: tests run in their package directory and commands in
// whatever directory make was started from, and both need the module's
// .bin/ and events/.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	for {
		if info, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && info.Mode().IsRegular() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("module root: no go.mod in the working directory or any directory above it")
		}
		dir = parent
	}
}

// Find returns the emulator binary: <moduleRoot>/.bin/aws-lambda-rie, which
// `make tools` installs at the version the project pins, else one on PATH.
// moduleRoot may be empty to look on PATH only.
func Find(moduleRoot string) (string, error) {
	var tried []string
	if moduleRoot != "" {
		local := filepath.Join(moduleRoot, ".bin", BinaryName)
		if isExecutableFile(local) {
			return local, nil
		}
		tried = append(tried, local)
	}
	if path, err := exec.LookPath(BinaryName); err == nil {
		return filepath.Abs(path)
	}
	tried = append(tried, "PATH")
	return "", fmt.Errorf("%s not found (looked in %s): run `make tools` to install it", BinaryName, strings.Join(tried, " and "))
}

func isExecutableFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}

// WithLambdaDefaults returns env plus the variables Lambda always sets for a
// function but the emulator does not, each only when env lacks it, so that a
// caller's own choice wins:
//   - AWS_REGION, from AWS_DEFAULT_REGION when set, else us-east-1 (the
//     region of the function ARN the emulator reports);
//   - AWS_DEFAULT_REGION, equal to AWS_REGION;
//   - TZ=:UTC, so that dates render as they will in Lambda rather than in the
//     developer's time zone.
//
// Variables the emulator sets itself (AWS_LAMBDA_FUNCTION_NAME and the other
// AWS_LAMBDA_* ones) are left to it.
func WithLambdaDefaults(env []string) []string {
	out := append([]string(nil), env...)
	region := lookup(env, "AWS_REGION")
	if region == "" {
		region = lookup(env, "AWS_DEFAULT_REGION")
		if region == "" {
			region = "us-east-1"
		}
		out = append(out, "AWS_REGION="+region)
	}
	if lookup(env, "AWS_DEFAULT_REGION") == "" {
		out = append(out, "AWS_DEFAULT_REGION="+region)
	}
	if _, ok := lookupOK(env, "TZ"); !ok {
		out = append(out, "TZ=:UTC")
	}
	return out
}

// lookup returns the value of key in env; like exec.Cmd, the last entry wins.
func lookup(env []string, key string) string {
	v, _ := lookupOK(env, key)
	return v
}

func lookupOK(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// Options configures Start.
type Options struct {
	// Emulator is the aws-lambda-rie binary (see Find).
	Emulator string
	// Bootstrap is the function binary, built for Linux with
	// `-tags lambda.norpc`. The function runs in its directory, as Lambda
	// runs it in /var/task where its package is unpacked.
	Bootstrap string
	// Env is the emulator's environment, which it forwards whole to the
	// function; nil means this process's environment, as for exec.Cmd. Later
	// entries win. See WithLambdaDefaults.
	Env []string
	// Stderr receives the emulator's log and the function's stdout and
	// stderr; nil discards them. They are also kept, in part, for errors.
	Stderr io.Writer
}

// Emulator is a running aws-lambda-rie with one function. Its methods may be
// called from several goroutines; invocations are made one at a time, as the
// emulator accepts only one at a time.
type Emulator struct {
	// URL is the invocation endpoint.
	URL string
	// RuntimeAPI is the address the function reaches the Runtime API at.
	RuntimeAPI string

	cmd    *exec.Cmd
	log    *logTail
	exited chan struct{} // closed once the emulator has exited and been reaped
	client *http.Client

	invokeMu sync.Mutex
	stopOnce sync.Once
	stopErr  error
}

// Start starts the emulator for opts.Bootstrap on two free ports of
// 127.0.0.1 and returns once it accepts connections. ctx bounds only the
// start: the emulator runs until Stop.
func Start(ctx context.Context, opts Options) (*Emulator, error) {
	if opts.Emulator == "" {
		return nil, errors.New("rie: no emulator binary given (see rie.Find)")
	}
	if !isExecutableFile(opts.Emulator) {
		return nil, fmt.Errorf("rie: emulator %s is not an executable file: run `make tools`", opts.Emulator)
	}
	bootstrap, err := checkBootstrap(opts.Bootstrap)
	if err != nil {
		return nil, err
	}
	// The ports are found free and then released for the emulator to take, so
	// another process may take one first; the emulator then dies at once, and
	// another pair is tried.
	const attempts = 3
	for attempt := 1; ; attempt++ {
		e, err := start(ctx, opts, bootstrap)
		if err == nil || attempt == attempts || !errors.Is(err, errAddrInUse) {
			return e, err
		}
	}
}

// checkBootstrap fails early and clearly on a bootstrap the emulator could not
// run: the emulator itself only notices on the first invocation, and then
// answers an empty 502.
func checkBootstrap(path string) (string, error) {
	if path == "" {
		return "", errors.New("rie: no bootstrap given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("rie: bootstrap %s: %w", path, err)
	}
	info, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("rie: bootstrap %s does not exist: build the function first", path)
	case err != nil:
		return "", fmt.Errorf("rie: bootstrap %s: %w", path, err)
	case !info.Mode().IsRegular():
		return "", fmt.Errorf("rie: bootstrap %s is not a regular file", path)
	case info.Mode().Perm()&0o111 == 0:
		return "", fmt.Errorf("rie: bootstrap %s is not executable", path)
	}
	return abs, nil
}

var errAddrInUse = errors.New("address already in use")

func start(ctx context.Context, opts Options, bootstrap string) (*Emulator, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	invokeAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	runtimeAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))

	log := &logTail{max: 64 << 10, out: opts.Stderr}
	// Both addresses are given: the emulator would otherwise listen on
	// 0.0.0.0:8080 and 127.0.0.1:9001, open to the network and shared by
	// every emulator on the machine.
	cmd := exec.Command(opts.Emulator,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", runtimeAddr,
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = opts.Env
	cmd.Stdout = log
	cmd.Stderr = log
	// A session of its own: the emulator puts the function in a new process
	// group, so the emulator's group does not hold it, but the session does,
	// which is how Stop finds it. It also keeps a terminal's Ctrl-C away from
	// them, for the caller to stop them in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// The function inherits the output pipe; do not let Wait hang on it.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("rie: start %s: %w", opts.Emulator, err)
	}

	e := &Emulator{
		URL:        "http://" + invokeAddr + invocationPath,
		RuntimeAPI: runtimeAddr,
		cmd:        cmd,
		log:        log,
		exited:     make(chan struct{}),
		// Proxy nil: HTTP_PROXY from the environment must not intercept a
		// loopback call. No keep-alives: nothing is left open once Stop runs.
		client: &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}},
	}
	go func() {
		_ = cmd.Wait() // the exit status is in the log; Stop kills it anyway
		close(e.exited)
	}()

	if err := e.awaitListening(ctx, invokeAddr); err != nil {
		_ = e.Stop()
		return nil, err
	}
	return e, nil
}

// freePorts asks the kernel for n distinct free ports on 127.0.0.1, holding
// each until all are chosen so that they differ.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("rie: find a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func (e *Emulator) awaitListening(ctx context.Context, addr string) error {
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			conn.Close()
			// The port may have been taken by another process while the
			// emulator failed to bind it: trust the answer only if the
			// emulator is still alive.
			select {
			case <-e.exited:
			default:
				return nil
			}
		}
		select {
		case <-e.exited:
			out := e.log.String()
			err := fmt.Errorf("rie: the emulator exited before listening on %s (%s); its output:\n%s", addr, e.cmd.ProcessState, indent(out))
			if strings.Contains(out, "address already in use") {
				err = fmt.Errorf("%w: %w", errAddrInUse, err)
			}
			return err
		case <-deadline.C:
			return fmt.Errorf("rie: the emulator did not listen on %s within %s; its output:\n%s", addr, startTimeout, indent(e.log.String()))
		case <-ctx.Done():
			return fmt.Errorf("rie: waiting for the emulator: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

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
		e.log.settle(50*time.Millisecond, time.Second)
		return nil, &InvokeError{StatusCode: resp.StatusCode, Body: body, Log: errorLines(e.log.since(mark))}
	}
	return body, nil
}

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

// Stop kills the emulator and the function it started, and returns once none
// of their processes is left. It is safe to call more than once; later calls
// return the first call's result.
//
// SIGKILL, not SIGTERM: on SIGTERM the emulator only exits, leaving the
// function behind (a Go function notices the Runtime API is gone and exits,
// other bootstraps may not), and Lambda, too, kills a runtime outright when
// it reclaims an environment. The function is found through /proc, so on a
// system without it (macOS) only the emulator's own process group is killed.
func (e *Emulator) Stop() error {
	e.stopOnce.Do(func() { e.stopErr = e.stop() })
	return e.stopErr
}

func (e *Emulator) stop() error {
	// What the emulator says about being killed ("Runtime.ExitError … signal:
	// killed") is noise to the caller, who asked for it.
	e.log.mute()
	pid := e.cmd.Process.Pid
	// The function first, while the emulator lives to reap it: killed after
	// the emulator, it would be left to init, which in a container may never
	// reap it. This is a courtesy, so it gets a second at most.
	for courtesy := time.Now().Add(time.Second); time.Now().Before(courtesy); {
		function, err := sessionMembers(pid)
		function = slices.DeleteFunc(function, func(p int) bool { return p == pid })
		if err != nil || len(function) == 0 {
			break
		}
		for _, p := range function {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Then the emulator, and whatever is still in its session: a function
	// it started meanwhile.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	deadline := time.Now().Add(stopTimeout)
	var left []int
	for {
		var err error
		left, err = sessionMembers(pid)
		if err != nil {
			break // no /proc (not Linux): the emulator's group is all we can reach
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		for _, p := range left {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-e.exited:
	case <-time.After(time.Until(deadline) + time.Second):
		return fmt.Errorf("rie: the emulator (pid %d) did not exit after SIGKILL", pid)
	}
	if len(left) > 0 {
		return fmt.Errorf("rie: processes %v of the emulator's session survived SIGKILL", left)
	}
	return nil
}

// sessionMembers lists the live processes of session sid, from /proc. Zombies
// are not counted: they have exited, and only wait for their parent (or init)
// to reap them.
func sessionMembers(sid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", entry.Name(), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		// "pid (comm) state ppid pgrp session …"; comm may hold spaces and
		// parentheses, so fields are counted from the last ')'.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) < 4 || fields[0] == "Z" || fields[0] == "X" {
			continue
		}
		if session, err := strconv.Atoi(fields[3]); err == nil && session == sid {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// logTail passes output on to out and keeps its last max bytes for error
// messages.
type logTail struct {
	mu    sync.Mutex
	max   int
	out   io.Writer
	buf   []byte
	total int64
}

// Write never fails: an error from out (say, a closed terminal) must not
// break the pipe the emulator and the function write to.
func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.out != nil {
		_, _ = l.out.Write(p)
	}
	l.buf = append(l.buf, p...)
	if over := len(l.buf) - l.max; over > 0 {
		l.buf = append(l.buf[:0], l.buf[over:]...)
	}
	l.total += int64(len(p))
	return len(p), nil
}

// settle waits until no output has come for quiet, or for at most limit.
func (l *logTail) settle(quiet, limit time.Duration) {
	end := time.Now().Add(limit)
	last := l.mark()
	for time.Now().Before(end) {
		time.Sleep(quiet)
		now := l.mark()
		if now == last {
			return
		}
		last = now
	}
}

// mute stops passing output on; it is still kept.
func (l *logTail) mute() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.out = nil
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}

// mark returns a position for since.
func (l *logTail) mark() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// since returns what was written after mark, as far as it is still kept.
func (l *logTail) since(mark int64) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	start := max(len(l.buf)-int(l.total-mark), 0)
	return string(l.buf[start:])
}

// tail returns the last n lines kept.
func (l *logTail) tail(n int) string {
	lines := strings.Split(strings.TrimRight(l.String(), "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return "  (none)"
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
