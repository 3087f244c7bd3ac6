package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// testNow is the clock of every golden answer.
var testNow = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

const eventsDir = "../../events"

// fixture builds a Handler from the embedded templates and tenant, the
// development keyring and testNow; edit may break parts of it.
func fixture(t testing.TB, edit func(*handler.Config)) (*handler.Handler, *bytes.Buffer) {
	t.Helper()
	r, err := render.New(templates.FS)
	require.NoError(t, err)
	logs := new(bytes.Buffer)
	cfg := handler.Config{
		Renderer: r,
		Tenants:  tenant.NewStore(templates.FS),
		Keyring:  keys.Development(),
		Now:      func() time.Time { return testNow },
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
	}
	if edit != nil {
		edit(&cfg)
	}
	return handler.New(cfg), logs
}

// recorded returns the recorded events by file name.
func recorded(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(eventsDir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := make(map[string][]byte, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = data
	}
	return out
}

func readEvent(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(eventsDir, name+".json"))
	require.NoError(t, err)
	return data
}

// answer is the part of an answer the tests read.
type answer struct {
	TriggerSource string `json:"triggerSource"`
	UserName      string `json:"userName"`
	Request       struct {
		CodeParameter     string `json:"codeParameter"`
		UsernameParameter string `json:"usernameParameter"`
	} `json:"request"`
	Response struct {
		EmailSubject *string `json:"emailSubject"`
		EmailMessage *string `json:"emailMessage"`
		SMSMessage   *string `json:"smsMessage"`
	} `json:"response"`
}

func invoke(t testing.TB, h *handler.Handler, payload []byte) ([]byte, answer) {
	t.Helper()
	out, err := h.Invoke(context.Background(), payload)
	require.NoError(t, err, "the handler must never return an error to Cognito")
	var a answer
	require.NoError(t, json.Unmarshal(out, &a), "the answer must be JSON")
	return out, a
}

// rendered reports whether the answer carries a message cogmail wrote.
func (a answer) rendered() bool {
	return a.Response.EmailMessage != nil && *a.Response.EmailMessage != ""
}

func (a answer) email() string { return deref(a.Response.EmailMessage) }

// gateMessage is the answer as the output gate reads it.
func (a answer) gateMessage() gate.Message {
	return gate.Message{
		TriggerSource:     a.TriggerSource,
		CodeParameter:     a.Request.CodeParameter,
		UsernameParameter: a.Request.UsernameParameter,
		EmailSubject:      deref(a.Response.EmailSubject),
		EmailMessage:      a.email(),
		SMSMessage:        deref(a.Response.SMSMessage),
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

var hrefPattern = regexp.MustCompile(`href="([^"]*)"`)

// hrefs returns the links of an HTML body, as a browser reads them.
func hrefs(body string) []string {
	var out []string
	for _, m := range hrefPattern.FindAllStringSubmatch(body, -1) {
		out = append(out, strings.ReplaceAll(m[1], "&amp;", "&"))
	}
	return out
}

func quietLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }
