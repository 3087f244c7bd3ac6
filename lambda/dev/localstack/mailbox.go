package localstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// pollInterval is how often WaitFor reads the mailbox again.
const pollInterval = 50 * time.Millisecond

// Mailbox is the file every message the stack delivers is appended to, one
// JSON object a line: infra/local/cognito-local.js appends cognito-local's
// (the Custom Message function's emails), and the stack's own process
// appends what moto_server's SES accepted (the notifier's).
type Mailbox string

// Message is one delivered message, cognito-local's or SES's (see FromSES).
//
// cognito-local's fill Username to SMSMessage: it substitutes only the
// first {####} and {username} in the bodies; Code is what it substituted.
// SES's fill Source to Raw instead, decoded from the MIME message, and
// leave Destination empty, so that a wait for cognito-local's next email to
// an address never takes a notice for it.
type Message struct {
	// Seq is the message's position in the mailbox, from 0: a test that
	// triggers a message matches Seq >= the count it saw before.
	Seq          int       `json:"-"`
	Username     string    `json:"username,omitempty"`
	Destination  string    `json:"destination,omitempty"`
	Code         string    `json:"code,omitempty"`
	EmailSubject string    `json:"emailSubject,omitempty"`
	EmailMessage string    `json:"emailMessage,omitempty"`
	SMSMessage   string    `json:"smsMessage,omitempty"`
	At           time.Time `json:"at"`

	// Source is SourceSES for a message moto_server's SES accepted; empty
	// for cognito-local's.
	Source string `json:"source,omitempty"`
	// SESID is SES's message id.
	SESID    string   `json:"sesId,omitempty"`
	From     string   `json:"from,omitempty"` // the address
	FromName string   `json:"fromName,omitempty"`
	To       []string `json:"to,omitempty"`
	ReplyTo  []string `json:"replyTo,omitempty"`
	Subject  string   `json:"subject,omitempty"`
	// ContentType is the message's top-level media type, such as
	// multipart/alternative.
	ContentType string `json:"contentType,omitempty"`
	// Text and HTML are the decoded text/plain and text/html parts.
	Text string `json:"text,omitempty"`
	HTML string `json:"html,omitempty"`
	// Raw is the MIME message as sent; empty for a simple send.
	Raw string `json:"raw,omitempty"`
	// Problem says what could not be decoded, if anything.
	Problem string `json:"problem,omitempty"`
}

// SourceSES marks the messages moto_server's SES accepted.
const SourceSES = "ses"

// FromSES reports whether m was sent through SES (moto_server's), not
// delivered by cognito-local.
func (m Message) FromSES() bool { return m.Source == SourceSES }

// SentTo reports whether m is an SES message to address.
func (m Message) SentTo(address string) bool {
	if !m.FromSES() {
		return false
	}
	for _, to := range m.To {
		if strings.EqualFold(to, address) {
			return true
		}
	}
	return false
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
