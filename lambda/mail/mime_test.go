package mail_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/mail"
)

// decoded is a message read back as a mail client reads it.
type decoded struct {
	header     netmail.Header
	from       *netmail.Address
	subject    string
	text, html string
	types      []string // the parts' media types, in order
}

// readBack parses raw with the standard library's readers: RFC 2047 words
// decoded, parts' quoted-printable decoded, CRLF line ends made LF.
func readBack(t *testing.T, raw []byte) decoded {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	var d decoded
	d.header = msg.Header
	d.from, err = netmail.ParseAddress(msg.Header.Get("From"))
	require.NoError(t, err)
	d.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mediaType)
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextPart() // decodes quoted-printable itself
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		body, err := io.ReadAll(p)
		require.NoError(t, err)
		ct, ctParams, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		require.NoError(t, err)
		assert.Equal(t, "UTF-8", ctParams["charset"])
		d.types = append(d.types, ct)
		text := strings.ReplaceAll(string(body), "\r\n", "\n")
		switch ct {
		case "text/plain":
			d.text = text
		case "text/html":
			d.html = text
		}
	}
	return d
}

func sample() mail.Message {
	return mail.Message{
		From:    netmail.Address{Name: "Acme Rockets", Address: "security@acme-rockets.example"},
		ReplyTo: []string{"help@acme-rockets.example"},
		To:      "ana.silva@example.com",
		Subject: "Your password was changed",
		Text:    "Hello,\n\nyour password was changed.\n",
		HTML:    "<!doctype html><html><body><p>Hello,</p><p>your password was changed.</p></body></html>",
		Date:    time.Date(2025, 3, 14, 10, 21, 7, 0, time.UTC),
	}
}

func TestBytesReadsBack(t *testing.T) {
	longURL := "https://acme-rockets.example/report?username=d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f&tenant=acme&pool=eu-west-1_Ab12Cd34E&locale=de&exp=1742553667&kid=k1&sig=" + strings.Repeat("AbCd0_-", 12)
	cases := []struct {
		name string
		edit func(*mail.Message)
	}{
		{"ascii", func(*mail.Message) {}},
		{"german subject and name", func(m *mail.Message) {
			m.Subject, m.From.Name = "Ihr Passwort wurde geändert – bitte prüfen", "Acme Raketen GmbH & Co. „Süd“"
		}},
		{"japanese 140-character subject", func(m *mail.Message) {
			m.Subject = strings.Repeat("パスワードが変更されました。", 10)
			m.From.Name = "アクメ・ロケット株式会社セキュリティチーム"
		}},
		{"hebrew name, right to left", func(m *mail.Message) {
			m.Subject, m.From.Name = "הסיסמה שלך שונתה", "אקמה רקטות"
		}},
		{"ascii that looks like an encoded word", func(m *mail.Message) {
			m.Subject, m.From.Name = "=?UTF-8?B?SGk=?= is not an encoded word here", `Acme "Rockets" =?x?`
		}},
		{"quoted name with specials", func(m *mail.Message) { m.From.Name = `Acme, Inc. <Security>` }},
		{"long URL in the text part", func(m *mail.Message) {
			m.Text = "Wasn't you? Open this link:\n" + longURL + "\n"
			m.HTML = `<a href="` + strings.ReplaceAll(longURL, "&", "&amp;") + `">report</a>`
		}},
		{"long lines and trailing spaces", func(m *mail.Message) {
			m.Text = strings.Repeat("word ", 400) + "\nend with space \n"
			m.HTML = "<p>" + strings.Repeat("ü", 3000) + "</p>"
		}},
		{"several reply-to addresses", func(m *mail.Message) {
			m.ReplyTo = []string{"help@acme-rockets.example", "support.team.with.a.long.name@help.acme-rockets.example", "third@acme-rockets.example"}
		}},
	}
	for _, c := range cases {
		t.Run("case="+c.name, func(t *testing.T) {
			m := sample()
			c.edit(&m)
			raw, err := m.Bytes()
			require.NoError(t, err)
			for i, line := range strings.Split(string(raw), "\r\n") {
				assert.LessOrEqual(t, len(line), 998, "line %d is longer than SMTP allows", i+1)
				assert.NotContains(t, line, "\n", "line %d ends with a bare LF", i+1)
			}
			d := readBack(t, raw)
			assert.Equal(t, m.Subject, d.subject)
			assert.Equal(t, m.From.Name, d.from.Name)
			assert.Equal(t, m.From.Address, d.from.Address)
			assert.Equal(t, m.To, d.header.Get("To"))
			replyTo, err := d.header.AddressList("Reply-To")
			require.NoError(t, err)
			var got []string
			for _, a := range replyTo {
				got = append(got, a.Address)
			}
			assert.Equal(t, m.ReplyTo, got)
			assert.Equal(t, "1.0", d.header.Get("MIME-Version"))
			date, err := d.header.Date()
			require.NoError(t, err)
			assert.True(t, date.Equal(m.Date))
			// Text first: clients show the last part they can.
			assert.Equal(t, []string{"text/plain", "text/html"}, d.types)
			assert.Equal(t, m.Text, d.text)
			assert.Equal(t, m.HTML, d.html)
			if strings.Contains(m.Text, longURL) {
				assert.NotContains(t, string(raw), longURL, "the URL was expected to be wrapped by quoted-printable")
				assert.Contains(t, d.text, longURL, "the URL must come back whole once decoded")
			}
			again, err := m.Bytes()
			require.NoError(t, err)
			assert.Equal(t, raw, again, "the same message must be the same bytes")
		})
	}
}

func TestBytesRefuses(t *testing.T) {
	cases := []struct {
		name string
		edit func(*mail.Message)
		want string
	}{
		{"header injection in the subject", func(m *mail.Message) { m.Subject = "Hi\r\nBcc: victim@example.com" }, "Subject"},
		{"line break in the name", func(m *mail.Message) { m.From.Name = "Acme\nBcc: x@example.com" }, "From name"},
		{"two recipients", func(m *mail.Message) { m.To = "a@example.com, b@example.com" }, "To"},
		{"a display name in To", func(m *mail.Message) { m.To = "Ana <ana@example.com>" }, "To"},
		{"a line break in To", func(m *mail.Message) { m.To = "ana@example.com\r\nBcc: b@example.com" }, "To"},
		{"non-ASCII address", func(m *mail.Message) { m.From.Address = "sicherheit@bücher.example" }, "From"},
		{"bad reply-to", func(m *mail.Message) { m.ReplyTo = []string{"not an address"} }, "Reply-To"},
		{"empty subject", func(m *mail.Message) { m.Subject = " " }, "subject"},
		{"no text part", func(m *mail.Message) { m.Text = "" }, "empty"},
		{"no HTML part", func(m *mail.Message) { m.HTML = "" }, "empty"},
		{"invalid UTF-8", func(m *mail.Message) { m.Text = "\xff" }, "UTF-8"},
	}
	for _, c := range cases {
		t.Run("case="+c.name, func(t *testing.T) {
			m := sample()
			c.edit(&m)
			_, err := m.Bytes()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
