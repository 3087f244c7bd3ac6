package localstack

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/moto"
)

// sesPollInterval is how often the stack asks moto_server what its SES
// accepted; a test waiting for a notice waits this long at most beyond it.
const sesPollInterval = 250 * time.Millisecond

// sesCollector appends each message moto_server's SES accepts to the
// mailbox, once.
type sesCollector struct {
	moto    string
	mailbox Mailbox
	log     io.Writer
	client  *http.Client
	seen    map[string]bool
	failing bool
}

func newSESCollector(motoEndpoint string, mailbox Mailbox, log io.Writer) *sesCollector {
	return &sesCollector{moto: motoEndpoint, mailbox: mailbox, log: log, seen: map[string]bool{},
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}}
}

// run polls until ctx ends.
func (c *sesCollector) run(ctx context.Context) {
	for {
		c.poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(sesPollInterval):
		}
	}
}

// poll appends what is new; a failure is said once, not every poll.
func (c *sesCollector) poll(ctx context.Context) {
	sent, err := moto.Sent(ctx, c.client, c.moto)
	if err != nil {
		if !c.failing && ctx.Err() == nil && c.log != nil {
			fmt.Fprintf(c.log, "mailbox: %v\n", err)
		}
		c.failing = true
		return
	}
	c.failing = false
	var lines []byte
	add := func(m Message) {
		c.seen[m.SESID] = true
		line, err := json.Marshal(m)
		if err == nil {
			lines = append(append(lines, line...), '\n')
		}
	}
	for _, r := range sent.Raw {
		if !c.seen[r.ID] {
			add(rawMessage(r))
		}
	}
	for _, s := range sent.Simple {
		if !c.seen[s.ID] {
			add(simpleMessage(s))
		}
	}
	if len(lines) == 0 {
		return
	}
	// One write, appended: cognito-local.js appends to the same file.
	f, err := os.OpenFile(string(c.mailbox), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err == nil {
		_, err = f.Write(lines)
		if closeErr := f.Close(); err == nil {
			err = closeErr
		}
	}
	if err != nil && c.log != nil {
		fmt.Fprintf(c.log, "mailbox: %v\n", err)
	}
}

// rawMessage decodes a raw send as a mail client would read it.
func rawMessage(r moto.RawMessage) Message {
	m := Message{Source: SourceSES, SESID: r.ID, From: r.Source, To: unique(r.Destinations), Raw: r.Data, At: time.Now().UTC()}
	msg, err := mail.ReadMessage(strings.NewReader(r.Data))
	if err != nil {
		m.Problem = err.Error()
		return m
	}
	var dec mime.WordDecoder
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		m.Problem = "Subject: " + err.Error()
	}
	if from, err := msg.Header.AddressList("From"); err == nil && len(from) == 1 {
		m.From, m.FromName = from[0].Address, from[0].Name
	}
	if list, err := msg.Header.AddressList("Reply-To"); err == nil {
		for _, a := range list {
			m.ReplyTo = append(m.ReplyTo, a.Address)
		}
	}
	m.ContentType, _, _ = mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err := readParts(&m, msg.Header, msg.Body); err != nil && m.Problem == "" {
		m.Problem = err.Error()
	}
	return m
}

// simpleMessage is a simple send: moto keeps its HTML body only.
func simpleMessage(s moto.SimpleMessage) Message {
	return Message{Source: SourceSES, SESID: s.ID, From: s.Source, Subject: s.Subject, HTML: s.Body,
		To: unique(slices.Concat(s.Destinations.To, s.Destinations.Cc, s.Destinations.Bcc)), At: time.Now().UTC()}
}

// header is what readParts needs of a message's or a part's header.
type header interface{ Get(string) string }

// readParts fills m.Text and m.HTML from a body with header h, descending
// into multipart bodies.
func readParts(m *Message, h header, body io.Reader) error {
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mediaType = "text/plain" // RFC 2045's default
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			part, err := r.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := readParts(m, part.Header, part); err != nil {
				return err
			}
		}
	}
	data, err := decodeBody(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return err
	}
	switch mediaType {
	case "text/plain":
		m.Text += string(data)
	case "text/html":
		m.HTML += string(data)
	}
	return nil
}

func decodeBody(encoding string, body io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return io.ReadAll(quotedprintable.NewReader(body))
	case "base64":
		// The decoder skips the line breaks.
		raw, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		return io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.TrimSpace(raw))))
	default:
		return io.ReadAll(body)
	}
}

// unique drops repeats, keeping the order: moto lists raw recipients twice.
func unique(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
