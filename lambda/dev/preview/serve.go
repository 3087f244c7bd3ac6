package preview

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cogmail/cogmail/lambda/link"
)

// PollInterval is how often, at most, a request makes the server look for
// changed templates: a page with hundreds of iframes asks hundreds of times
// at once, and one walk of the folder serves them all.
const PollInterval = time.Second

// Server serves the gallery of a templates folder on disk and rebuilds it
// on the first request after a file under the folder changed.
type Server struct {
	dir string
	now func() time.Time // a test's clock

	mu      sync.Mutex
	polled  time.Time
	stamp   string
	gallery *Gallery
	err     error // why the templates did not build; shown instead of the gallery
}

// NewServer serves the templates in dir (a working tree's templates/).
func NewServer(dir string) *Server { return &Server{dir: dir, now: time.Now} }

// current returns the gallery as of the files on disk, rebuilding it if
// they changed since the last look, which is at most PollInterval old.
func (s *Server) current() (*Gallery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.gallery != nil || s.err != nil {
		if now.Sub(s.polled) < PollInterval {
			return s.gallery, s.err
		}
	}
	s.polled = now
	stamp, err := fingerprint(s.dir)
	if err != nil {
		s.gallery, s.err, s.stamp = nil, err, ""
		return nil, err
	}
	if stamp == s.stamp && (s.gallery != nil || s.err != nil) {
		return s.gallery, s.err
	}
	s.stamp = stamp
	h, err := NewHandler(os.DirFS(s.dir))
	if err != nil {
		s.gallery, s.err = nil, err
		return nil, err
	}
	s.gallery, s.err = Build(h, "the templates on disk"), nil
	return s.gallery, nil
}

// fingerprint names every file under dir with its size and modification
// time: any edit, addition or removal changes it.
func fingerprint(dir string) (string, error) {
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s\x00%d\x00%d\n", path, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return b.String(), err
}

// ServeHTTP answers GET and HEAD for index.html (also at /) and the emails.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Only this machine's names: a page elsewhere could otherwise point a
	// hostname of its own at 127.0.0.1 (DNS rebinding) and read the gallery.
	if !loopbackHost(r.Host) {
		http.Error(w, "this gallery answers loopback hosts only", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	// A gallery must show the templates as they are now, never a cached
	// render; and nothing in it, email or index, needs to run a script.
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-src 'self'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	g, err := s.current()
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		_ = errorPage.Execute(w, map[string]string{"Dir": s.dir, "Error": err.Error()})
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/")
	if name == "" {
		name = "index.html"
	}
	body, ok := g.File(name)
	if !ok {
		http.Error(w, "not in the gallery: "+name, http.StatusNotFound)
		return
	}
	if strings.HasSuffix(name, ".txt") {
		h.Set("Content-Type", "text/plain; charset=utf-8") // a notice's text part
	}
	_, _ = w.Write(body)
}

// errorPage reloads itself every two seconds, so fixing the template brings
// the gallery back without a script or a click.
var errorPage = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>✗ templates do not build · cogmail preview</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1f2328}
pre{white-space:pre-wrap;border:3px solid #b42318;background:#fef3f2;padding:12px 16px}</style></head>
<body><h1>The templates in {{.Dir}} do not build</h1><pre>{{.Error}}</pre>
<p>Fix the file and save it: this page reloads by itself.</p></body></html>
`))

// CheckLoopback refuses any address but this machine's own: the gallery
// shows every tenant's brand and links, for a developer, not a network.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("serve address %q: %w", addr, err)
	}
	if !link.Loopback(host) {
		return fmt.Errorf("serve address %q is not a loopback address: use 127.0.0.1:PORT", addr)
	}
	return nil
}

// ListenAndServe serves s on addr, a loopback address, until ctx ends;
// ready is told the address listened on (a port 0 becomes a real one).
func ListenAndServe(ctx context.Context, addr string, s *Server, ready func(net.Addr)) error {
	if err := CheckLoopback(addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	ready(ln.Addr())
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loopbackHost reports whether a Host header names this machine.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
