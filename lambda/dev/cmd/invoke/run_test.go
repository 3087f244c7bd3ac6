package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReport(t *testing.T) {
	t.Run("case=a rendered email is summarised, not dumped", func(t *testing.T) {
		dir := t.TempDir()
		answer := []byte(`{"triggerSource":"CustomMessage_ForgotPassword","response":{"emailSubject":"Reset your password","emailMessage":"<p>é {####}</p>","smsMessage":null}}`)
		var out bytes.Buffer
		require.NoError(t, report(answer, "events/forgot-password.json", dir, &out))

		assert.Contains(t, out.String(), "subject:  Reset your password\n")
		assert.Contains(t, out.String(), "email:    15 characters of Cognito's 20000 (16 bytes)\n")
		assert.Contains(t, out.String(), filepath.Join(dir, "forgot-password.html"))
		assert.NotContains(t, out.String(), "<p>", "the HTML goes to a file, not the terminal")
		html, err := os.ReadFile(filepath.Join(dir, "forgot-password.html"))
		require.NoError(t, err)
		assert.Equal(t, "<p>é {####}</p>", string(html))
		whole, err := os.ReadFile(filepath.Join(dir, "forgot-password.json"))
		require.NoError(t, err)
		assert.Contains(t, string(whole), `"emailSubject": "Reset your password"`)
	})

	t.Run("case=an event that went back unchanged says so", func(t *testing.T) {
		dir := t.TempDir()
		var out bytes.Buffer
		require.NoError(t, report([]byte(`{"triggerSource":"PreSignUp_SignUp","response":{}}`), "x.json", dir, &out))
		assert.Contains(t, out.String(), "email:    none")
		assert.NoFileExists(t, filepath.Join(dir, "x.html"))
		assert.FileExists(t, filepath.Join(dir, "x.json"))
	})

	t.Run("case=an answer that is not JSON is an error", func(t *testing.T) {
		assert.Error(t, report([]byte("not json"), "x.json", t.TempDir(), &bytes.Buffer{}))
	})
}
