package mailfrom_test

import (
	"net/mail"
	"testing"

	"github.com/stretchr/testify/assert"

	// Every test binary accepts -update (go test ./... -update).
	_ "github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/internal/mailfrom"
	"github.com/cogmail/cogmail/lambda/tenant"
)

func TestChoose(t *testing.T) {
	env := &mail.Address{Name: "Demo", Address: "no-reply@mail.cogmail-demo.net"}
	exampleSender := &tenant.Sender{FromName: "Example", FromAddress: "no-reply@example.com", ReplyTo: "help@example.com", ConfigurationSet: "set-1"}
	realSender := &tenant.Sender{FromName: "Acme", FromAddress: "accounts@acme.net", ReplyTo: "help@acme.net", ConfigurationSet: "acme"}
	for _, c := range []struct {
		name     string
		id       string
		sender   *tenant.Sender
		fallback *mail.Address
		inLambda bool
		from     string
		replyTo  []string
		set      string
		skip     string
	}{
		{"a tenant's own sender", "acme", realSender, env, true, "accounts@acme.net", []string{"help@acme.net"}, "acme", ""},
		{"the default tenant's example sender replaced", tenant.DefaultID, exampleSender, env, true, "no-reply@mail.cogmail-demo.net", nil, "set-1", ""},
		{"the default tenant without a sender", tenant.DefaultID, nil, env, true, "no-reply@mail.cogmail-demo.net", nil, "", ""},
		{"the default tenant's real sender kept", tenant.DefaultID, realSender, env, true, "accounts@acme.net", []string{"help@acme.net"}, "acme", ""},
		{"an example sender outside Lambda", "acme", exampleSender, nil, false, "no-reply@example.com", []string{"help@example.com"}, "set-1", ""},
		{"an example sender inside Lambda", "acme", exampleSender, env, true, "", nil, "", "the tenant's sender is on an example domain: set sender in tenants/acme/tenant.json"},
		{"no sender", "acme", nil, env, true, "", nil, "", "the tenant has no sender (sender in tenants/acme/tenant.json)"},
		{"no sender anywhere for the default tenant", tenant.DefaultID, nil, nil, false, "", nil, "",
			"the tenant has no sender (set COGMAIL_NOTIFY_FROM or sender in tenants/default/tenant.json)"},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			got, skip := mailfrom.Choose(&tenant.Tenant{ID: c.id, Sender: c.sender}, c.fallback, c.inLambda)
			assert.Equal(t, c.skip, skip)
			assert.Equal(t, c.from, got.From.Address)
			assert.Equal(t, c.replyTo, got.ReplyTo)
			assert.Equal(t, c.set, got.ConfigurationSet)
		})
	}
}

func TestPlain(t *testing.T) {
	for s, want := range map[string]bool{
		"ana@example.com": true, "Ana <ana@example.com>": false, "anä@example.com": false, "not an address": false, "": false,
	} {
		t.Run("case="+s, func(t *testing.T) { assert.Equal(t, want, mailfrom.Plain(s)) })
	}
}
