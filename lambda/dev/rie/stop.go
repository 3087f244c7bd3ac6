// Stopping the emulator and the function: its session, found through /proc.

package rie

import (
	"fmt"
	"github.com/cogmail/cogmail/lambda/dev/proc"
	"slices"
	"syscall"
	"time"
)

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
		function, err := proc.SessionMembers(pid)
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
		left, err = proc.SessionMembers(pid)
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
