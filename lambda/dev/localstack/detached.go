package localstack

import (
	"errors"
	"fmt"
	procfs "github.com/cogmail/cogmail/lambda/dev/proc"
	"os"
	"path/filepath"
	"syscall"
)

// StopDetached stops the detached stack that stack.json in state records:
// it kills each recorded process's session, then removes stack.json. An
// error wrapping fs.ErrNotExist means no stack is recorded there.
func StopDetached(state string) error {
	info, err := ReadInfo(state)
	if err != nil {
		return err
	}
	var errs []error
	for i := len(info.Processes) - 1; i >= 0; i-- {
		p := info.Processes[i]
		if !alive(p) {
			continue
		}
		if err := killSession(p.PID); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.Name, err))
		}
	}
	// A killed process may be a zombie, not yet reaped by whoever adopted
	// it; what matters is that it no longer holds its ports.
	if err := awaitClosed(info.Addrs(), killTimeout); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return os.Remove(filepath.Join(state, InfoFile))
}

// alive reports whether p still runs and is the process that was recorded:
// the leader of its own session, started at the recorded time. Without
// /proc, a signal 0 is all there is to ask.
func alive(p Process) bool {
	if p.PID <= 0 {
		return false
	}
	st, ok := procfs.ReadStat(p.PID)
	if !ok {
		if _, err := os.Stat("/proc/self/stat"); err == nil {
			return false // /proc works, and the pid is gone
		}
		return syscall.Kill(p.PID, 0) == nil
	}
	return st.Live && st.Session == p.PID && (p.Start == 0 || st.Start == p.Start)
}
