package sender_test

import (
	"context"
	netmail "net/mail"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/gate"
	cogmail "github.com/cogmail/cogmail/lambda/mail"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
	"github.com/cogmail/cogmail/templates"
)

// BenchmarkSend is the warm path of one password reset email against
// moto_server (KMS, SES, DynamoDB), broken down: decrypt (the Encryption
// SDK and one KMS Decrypt of real Cognito's shape), render (HTML and text
// parts, gate.CheckSent), send (one raw SES send), and the whole
// invocation (read the event, decrypt, resolve, sign, render, gate, claim
// in DynamoDB, send, mark sent). The round trips to moto stand for KMS's,
// SES's and DynamoDB's (BENCHMARKS.md).
// benchUsers numbers the invocations' users across runs (-count): moto's
// table outlives one run, and a user seen before would be a duplicate.
var benchUsers atomic.Int64

func BenchmarkSend(b *testing.B) {
	s := startStack(b)
	s.reset(b, "example.com")
	ciphertext := s.encrypt(b, "cognito", eventPool, "482913")[0]
	ctx := context.Background()

	b.Run("part=decrypt", func(b *testing.B) {
		d := s.decrypter(b, s.endpoint)
		for b.Loop() {
			if code, err := d.Decrypt(ctx, ciphertext, eventPool); err != nil || code != "482913" {
				b.Fatalf("%q %v", code, err)
			}
		}
	})

	r, err := render.Open(templates.FS)
	if err != nil {
		b.Fatal(err)
	}
	res, err := tenant.NewStore(templates.FS).Resolve(tenant.Route{UserPoolID: eventPool})
	if err != nil {
		b.Fatal(err)
	}
	m := render.Message{
		Kind: trigger.Reset, Tenant: res.Tenant, Locale: language.English, Name: "Ana", Code: "482913",
		Link: "https://app.example.com/reset-password?username=u&code=482913", Expiry: time.Hour, Sent: true,
	}
	email, err := r.Render(m)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("part=render", func(b *testing.B) {
		for b.Loop() {
			e, err := r.Render(m)
			if err == nil {
				err = gate.CheckSent(e.Subject, e.HTML, e.Text, m.Code)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("part=send", func(b *testing.B) {
		snd := &cogmail.Sender{SES: s.ses}
		msg := cogmail.Message{
			From: netmail.Address{Name: "Example App", Address: "no-reply@example.com"}, To: eventEmail,
			Subject: email.Subject, Text: email.Text, HTML: email.HTML, Date: testNow,
		}
		for b.Loop() {
			if _, err := snd.Send(ctx, msg, ""); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("part=invocation", func(b *testing.B) {
		snd, _ := newSender(b, s, nil)
		// Each invocation is another user's event: its claim is new.
		event := func(i int) []byte {
			return readEvent(b, "forgot-password.json", placeholder, ciphertext, `"userName": "`+eventUser, `"userName": "`+strconv.Itoa(i))
		}
		if out, err := snd.Invoke(ctx, event(int(benchUsers.Add(1)))); err != nil { // warm
			b.Fatalf("%s %v", out, err)
		}
		for b.Loop() {
			out, err := snd.Invoke(ctx, event(int(benchUsers.Add(1))))
			if err != nil || string(out) != `{"outcome":"sent"}` {
				b.Fatalf("%s %v", out, err)
			}
		}
	})
}
