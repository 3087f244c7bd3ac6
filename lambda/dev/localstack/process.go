package localstack

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/patience"
	procfs "github.com/cogmail/cogmail/lambda/dev/proc"
)

// killTimeout bounds the wait for a killed session's processes to vanish.
const killTimeout = patience.Slowdown * 500 * time.Millisecond

// proc is one child process, the leader of a session of its own, so that it
// and anything it starts can be killed together and a terminal's Ctrl-C
// does not reach it.
type proc struct {
	name   string
	cmd    *exec.Cmd
	out    *output
	exited chan struct{}
}

// startProc starts argv in dir. Its output goes to out, or, when logFile is
// set, straight to that file: a detached process must not write into a pipe
// this process holds, or it dies of SIGPIPE once this process is gone.
func startProc(name string, argv []string, dir string, env []string, out io.Writer, logFile string) (*proc, error) {
	p := &proc{name: name, exited: make(chan struct{})}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if logFile != "" {
		f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		defer f.Close() // the child holds its own copy
		cmd.Stdout, cmd.Stderr = f, f
		p.out = &output{file: logFile}
	} else {
		p.out = &output{prefix: name + " | ", out: out}
		cmd.Stdout, cmd.Stderr = p.out, p.out
		// Grandchildren may keep the pipe open; Wait must not hang on it.
		cmd.WaitDelay = time.Second
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p.cmd = cmd
	go func() {
		_ = cmd.Wait() // killed on Stop; how it ended is in its output
		close(p.exited)
	}()
	return p, nil
}

// awaitListening returns once addr accepts connections, or fails when the
// process exits first, timeout passes or ctx ends.
func (p *proc) awaitListening(ctx context.Context, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before listening on %s (%s); its output ends:\n%s", p.name, addr, p.cmd.ProcessState, p.out.tail())
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", p.name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not listen on %s within %s; its output ends:\n%s", p.name, addr, timeout, p.out.tail())
		}
	}
}

// stop kills the process's session and waits until it has been reaped.
func (p *proc) stop() error {
	err := killSession(p.cmd.Process.Pid)
	select {
	case <-p.exited:
	case <-time.After(killTimeout):
		return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", p.name, p.cmd.Process.Pid)
	}
	return err
}

// killSession kills session sid's process group, then whatever else is left
// in the session (the emulator starts the function in a group of its own),
// and returns once none is alive. Without /proc only the group is reached.
func killSession(sid int) error {
	_ = syscall.Kill(-sid, syscall.SIGKILL)
	deadline := time.Now().Add(killTimeout)
	for {
		left, err := procfs.SessionMembers(sid)
		if err != nil || len(left) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %v of session %d survived SIGKILL", left, sid)
		}
		for _, pid := range left {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// awaitClosed waits until no addr accepts connections.
func awaitClosed(addrs []string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, addr := range addrs {
		for {
			conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
			if err != nil {
				break
			}
			conn.Close()
			if time.Now().After(deadline) {
				return fmt.Errorf("%s still accepts connections", addr)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return nil
}

// output passes a process's lines on to out with a prefix, and keeps the
// last few kilobytes for error messages; for a detached process it only
// knows the log file.
type output struct {
	prefix string
	out    io.Writer
	file   string

	mu      sync.Mutex
	partial []byte
	last    []byte
}

const tailBytes = 4 << 10

// Write never fails: an error from out must not break the child's pipe.
func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.last = append(o.last, p...)
	if over := len(o.last) - tailBytes; over > 0 {
		o.last = append(o.last[:0], o.last[over:]...)
	}
	if o.out == nil {
		return len(p), nil
	}
	o.partial = append(o.partial, p...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		_, _ = io.WriteString(o.out, o.prefix+string(o.partial[:i+1]))
		o.partial = o.partial[i+1:]
	}
	o.partial = append([]byte(nil), o.partial...)
	return len(p), nil
}

func (o *output) tail() string {
	if o.file != "" {
		data, _ := os.ReadFile(o.file)
		if len(data) > tailBytes {
			data = data[len(data)-tailBytes:]
		}
		return string(data)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(o.last)
}
