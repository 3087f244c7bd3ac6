package localstack

import (
	"context"
	"fmt"
	procfs "github.com/cogmail/cogmail/lambda/dev/proc"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/rie"
)

var (
	firstHref = regexp.MustCompile(`href="([^"]*)"`)
	uuidLike  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// startWithin bounds a start and what a test then does with the stack;
// idle, a start takes a few seconds.
var startWithin = patience.For(15 * time.Second)

// requireStack skips, saying why, where the stack cannot run: Require's
// reasons, or no emulator (make tools installs it).
func requireStack(t *testing.T) {
	t.Helper()
	Require(t)
	root, err := rie.ModuleRoot()
	require.NoError(t, err)
	if _, err := rie.Find(root); err != nil {
		t.Skip(err.Error())
	}
}

func TestLocalStackStartsAndStops(t *testing.T) {
	requireStack(t)
	bootstrap, page := buildBinaries(t)
	ctx, cancel := context.WithTimeout(t.Context(), startWithin)
	defer cancel()

	began := time.Now()
	s, err := Start(ctx, Options{Bootstrap: bootstrap, Page: page, State: t.TempDir(), Output: t.Output()})
	require.NoError(t, err)
	t.Logf("Start took %s", time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() { _ = s.Stop() })
	client := s.Client()

	t.Run("case=stack.json describes the running stack", func(t *testing.T) {
		info, err := ReadInfo(s.State)
		require.NoError(t, err)
		assert.Equal(t, &s.Info, info)
		assert.Empty(t, info.Processes, "pids are recorded for detached stacks only")
		require.Len(t, info.Users, len(seedUsers))
		ana, ok := info.User("ana@example.com")
		require.True(t, ok)
		assert.Regexp(t, uuidLike, ana.Username, "an email pool's username is the sub")
		assert.NotEmpty(t, info.Clients.Secret.Secret)
		assert.Empty(t, info.Clients.Public.Secret)
		assert.True(t, info.Page.Running)
		assert.Equal(t, http.StatusOK, get(t, info.Links.Reset))
	})

	t.Run("case=an invitation goes through the trigger to the mailbox", func(t *testing.T) {
		_, err := client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(s.UserPoolID), Username: aws.String("nora@example.com"),
			// cognito-local, like Cognito, defaults to SMS and fails without a phone number.
			DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
			UserAttributes: []types.AttributeType{
				{Name: aws.String("email"), Value: aws.String("nora@example.com")},
				{Name: aws.String("locale"), Value: aws.String("en")},
				{Name: aws.String(TenantAttribute), Value: aws.String("default")},
			},
		})
		require.NoError(t, err)
		msg := waitFor(t, ctx, s.Mailbox, "nora@example.com")
		assert.Contains(t, msg.EmailMessage, "<html lang=")
		assert.Contains(t, msg.EmailMessage, s.Links.Activate+"?")
		assert.Contains(t, msg.EmailMessage, msg.Code, "the temporary password replaces the first {####}")
		assert.NotEmpty(t, msg.EmailSubject)
	})

	t.Run("case=a reset email's button carries the real code", func(t *testing.T) {
		ana, _ := s.User("ana@example.com")
		_, err := client.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(s.Clients.Public.ID), Username: aws.String(ana.Email)})
		require.NoError(t, err)
		msg := waitFor(t, ctx, s.Mailbox, ana.Email)
		assert.Equal(t, ana.Username, msg.Username)
		assert.Contains(t, msg.EmailMessage, "<html lang=\"en\"")
		m := firstHref.FindStringSubmatch(msg.EmailMessage)
		require.NotNil(t, m, "no href in the email")
		link, err := url.Parse(html.UnescapeString(m[1]))
		require.NoError(t, err)
		assert.Equal(t, s.Links.Reset, link.Scheme+"://"+link.Host+link.Path)
		assert.Regexp(t, `^\d{6}$`, msg.Code)
		assert.Equal(t, msg.Code, link.Query().Get("code"))
		assert.Equal(t, ana.Username, link.Query().Get("username"))
		assertSignedByStack(t, s, html.UnescapeString(m[1]))
	})

	addrs := s.Addrs()
	// The emulator, the function, cognito-local and the page.
	assert.Len(t, processesMentioning(t, s.State), 4)
	require.NoError(t, s.Stop())
	require.NoError(t, s.Stop(), "a second Stop returns the first one's result")

	t.Run("case=after Stop nothing listens or runs", func(t *testing.T) {
		assertClosed(t, addrs)
		assert.Empty(t, processesMentioning(t, s.State))
		assert.NoFileExists(t, filepath.Join(s.State, InfoFile))
	})
}

