// Stopping the emulator and the function: its session, found through /proc.

package rie

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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
