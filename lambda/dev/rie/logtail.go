// The emulator's output: passed on, and its tail kept for error messages.

package rie

import (
	"io"
	"strings"
	"sync"
	"time"
)

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
