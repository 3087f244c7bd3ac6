// Free loopback ports, for the emulator and for other packages' servers.

package rie

import (
	"fmt"
	"net"
)

// FreePorts asks the kernel for n distinct free ports on 127.0.0.1. Each is
// held until all are chosen, so that they differ, and then released for the
// caller's processes to take: another program may win one meanwhile, so
// callers must handle a failed listen.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
