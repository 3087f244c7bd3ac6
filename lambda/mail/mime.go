// Package mail writes a MIME message, multipart/alternative with a plain-text
// part and an HTML part, and sends it through Amazon SES v2 as raw content.
//
// Raw content, not SES's Simple content, because the message is ours to
// shape: both parts travel as written (SES's Simple send, and moto's copy of
// it, keep what SES decides), and the From header carries a display name in
// any script. Nothing here knows what the message is about.
package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Message is one email to one recipient.
type Message struct {
	From    mail.Address // Name may be any UTF-8 text; Address plain ASCII
	ReplyTo []string     // plain addresses
	To      string       // a plain address
	Subject string       // one line
	Text    string       // the plain-text part
	HTML    string       // the HTML part
	// Date is written as the Date header when set (SES writes its own
	// anyway; a local mailbox reads this one).
	Date time.Time
}

// maxHeaderLine is where header lines are folded when a space allows it
// (RFC 5322's recommended 78; 998 is the limit).
const maxHeaderLine = 78

// Bytes writes m as a MIME message with CRLF line ends: headers (RFC 2047
// encoded words for non-ASCII subject and name, folded), then a
// multipart/alternative body holding the text part and the HTML part, each
// UTF-8, quoted-printable, so that no line is longer than 76 characters and
// a long URL comes back whole once decoded.
func (m Message) Bytes() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	header := func(name, value string) { buf.WriteString(fold(name + ": " + value)) }
	if !m.Date.IsZero() {
		header("Date", m.Date.Format(time.RFC1123Z))
	}
	header("From", m.From.String())
	if len(m.ReplyTo) > 0 {
		header("Reply-To", strings.Join(m.ReplyTo, ", "))
	}
	header("To", m.To)
	header("Subject", encodeText(m.Subject))
	header("MIME-Version", "1.0")
	boundary := boundaryOf(m)
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": boundary}))
	buf.WriteString("\r\n")

	mp := multipart.NewWriter(&buf)
	if err := mp.SetBoundary(boundary); err != nil {
		return nil, err
	}
	for _, part := range []struct{ mediaType, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", part.mediaType+"; charset=UTF-8")
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		w, err := mp.CreatePart(h)
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.body)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mp.Close(); err != nil {
		return nil, err
	}
	buf.WriteString("\r\n")
	return buf.Bytes(), nil
}

// check refuses what would break the message's headers: a line break in a
// header (header injection), an address that is not one plain ASCII
// address, an empty part.
func (m Message) check() error {
	var errs []error
	plain := func(field, addr string) {
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr || a.Name != "" || !ascii(addr) {
			errs = append(errs, fmt.Errorf("mail: %s is not one plain ASCII address", field))
		}
	}
	plain("From", m.From.Address)
	plain("To", m.To)
	for _, r := range m.ReplyTo {
		plain("Reply-To", r)
	}
	for field, v := range map[string]string{"From name": m.From.Name, "Subject": m.Subject} {
		if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
			errs = append(errs, fmt.Errorf("mail: %s holds a control character or invalid UTF-8", field))
		}
	}
	if strings.TrimSpace(m.Subject) == "" {
		errs = append(errs, errors.New("mail: no subject"))
	}
	if m.Text == "" || m.HTML == "" {
		errs = append(errs, errors.New("mail: a part is empty: the message needs its text and its HTML"))
	}
	for field, v := range map[string]string{"text part": m.Text, "HTML part": m.HTML} {
		if !utf8.ValidString(v) {
			errs = append(errs, fmt.Errorf("mail: the %s is not valid UTF-8", field))
		}
	}
	return errors.Join(errs...)
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// encodeText writes an unstructured header's text: as it is when it is
// printable ASCII that no reader could take for an encoded word, else as
// RFC 2047 encoded words (Q for mostly Latin text, which stays legible; B
// for the rest, which is shorter).
func encodeText(s string) string {
	plain := !strings.Contains(s, "=?")
	nonASCII := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c < ' ' || c == 0x7f {
			plain = false
			if c >= utf8.RuneSelf {
				nonASCII++
			}
		}
	}
	switch {
	case plain:
		return s
	case nonASCII*3 > len(s):
		return mime.BEncoding.Encode("UTF-8", s)
	default:
		return forceQ(s)
	}
}

// forceQ Q-encodes s even when it is ASCII: the mime package returns ASCII
// unchanged, "=?" included, which a reader could decode as an encoded word.
func forceQ(s string) string {
	if enc := mime.QEncoding.Encode("UTF-8", s); enc != s {
		return enc
	}
	return bWords(s)
}

// bWords writes s as B encoded words of at most 45 bytes of text each
// (75 characters per word, RFC 2047), cut between runes, one space apart:
// a reader drops the spaces between encoded words.
func bWords(s string) string {
	var words []string
	for len(s) > 0 {
		n := min(len(s), 45)
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n--
		}
		words = append(words, "=?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

// fold writes one header line, breaking it before a space (the space stays,
// as RFC 5322 folding wants) wherever the line would pass maxHeaderLine,
// and ends it with CRLF. Encoded words never hold a space, so they are never
// cut; a run of text without spaces longer than the limit stays whole.
func fold(line string) string {
	var b strings.Builder
	for len(line) > maxHeaderLine {
		cut := strings.LastIndexByte(line[:maxHeaderLine+1], ' ')
		if cut <= 0 || strings.TrimSpace(line[:cut]) == "" || strings.HasSuffix(line[:cut], ":") {
			// No space to fold at within the limit: the next one, if any.
			next := strings.IndexByte(line[maxHeaderLine:], ' ')
			if next < 0 {
				break
			}
			cut = maxHeaderLine + next
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n")
		line = line[cut:]
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}

// boundaryOf derives the multipart boundary from the message, so that the
// same message is the same bytes (goldens, idempotent retries). It starts
// with "=_", which quoted-printable never writes ('=' is always "=3D" or a
// soft line break), so no part can contain it.
func boundaryOf(m Message) string {
	h := sha256.New()
	for _, s := range []string{m.Subject, m.To, m.Text, m.HTML} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "=_cogmail_" + hex.EncodeToString(h.Sum(nil)[:12])
}
