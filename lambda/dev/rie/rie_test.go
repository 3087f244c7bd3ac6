package rie

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/cogmail/cogmail/lambda/dev/proc"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

func TestFind(t *testing.T) {
	t.Run("case=the module's .bin comes before PATH", func(t *testing.T) {
		root := t.TempDir()
		local := writeScript(t, filepath.Join(root, ".bin"), BinaryName, "exit 0")
		writeScript(t, filepath.Join(t.TempDir(), "bin"), BinaryName, "exit 0")
		t.Setenv("PATH", filepath.Dir(local)+"-not-there")

		got, err := Find(root)
		require.NoError(t, err)
		assert.Equal(t, local, got)
	})

	t.Run("case=PATH when the module has none", func(t *testing.T) {
		onPath := writeScript(t, t.TempDir(), BinaryName, "exit 0")
		t.Setenv("PATH", filepath.Dir(onPath))

		got, err := Find(t.TempDir())
		require.NoError(t, err)
		assert.Equal(t, onPath, got)
	})

	t.Run("case=absent says to run make tools", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())

		_, err := Find(t.TempDir())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "make tools")
	})
}

func TestModuleRoot(t *testing.T) {
	t.Chdir(filepath.Join("testdata", "echo"))

	root, err := ModuleRoot()
	require.NoError(t, err)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(gomod), "module github.com/cogmail/cogmail\n")
}

func TestWithLambdaDefaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		want map[string]string
	}{
		{
			name: "case=nothing set gets Lambda's defaults",
			env:  []string{"HOME=/home/dev"},
			want: map[string]string{"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "TZ": ":UTC", "HOME": "/home/dev"},
		},
		{
			name: "case=AWS_DEFAULT_REGION gives the region",
			env:  []string{"AWS_DEFAULT_REGION=eu-west-3"},
			want: map[string]string{"AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": "eu-west-3"},
		},
		{
			name: "case=the caller's values win",
			env:  []string{"AWS_REGION=eu-central-1", "AWS_DEFAULT_REGION=us-west-2", "TZ=Europe/Paris"},
			want: map[string]string{"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "us-west-2", "TZ": "Europe/Paris"},
		},
		{
			name: "case=an empty region counts as unset",
			env:  []string{"AWS_REGION=", "TZ="},
			want: map[string]string{"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "TZ": ""},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := WithLambdaDefaults(tc.env)
			for key, want := range tc.want {
				value, ok := lookupOK(got, key)
				assert.True(t, ok, key)
				assert.Equal(t, want, value, key)
			}
			assert.Equal(t, tc.env, got[:len(tc.env)], "the caller's entries are kept, in order")
		})
	}
}

func TestStartInvokeStop(t *testing.T) {
	emulator := findEmulator(t)
	echo := buildFunction(t, "./lambda/dev/rie/testdata/echo")

	t.Run("case=the function answers through the emulator", func(t *testing.T) {
		e := startEmulator(t, Options{Emulator: emulator, Bootstrap: echo})
		event := `{"version":"1","triggerSource":"CustomMessage_ForgotPassword","request":{"codeParameter":"{####}"},"response":{}}`

		for _, phase := range []string{"cold start", "warm start"} {
			answer, err := e.Invoke(context.Background(), []byte(event))
			require.NoError(t, err, phase)
			assert.JSONEq(t, event, string(answer), phase)
		}
	})

	t.Run("case=Stop leaves no process behind", func(t *testing.T) {
		e := startEmulator(t, Options{Emulator: emulator, Bootstrap: echo})
		_, err := e.Invoke(context.Background(), []byte(`{}`)) // starts the function
		require.NoError(t, err)
		pid := e.cmd.Process.Pid
		if members, err := proc.SessionMembers(pid); err == nil {
			require.Len(t, members, 2, "the emulator and the function")
		}

		require.NoError(t, e.Stop())

		assertNotListening(t, e)
		if members, err := proc.SessionMembers(pid); err == nil {
			assert.Empty(t, members)
		}
		assert.NoError(t, e.Stop(), "a second Stop")
		_, err = e.Invoke(context.Background(), []byte(`{}`))
		assert.ErrorContains(t, err, "not running")
	})

	t.Run("case=Stop kills a function that ignores the emulator's end", func(t *testing.T) {
		// A function that never asks for its event: its invocation hangs,
		// and it would outlive an emulator killed on its own.
		sleeper := writeScript(t, t.TempDir(), "bootstrap", "exec sleep 300")
		e := startEmulator(t, Options{Emulator: emulator, Bootstrap: sleeper})
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()

		_, err := e.Invoke(ctx, []byte(`{}`))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		pid := e.cmd.Process.Pid
		require.NoError(t, e.Stop())

		assertNotListening(t, e)
		if members, err := proc.SessionMembers(pid); err == nil {
			assert.Empty(t, members)
		}
	})

	t.Run("case=a missing bootstrap is a clear error", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "bootstrap")

		_, err := Start(context.Background(), Options{Emulator: emulator, Bootstrap: missing})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "bootstrap "+missing+" does not exist")
	})

	t.Run("case=a bootstrap that is not executable is a clear error", func(t *testing.T) {
		plain := filepath.Join(t.TempDir(), "bootstrap")
		require.NoError(t, os.WriteFile(plain, []byte("not a program"), 0o644))

		_, err := Start(context.Background(), Options{Emulator: emulator, Bootstrap: plain})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is not executable")
	})

	t.Run("case=a crashing function is an InvokeError with the emulator's reason", func(t *testing.T) {
		crasher := writeScript(t, t.TempDir(), "bootstrap", "echo 'cannot start' >&2; exit 3")
		e := startEmulator(t, Options{Emulator: emulator, Bootstrap: crasher})

		_, err := e.Invoke(context.Background(), []byte(`{}`))
		var invokeErr *InvokeError
		require.ErrorAs(t, err, &invokeErr)
		assert.Equal(t, 502, invokeErr.StatusCode)
		// A function that dies before asking for its event gets an empty
		// 502: the reason is only in the emulator's log.
		assert.Contains(t, invokeErr.Log, "Runtime exited with error: exit status 3")
		assert.Contains(t, err.Error(), "exit status 3")
	})

	t.Run("case=an error the function returns is an InvokeError", func(t *testing.T) {
		// The emulator answers a returned error with 200 and Lambda's error
		// document; the echo function returns that document as its answer,
		// which is indistinguishable.
		e := startEmulator(t, Options{Emulator: emulator, Bootstrap: echo})
		document := `{"errorMessage":"boom","errorType":"errorString"}`

		_, err := e.Invoke(context.Background(), []byte(document))
		var invokeErr *InvokeError
		require.ErrorAs(t, err, &invokeErr)
		assert.Equal(t, 200, invokeErr.StatusCode)
		assert.Contains(t, err.Error(), "the function returned an error: "+document)
	})

	t.Run("case=the function gets the environment", func(t *testing.T) {
		// The echo function cannot show its environment, but a shell
		// bootstrap can fail with it.
		dump := writeScript(t, t.TempDir(), "bootstrap", `echo "COGMAIL_PROBE=$COGMAIL_PROBE AWS_REGION=$AWS_REGION AWS_LAMBDA_FUNCTION_NAME=$AWS_LAMBDA_FUNCTION_NAME" >&2; exit 1`)
		var output syncBuffer
		e := startEmulator(t, Options{
			Emulator:  emulator,
			Bootstrap: dump,
			Env:       WithLambdaDefaults(append(os.Environ(), "COGMAIL_PROBE=seen")),
			Stderr:    &output,
		})

		_, err := e.Invoke(context.Background(), []byte(`{}`))
		require.Error(t, err)
		assert.Contains(t, output.String(), "COGMAIL_PROBE=seen AWS_REGION=")
		assert.NotContains(t, output.String(), "AWS_REGION= ")
		assert.Contains(t, output.String(), "AWS_LAMBDA_FUNCTION_NAME=test_function")
	})

	t.Run("case=an emulator that dies at once reports its output", func(t *testing.T) {
		broken := writeScript(t, t.TempDir(), BinaryName, "echo 'emulator broke' >&2; exit 2")

		_, err := Start(context.Background(), Options{Emulator: broken, Bootstrap: echo})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "exited before listening")
		assert.Contains(t, err.Error(), "emulator broke")
	})
}

