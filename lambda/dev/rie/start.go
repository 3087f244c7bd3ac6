// Starting the emulator and waiting until it listens.

package rie

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

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
	ports, err := FreePorts(2)
	if err != nil {
		return nil, fmt.Errorf("rie: %w", err)
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
