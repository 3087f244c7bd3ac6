package preview

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/templates"
)

// clock is a test's time, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

var contentDefine = regexp.MustCompile(`\{\{-?\s*define\s+"content"\s*-?\}\}`)

// edit rewrites a template in dir and moves its modification time on, as
// an editor saving it a second later would.
func edit(t *testing.T, dir, name string, change func(string) string) {
	t.Helper()
	path := filepath.Join(dir, name)
	old, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte(change(string(old))), 0o644))
	info, err := os.Stat(path)
	require.NoError(t, err)
	later := info.ModTime().Add(2 * time.Second)
	require.NoError(t, os.Chtimes(path, later, later))
}

// The server answers on 127.0.0.1 from a copy of templates/ on disk, shows
// an edit on the first request after the poll interval, and an error page,
// not a crash, while a template does not parse.
func TestServeRebuildsFromDisk(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, templates.FS))
	c := &clock{t: time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)}
	s := NewServer(dir)
	s.now = c.now
	srv := httptest.NewServer(s)
	defer srv.Close()
	host, _, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", host)

	t.Run("case=index and emails", func(t *testing.T) {
		code, body := get(t, srv.URL+"/")
		require.Equal(t, http.StatusOK, code)
		assert.Contains(t, body, `id="default/ar/reset"`)
		assert.Contains(t, body, `src="mail/default/en-XA/invite-dark.html"`)
		code, light := get(t, srv.URL+"/mail/default/en/reset.html")
		assert.Equal(t, http.StatusOK, code)
		assert.Contains(t, light, `<html lang="en"`)
		code, dark := get(t, srv.URL+"/mail/default/en/reset-dark.html")
		assert.Equal(t, http.StatusOK, code)
		assert.Contains(t, dark, darkMeta)
		code, _ = get(t, srv.URL+"/mail/default/en/nothing.html")
		assert.Equal(t, http.StatusNotFound, code)
		resp, err := http.Post(srv.URL+"/", "text/plain", strings.NewReader("x"))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		resp, err = http.Get(srv.URL + "/")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), "an edit shows on reload")
		assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
		resp, err = http.Get(srv.URL + "/mail/default/ar/changed.txt")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"), "a notice's text part is shown as text")
	})

	const marker = "<p>Edited while the gallery was open.</p>"
	edit(t, dir, "reset.html.tmpl", func(s string) string {
		require.Regexp(t, contentDefine, s)
		return contentDefine.ReplaceAllStringFunc(s, func(d string) string { return d + marker })
	})
	t.Run("case=an edit waits for the poll interval", func(t *testing.T) {
		c.add(PollInterval / 2)
		_, body := get(t, srv.URL+"/mail/default/en/reset.html")
		assert.NotContains(t, body, marker)
	})
	t.Run("case=then shows", func(t *testing.T) {
		c.add(PollInterval)
		_, body := get(t, srv.URL+"/mail/default/en/reset.html")
		assert.Contains(t, body, marker)
		_, body = get(t, srv.URL+"/mail/default/ja/reset-dark.html")
		assert.Contains(t, body, marker)
	})

	edit(t, dir, "reset.html.tmpl", func(s string) string { return s + `{{define "broken"}}{{if}}{{end}}` })
	t.Run("case=a parse error is a page", func(t *testing.T) {
		c.add(PollInterval)
		for _, path := range []string{"/", "/mail/default/en/reset.html"} {
			code, body := get(t, srv.URL+path)
			assert.Equal(t, http.StatusInternalServerError, code)
			assert.Contains(t, body, "reset.html.tmpl")
			assert.Contains(t, body, "missing value for if")
			assert.Contains(t, body, `<meta http-equiv="refresh"`)
		}
	})

	edit(t, dir, "reset.html.tmpl", func(s string) string { return strings.TrimSuffix(s, `{{define "broken"}}{{if}}{{end}}`) })
	t.Run("case=and goes once fixed", func(t *testing.T) {
		c.add(PollInterval)
		code, body := get(t, srv.URL+"/")
		assert.Equal(t, http.StatusOK, code)
		assert.Contains(t, body, "cogmail preview")
	})
}

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8089", true},
		{"127.0.0.1:0", true},
		{"[::1]:8089", true},
		{"localhost:8089", true},
		{"0.0.0.0:8089", false},
		{":8089", false},
		{"192.168.1.20:8089", false},
		{"[::]:8089", false},
		{"example.com:80", false},
		{"127.0.0.1", false}, // no port
	} {
		t.Run("case="+tc.addr, func(t *testing.T) {
			err := CheckLoopback(tc.addr)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func TestListenAndServe(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, templates.FS))
	t.Run("case=refuses a public address without listening", func(t *testing.T) {
		err := ListenAndServe(t.Context(), "0.0.0.0:0", NewServer(dir), func(net.Addr) { t.Error("listened") })
		assert.ErrorContains(t, err, "not a loopback address")
	})
	t.Run("case=serves until the context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		addrs := make(chan net.Addr, 1)
		go func() { done <- ListenAndServe(ctx, "127.0.0.1:0", NewServer(dir), func(a net.Addr) { addrs <- a }) }()
		a := <-addrs
		code, body := get(t, "http://"+a.String()+"/index.html")
		assert.Equal(t, http.StatusOK, code)
		assert.Contains(t, body, "cogmail preview")
		cancel()
		assert.NoError(t, <-done)
	})
}

// DNS rebinding: a foreign Host header is refused.
func TestServeRefusesForeignHosts(t *testing.T) {
	s := &Server{}
	for host, want := range map[string]int{"attacker.example": http.StatusForbidden, "attacker.example:8089": http.StatusForbidden} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host = host
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("Host %s: status %d, want %d", host, w.Code, want)
		}
	}
	for _, host := range []string{"127.0.0.1:8089", "localhost:8089", "[::1]:8089", "localhost"} {
		if !loopbackHost(host) {
			t.Errorf("%s is loopback", host)
		}
	}
}
