package localstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// pollInterval is how often WaitFor reads the mailbox again.
const pollInterval = 50 * time.Millisecond

// Mailbox is the file infra/local/cognito-local.js appends every message
// cognito-local delivers to, one JSON object a line.
type Mailbox string

// Message is one delivered message. cognito-local substitutes only the first
// {####} and {username} in the bodies; Code is what it substituted.
type Message struct {
	// Seq is the message's position in the mailbox, from 0: a test that
	// triggers a message matches Seq >= the count it saw before.
	Seq          int       `json:"-"`
	Username     string    `json:"username"`
	Destination  string    `json:"destination"`
	Code         string    `json:"code"`
	EmailSubject string    `json:"emailSubject"`
	EmailMessage string    `json:"emailMessage"`
	SMSMessage   string    `json:"smsMessage"`
	At           time.Time `json:"at"`
}

// Messages reads every complete message; a missing mailbox holds none. A last
// line without its newline is being written and is left for the next read.
func (m Mailbox) Messages() ([]Message, error) {
	data, err := os.ReadFile(string(m))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var msgs []Message
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		line := bytes.TrimSpace(data[:i])
		data = data[i+1:]
		if len(line) == 0 {
			continue
		}
		var msg Message
		if err := json.Unmarshal(line, &msg); err != nil {
			return nil, fmt.Errorf("mailbox %s, message %d: %w", m, len(msgs)+1, err)
		}
		msg.Seq = len(msgs)
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// WaitFor returns the first message match accepts, reading the mailbox until
// one arrives or ctx ends.
func (m Mailbox) WaitFor(ctx context.Context, match func(Message) bool) (Message, error) {
	for {
		msgs, err := m.Messages()
		if err != nil {
			return Message{}, err
		}
		for _, msg := range msgs {
			if match(msg) {
				return msg, nil
			}
		}
		select {
		case <-ctx.Done():
			return Message{}, fmt.Errorf("no matching message in %s among %d: %w", m, len(msgs), ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

// WaitFor is Mailbox(path).WaitFor(ctx, match).
func WaitFor(ctx context.Context, path string, match func(Message) bool) (Message, error) {
	return Mailbox(path).WaitFor(ctx, match)
}
