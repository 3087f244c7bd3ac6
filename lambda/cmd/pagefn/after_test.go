package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/page/pagetest"
)

// streamed is a Function URL answer as the emulator hands it back: the
// prelude (status, headers, cookies), eight NUL bytes, the body.
type streamed struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Cookies    []string          `json:"cookies"`
	Body       string            `json:"-"`
}

func invokeRIE(t *testing.T, e *rie.Emulator, ev *events.LambdaFunctionURLRequest) streamed {
	t.Helper()
	s, err := tryInvokeRIE(t.Context(), e, ev)
	require.NoError(t, err)
	return s
}

// tryInvokeRIE is invokeRIE for another goroutine than the test's.
func tryInvokeRIE(ctx context.Context, e *rie.Emulator, ev *events.LambdaFunctionURLRequest) (streamed, error) {
	var s streamed
	payload, err := json.Marshal(ev)
	if err != nil {
		return s, err
	}
	ctx, cancel := context.WithTimeout(ctx, patience.For(10*time.Second))
	defer cancel()
	out, err := e.Invoke(ctx, payload)
	if err != nil {
		return s, err
	}
	prelude, body, ok := bytes.Cut(out, make([]byte, 8))
	if !ok {
		return s, fmt.Errorf("not a streamed answer: %q", out)
	}
	s.Body = string(body)
	return s, json.Unmarshal(prelude, &s)
}

// The page in Lambda, through the Runtime Interface Emulator: the runtime
// is done with the answer to "send me a new email" while Cognito still
// holds the call, and the invocation lasts until the call has completed
// (the page's internal extension keeps the execution environment running).
func TestAfterworkUnderEmulator(t *testing.T) {
	root, err := rie.ModuleRoot()
	require.NoError(t, err)
	emulator, err := rie.Find(root)
	if err != nil {
		t.Skip(err.Error())
	}
	motoURL := moto.Start(t)
	isolateAWS(t, motoURL)
	cognito := pagetest.StartCognito(t, 0, "real-user")
	cognito.Hold = make(chan struct{})
	released := false
	release := func() {
		if !released {
			released = true
			close(cognito.Hold)
		}
	}
	t.Cleanup(release)

	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	require.NoError(t, err)
	const secret = "rie-page-config"
	_, err = secretsmanager.NewFromConfig(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: strPtr(secret), SecretString: strPtr(pagetest.Config)})
	require.NoError(t, err)

	dir := t.TempDir()
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "bootstrap"), "./lambda/cmd/pagefn")
	build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	ring, ringJSON := pagetest.Keyring(t)
	var logs syncBuffer
	startCtx, cancel := context.WithTimeout(ctx, patience.For(10*time.Second))
	defer cancel()
	e, err := rie.Start(startCtx, rie.Options{Emulator: emulator, Bootstrap: filepath.Join(dir, "bootstrap"), Stderr: &logs,
		Env: rie.WithLambdaDefaults(append(os.Environ(), EnvConfigSecret+"="+secret, keys.EnvSigningKeys+"="+ringJSON,
			"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+cognito.URL))})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Stop() })

	// The first invocation reads the secret; a machine too busy for the
	// page's 2-second budget gets a 503 and a try again after 30 s.
	opened := invokeRIE(t, e, urlEvent(http.MethodGet, pagetest.ResetLink(t, ring, "https://"+domain, "real-user", time.Now().Add(-time.Minute)), nil, nil))
	for deadline := time.Now().Add(patience.For(10 * time.Second)); opened.StatusCode == http.StatusServiceUnavailable && time.Now().Before(deadline); {
		time.Sleep(retryEvery + time.Second)
		opened = invokeRIE(t, e, urlEvent(http.MethodGet, pagetest.ResetLink(t, ring, "https://"+domain, "real-user", time.Now().Add(-time.Minute)), nil, nil))
	}
	require.Equal(t, http.StatusBadRequest, opened.StatusCode, "%s\n%s", opened.Body, logs.String())
	require.Contains(t, logs.String(), "Internal agent "+extensionName)
	action, form := pagetest.Form(opened.Body)
	require.Equal(t, "/resend", action)
	require.Len(t, opened.Cookies, 1)
	nonce, _, _ := strings.Cut(opened.Cookies[0], ";")

	// The emulator answers an invocation only once its extensions are
	// done too, where Lambda streams the answer as the runtime writes it;
	// its log says when the runtime was done (RTDONE).
	type result struct {
		streamed
		err error
	}
	sent := make(chan result, 1)
	go func() {
		s, err := tryInvokeRIE(t.Context(), e, urlEvent(http.MethodPost, "https://"+domain+action, []string{nonce}, form))
		sent <- result{s, err}
	}()
	for deadline := time.Now().Add(patience.For(5 * time.Second)); strings.Count(logs.String(), "INVOKE RTDONE") < 2 || cognito.Arrived() < 1; {
		require.True(t, time.Now().Before(deadline), "the runtime did not finish its answer while Cognito held the call:\n%s", logs.String())
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case got := <-sent:
		t.Fatalf("the invocation ended while the call after its answer was pending: %d\n%s", got.StatusCode, logs.String())
	default:
	}
	assert.Empty(t, cognito.Calls(), "the answer was done before Cognito answered")
	release()
	answer := <-sent
	require.NoError(t, answer.err)
	assert.Equal(t, http.StatusOK, answer.StatusCode, answer.Body)
	assert.Contains(t, answer.Body, "a new email is on its way")
	calls := cognito.WaitCalls(t, 1, patience.For(2*time.Second))
	assert.Equal(t, "ForgotPassword", calls[0].Op)
	assert.Equal(t, "real-user", calls[0].Username, "the call ran to its end: the environment was kept")
	// The log travels through a pipe: it may come after the answer.
	for deadline := time.Now().Add(patience.For(time.Second)); !strings.Contains(logs.String(), `"outcome":"resent"`); time.Sleep(20 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "the page did not log the call's outcome:\n%s", logs.String())
	}
	assert.NotContains(t, logs.String(), "outlived the invocation")

	healthz := invokeRIE(t, e, urlEvent(http.MethodGet, "https://"+domain+"/healthz", nil, nil))
	assert.Equal(t, http.StatusOK, healthz.StatusCode, "the next invocation is served")
	assert.NotContains(t, logs.String(), "real-user")
}