// TestEmulatorRendersRecordedEvent runs the real function, built as the
// Makefile builds it, on the recorded Cognito event. Under the emulator the
// function counts as inside Lambda: a keyring of its own (fresh, random)
// signs a link to the local page, bound to the event's pool; the public
// development keyring signs nothing, and the email keeps its code.
func TestEmulatorRendersRecordedEvent(t *testing.T) {
	emulator := findEmulator(t)
	root := moduleRoot(t)
	bootstrap := buildFunction(t, "./lambda/cmd/bootstrap")
	event, err := os.ReadFile(filepath.Join(root, "events", "forgot-password.json"))
	require.NoError(t, err)

	// Only the keys and page given here: the developer's environment would
	// make the result depend on it.
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COGMAIL_") {
			base = append(base, kv)
		}
	}
	const page = "http://127.0.0.1:8088"
	random := keys.Random()
	for _, tc := range []struct {
		name, keyring string
		linked        bool
	}{
		{"case=a fresh random keyring: a link to the local page", random, true},
		{"case=the development keyring: no link, the code", keys.DevelopmentJSON, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := append(base[:len(base):len(base)], "COGMAIL_SIGNING_KEYS="+tc.keyring, "COGMAIL_PAGE_URL="+page)
			e := startEmulator(t, Options{Emulator: emulator, Bootstrap: bootstrap, Env: WithLambdaDefaults(env)})

			answer, err := e.Invoke(context.Background(), event)
			require.NoError(t, err)
			var got struct {
				UserPoolID string `json:"userPoolId"`
				Response   struct {
					EmailMessage string `json:"emailMessage"`
					EmailSubject string `json:"emailSubject"`
				} `json:"response"`
			}
			require.NoError(t, json.Unmarshal(answer, &got), string(answer))
			message := got.Response.EmailMessage
			assert.Contains(t, message, "{####}", "Cognito replaces {####} with the code: it must be there literally")
			assert.NotEmpty(t, got.Response.EmailSubject)

			hrefs := regexp.MustCompile(`href="(https?://[^"]*)"`).FindAllStringSubmatch(message, -1)
			var withCode []string
			for _, href := range hrefs {
				if strings.Contains(href[1], "{####}") {
					withCode = append(withCode, strings.ReplaceAll(href[1], "&amp;", "&"))
				}
				assert.NotContains(t, href[1], "%7B", "an escaped placeholder is not replaced by Cognito")
			}
			if !tc.linked {
				assert.Empty(t, withCode, "the development keyring signs nothing inside Lambda")
				return
			}
			require.NotEmpty(t, withCode, "no link holds {####} literally: %v", hrefs)
			assert.True(t, strings.HasPrefix(withCode[0], page+"/reset?"), withCode[0])
			// Verified with this run's keyring, rather than compared with a
			// golden answer: its signature is new every run.
			ring, err := link.ParseKeyring([]byte(tc.keyring))
			require.NoError(t, err)
			claims, err := link.Verify(strings.Replace(withCode[0], "{####}", "123456", 1), ring, time.Now())
			require.NoError(t, err)
			assert.Equal(t, got.UserPoolID, claims.UserPool)
		})
	}
}

func findEmulator(t *testing.T) string {
	t.Helper()
	emulator, err := Find(moduleRoot(t))
	if err != nil {
		t.Skip("aws-lambda-rie not installed: run make tools")
	}
	return emulator
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := ModuleRoot()
	require.NoError(t, err)
	return root
}

// buildFunction builds pkg, a path relative to the module root, as the
// Makefile builds the function, and returns the binary.
func buildFunction(t *testing.T, pkg string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to build the function")
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command(goTool, "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, pkg)
	cmd.Dir = moduleRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build %s:\n%s", pkg, output)
	return out
}

// startEmulator starts an emulator that the test stops, showing its output if the
// test fails.
func startEmulator(t *testing.T, opts Options) *Emulator {
	t.Helper()
	var output syncBuffer
	if opts.Stderr == nil {
		opts.Stderr = &output
	}
	e, err := Start(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		assert.NoError(t, e.Stop())
		if t.Failed() && output.Len() > 0 {
			t.Logf("emulator output:\n%s", output.String())
		}
	})
	return e
}

func assertNotListening(t *testing.T, e *Emulator) {
	t.Helper()
	u, err := url.Parse(e.URL)
	require.NoError(t, err)
	for _, addr := range []string{u.Host, e.RuntimeAPI} {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
		}
		assert.Error(t, err, "%s still accepts connections", addr)
	}
}

func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755))
	return path
}

// syncBuffer is a bytes.Buffer the emulator's output may be written to while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}
