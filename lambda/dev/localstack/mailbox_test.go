package localstack

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/patience"
)

func TestMailbox(t *testing.T) {
	t.Run("case=a missing mailbox holds nothing", func(t *testing.T) {
		msgs, err := Mailbox(filepath.Join(t.TempDir(), "none.jsonl")).Messages()
		require.NoError(t, err)
		assert.Empty(t, msgs)
	})

	t.Run("case=a partial last line waits for the next read", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "mailbox.jsonl")
		require.NoError(t, os.WriteFile(path, []byte(`{"username":"u1","destination":"a@example.com","code":"123456","emailMessage":"<p>123456</p>","at":"2026-01-02T03:04:05.678Z"}`+"\n"+`{"username":"u2","dest`), 0o644))
		msgs, err := Mailbox(path).Messages()
		require.NoError(t, err)
		require.Len(t, msgs, 1)
		assert.Equal(t, Message{Seq: 0, Username: "u1", Destination: "a@example.com", Code: "123456", EmailMessage: "<p>123456</p>",
			At: time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.UTC)}, msgs[0])
	})

	t.Run("case=a broken complete line is an error", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "mailbox.jsonl")
		require.NoError(t, os.WriteFile(path, []byte("{\"username\":\n"), 0o644))
		_, err := Mailbox(path).Messages()
		assert.ErrorContains(t, err, "message 1")
	})

	t.Run("case=WaitFor sees a message written later", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "mailbox.jsonl")
		require.NoError(t, os.WriteFile(path, []byte(`{"destination":"old@example.com"}`+"\n"), 0o644))
		go func() {
			time.Sleep(100 * time.Millisecond)
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err == nil {
				_, _ = f.WriteString(`{"destination":"new@example.com","code":"42"}` + "\n")
				f.Close()
			}
		}()
		ctx, cancel := context.WithTimeout(t.Context(), patience.For(time.Second))
		defer cancel()
		msg, err := WaitFor(ctx, path, func(m Message) bool { return m.Destination == "new@example.com" })
		require.NoError(t, err)
		assert.Equal(t, "42", msg.Code)
		assert.Equal(t, 1, msg.Seq)
	})

	t.Run("case=WaitFor ends with its context", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
		defer cancel()
		_, err := Mailbox(filepath.Join(t.TempDir(), "mailbox.jsonl")).WaitFor(ctx, func(Message) bool { return true })
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}