func TestDetachedStackStopsFromStackJSON(t *testing.T) {
	requireStack(t)
	bootstrap, _ := buildBinaries(t)
	ctx, cancel := context.WithTimeout(t.Context(), startWithin)
	defer cancel()
	state := t.TempDir()

	// With moto_server, the stand-in notifier too: the detached Lambda API
	// process also collects SES's mail.
	notifier, processes := "", 3 // the emulator, cognito-local, the Lambda API's process
	if _, err := moto.Find(); err == nil {
		notifier, processes = standinNotifier(t), 5 // and moto_server, the notifier's emulator
	}
	s, err := Start(ctx, Options{Bootstrap: bootstrap, Notifier: notifier, State: state, Detach: true, Serve: serveCommand(t)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Stop() })
	addrs := s.Addrs()

	info, err := ReadInfo(state)
	require.NoError(t, err)
	require.Len(t, info.Processes, processes)
	for _, p := range info.Processes {
		assert.True(t, alive(p), "%s (pid %d) runs", p.Name, p.PID)
	}
	assert.False(t, info.Page.Running)
	assert.FileExists(t, filepath.Join(info.Logs, "cognito.log"))

	t.Run("case=a second start refuses while it runs", func(t *testing.T) {
		_, err := Start(ctx, Options{Bootstrap: bootstrap, State: state})
		assert.ErrorContains(t, err, "make local-down")
	})

	t.Run("case=the detached Lambda API routes to the function", func(t *testing.T) {
		_, err := s.Client().ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(s.Clients.Public.ID), Username: aws.String("ana@example.com")})
		require.NoError(t, err)
		msg := waitFor(t, ctx, s.Mailbox, "ana@example.com")
		assert.Contains(t, msg.EmailMessage, "<html lang=", "cogmail's email, through the Lambda API")
		if notifier == "" {
			return
		}
		_, err = s.Client().ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(s.Clients.Public.ID),
			Username: aws.String("ana@example.com"), ConfirmationCode: aws.String(msg.Code), Password: aws.String("Local-ana-Pass3!")})
		require.NoError(t, err)
		notice := waitForSES(t, ctx, s.Mailbox, "ana@example.com")
		assert.NotEmpty(t, notice.HTML, "the detached stack's process collects SES's mail")
	})

	require.NoError(t, StopDetached(state))

	t.Run("case=after StopDetached nothing listens and stack.json is gone", func(t *testing.T) {
		assertClosed(t, addrs)
		assert.NoFileExists(t, filepath.Join(state, InfoFile))
		for _, p := range info.Processes {
			assert.False(t, alive(p), "%s (pid %d) runs", p.Name, p.PID)
		}
	})
}

func TestFailedStartLeavesNothingRunning(t *testing.T) {
	requireStack(t)
	bootstrap, _ := buildBinaries(t)
	state := t.TempDir()
	// A page server that exits at once fails the start after the emulator
	// and cognito-local are up and seeded.
	failing := filepath.Join(t.TempDir(), "page")
	require.NoError(t, os.WriteFile(failing, []byte("#!/bin/sh\necho cannot serve >&2\nexit 3\n"), 0o755))

	_, err := Start(t.Context(), Options{Bootstrap: bootstrap, Page: failing, State: state})
	require.ErrorContains(t, err, "page exited before listening")
	assert.ErrorContains(t, err, "cannot serve", "the error carries the process's last words")
	assert.Empty(t, processesMentioning(t, state))
	assert.NoFileExists(t, filepath.Join(state, InfoFile))
}

// processesMentioning lists the live processes whose environment mentions
// dir: every process a stack starts has its state folder in its environment.
func processesMentioning(t *testing.T, dir string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err, "processes are found through /proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if st, ok := procfs.ReadStat(pid); err == nil && ok && st.Live && strings.Contains(string(env), dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// built holds the binaries the tests share, built on first use: building
// the function is most of these tests' time.
var built struct {
	once                                   sync.Once
	dir                                    string
	bootstrap, page, notifier, sender, cmd string
	err                                    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildBinaries builds the function as Lambda runs it, the stand-in page
// server, notifier and sender, and the localstack command (the detached
// stack's Lambda API), once for all tests.
func buildBinaries(t *testing.T) (bootstrap, page string) {
	t.Helper()
	built.once.Do(func() {
		root, err := rie.ModuleRoot()
		if err != nil {
			built.err = err
			return
		}
		if built.dir, built.err = os.MkdirTemp("", "localstack-test-"); built.err != nil {
			return
		}
		built.bootstrap, built.page = filepath.Join(built.dir, "bootstrap"), filepath.Join(built.dir, "page")
		built.notifier, built.cmd = filepath.Join(built.dir, "notifier"), filepath.Join(built.dir, "localstack")
		built.sender = filepath.Join(built.dir, "sender")
		for _, args := range [][]string{
			{"build", "-tags", "lambda.norpc", "-o", built.bootstrap, "./lambda/cmd/bootstrap"},
			{"build", "-o", built.page, "./lambda/dev/localstack/testdata/standin-page"},
			{"build", "-tags", "lambda.norpc", "-o", built.notifier, "./lambda/dev/localstack/testdata/standin-notifier"},
			{"build", "-tags", "lambda.norpc", "-o", built.sender, "./lambda/dev/localstack/testdata/standin-sender"},
			{"build", "-o", built.cmd, "./lambda/dev/cmd/localstack"},
		} {
			cmd := exec.Command("go", args...)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				built.err = fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
				return
			}
		}
	})
	require.NoError(t, built.err)
	return built.bootstrap, built.page
}

// standinNotifier is the stand-in notifier, built with the other binaries.
func standinNotifier(t *testing.T) string {
	t.Helper()
	buildBinaries(t)
	return built.notifier
}

// serveCommand is Options.Serve for a detached stack: the localstack
// command's serve.
func serveCommand(t *testing.T) []string {
	t.Helper()
	buildBinaries(t)
	return []string{built.cmd, "serve"}
}

// waitFor waits for a message to destination; idle, one comes within a
// second.
func waitFor(t *testing.T, ctx context.Context, box Mailbox, destination string) Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, patience.For(5*time.Second))
	defer cancel()
	msg, err := box.WaitFor(ctx, func(m Message) bool { return m.Destination == destination })
	require.NoError(t, err)
	return msg
}

func assertClosed(t *testing.T, addrs []string) {
	t.Helper()
	for _, addr := range addrs {
		if conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			conn.Close()
			t.Errorf("%s still accepts connections", addr)
		}
	}
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
