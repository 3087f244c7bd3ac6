package localstack

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cogmail/cogmail/lambda/dev/moto"
)

func TestRawMessage(t *testing.T) {
	for _, tc := range []struct {
		name, raw  string
		want       Message
		hasProblem bool
	}{
		{
			name: "case=multipart, quoted-printable text, base64 HTML, encoded headers",
			raw: "From: =?utf-8?q?Acme_R=C3=BCckruf?= <sicherheit@acme-rockets.example>\r\n" +
				"Reply-To: hilfe@acme-rockets.example\r\nTo: jonas@example.com\r\n" +
				"Subject: =?utf-8?b?UGFzc3dvcnQgZ2XDpG5kZXJ0?=\r\nMIME-Version: 1.0\r\n" +
				"Content-Type: multipart/alternative; boundary=\"x\"\r\n\r\n" +
				"--x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
				"Hallo J=C3=B6nas, eine sehr lange Zeile, die umbrochen =\r\nwird.\r\n" +
				"--x\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
				"PHA+R3LDvMOf\r\nZSwgaHRtbDwvcD4=\r\n--x--\r\n",
			want: Message{From: "sicherheit@acme-rockets.example", FromName: "Acme Rückruf", ReplyTo: []string{"hilfe@acme-rockets.example"},
				Subject: "Passwort geändert", ContentType: "multipart/alternative",
				Text: "Hallo Jönas, eine sehr lange Zeile, die umbrochen wird.", HTML: "<p>Grüße, html</p>"},
		},
		{
			name: "case=a single text part",
			raw:  "From: a@cogmail.test\r\nSubject: hi\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain\r\n",
			want: Message{From: "a@cogmail.test", Subject: "hi", ContentType: "text/plain", Text: "plain\r\n"},
		},
		{
			name:       "case=not a MIME message keeps what moto said",
			raw:        "no header here",
			want:       Message{From: "moto@cogmail.test"},
			hasProblem: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rawMessage(moto.RawMessage{ID: "m1", Source: "moto@cogmail.test", Destinations: []string{"jonas@example.com", "jonas@example.com"}, Data: tc.raw})
			assert.Equal(t, tc.hasProblem, got.Problem != "", got.Problem)
			assert.True(t, got.FromSES())
			assert.Equal(t, "m1", got.SESID)
			assert.Equal(t, []string{"jonas@example.com"}, got.To)
			assert.True(t, got.SentTo("Jonas@Example.com"))
			assert.Equal(t, tc.raw, got.Raw)
			assert.Equal(t, tc.want.From, got.From)
			assert.Equal(t, tc.want.FromName, got.FromName)
			assert.Equal(t, tc.want.ReplyTo, got.ReplyTo)
			assert.Equal(t, tc.want.Subject, got.Subject)
			assert.Equal(t, tc.want.ContentType, got.ContentType)
			assert.Equal(t, tc.want.Text, got.Text)
			assert.Equal(t, tc.want.HTML, got.HTML)
		})
	}
}

func TestSimpleMessage(t *testing.T) {
	var s moto.SimpleMessage
	s.ID, s.Source, s.Subject, s.Body = "m2", "a@cogmail.test", "subject", "<p>html only</p>"
	s.Destinations.To = []string{"ana@example.com"}
	got := simpleMessage(s)
	assert.True(t, got.SentTo("ana@example.com"))
	assert.Equal(t, "<p>html only</p>", got.HTML)
	assert.Empty(t, got.Text, "moto keeps no text part of a simple send")
	assert.False(t, Message{Destination: "ana@example.com"}.SentTo("ana@example.com"), "cognito-local's mail is not SES's")
}
