// Package proc reads Linux's /proc, for the code that must be sure the
// processes it started (the emulator, cognito-local, the page) are gone.
package proc

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Stat is what cogmail needs of /proc/<pid>/stat.
type Stat struct {
	// Live is false for a zombie whose threads have all exited: until the
	// last one has, the process may still hold its sockets.
	Live    bool
	Session int
	Start   uint64 // clock ticks after boot: tells a reused pid apart
}

// ReadStat reads /proc/<pid>/stat: "pid (comm) state ppid pgrp session …
// num_threads(20th) … starttime(22nd)"; comm may hold spaces and
// parentheses, so fields are counted from the last ')'.
func ReadStat(pid int) (Stat, bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return Stat{}, false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return Stat{}, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 {
		return Stat{}, false
	}
	session, _ := strconv.Atoi(f[3])
	threads, _ := strconv.Atoi(f[17])
	start, _ := strconv.ParseUint(f[19], 10, 64)
	zombie := f[0] == "Z" || f[0] == "X"
	return Stat{Live: !zombie || threads > 1, Session: session, Start: start}, true
}

// SessionMembers lists the live processes of session sid.
func SessionMembers(sid int) ([]int, error) {
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
		if st, ok := ReadStat(pid); ok && st.Live && st.Session == sid {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}
