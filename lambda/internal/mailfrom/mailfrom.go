// Package mailfrom chooses who a tenant's emails come from: the sender in
// its tenant.json, or, for the default tenant, COGMAIL_NOTIFY_FROM. The
// notifier and the Custom Email Sender function both send through SES, and
// choose alike.
package mailfrom

import (
	"errors"
	"net/mail"
	"strings"

	"github.com/cogmail/cogmail/lambda/internal/pageurl"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// EnvFrom is the default tenant's sender, "Name <address>", used when its
// own is absent or on an example domain.
const EnvFrom = "COGMAIL_NOTIFY_FROM"

// Choice is who a tenant's emails come from.
type Choice struct {
	From             mail.Address
	ReplyTo          []string
	ConfigurationSet string
}

// Choose is who tenant t's emails come from. The default tenant's sender,
// when absent or on an example domain (the shipped one), is fallback
// (EnvFrom), as COGMAIL_PAGE_URL replaces its links. With refuseExample
// (inside Lambda) a sender on an example domain is refused: SES would
// refuse it anyway, and after retries the event would wait in the
// dead-letter queue for a sender that can never be. skip says why there is
// none.
func Choose(t *tenant.Tenant, fallback *mail.Address, refuseExample bool) (c Choice, skip string) {
	s := t.Sender
	example := s != nil && pageurl.ExampleDomain(Domain(s.FromAddress))
	if t.ID == tenant.DefaultID && fallback != nil && (s == nil || example) {
		c.From = *fallback
		if s != nil {
			c.ConfigurationSet = s.ConfigurationSet
			if s.ReplyTo != "" && !pageurl.ExampleDomain(Domain(s.ReplyTo)) {
				c.ReplyTo = []string{s.ReplyTo}
			}
		}
		return c, ""
	}
	switch {
	case s == nil && t.ID == tenant.DefaultID:
		return c, "the tenant has no sender (set " + EnvFrom + " or sender in tenants/default/tenant.json)"
	case s == nil:
		return c, "the tenant has no sender (sender in tenants/" + t.ID + "/tenant.json)"
	case example && refuseExample:
		return c, "the tenant's sender is on an example domain: " + fix(t)
	}
	if s.ReplyTo != "" {
		c.ReplyTo = []string{s.ReplyTo}
	}
	c.From = mail.Address{Name: s.FromName, Address: s.FromAddress}
	c.ConfigurationSet = s.ConfigurationSet
	return c, ""
}

func fix(t *tenant.Tenant) string {
	if t.ID == tenant.DefaultID {
		return "set " + EnvFrom + " or sender in tenants/default/tenant.json (an overlay)"
	}
	return "set sender in tenants/" + t.ID + "/tenant.json"
}

// Domain is the part of address after its last '@'.
func Domain(address string) string {
	return address[strings.LastIndexByte(address, '@')+1:]
}

// Plain reports whether s is one ASCII address, as a raw message's To
// header takes it.
func Plain(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Parse reads EnvFrom's value, "Name <address>" (or a bare address); nil
// when unset.
func Parse(raw string) (*mail.Address, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	a, err := mail.ParseAddress(raw)
	switch {
	case err != nil:
		return nil, errors.New(`not an address such as "Example App <no-reply@app.example.net>"`)
	case !Plain(a.Address):
		return nil, errors.New("the address must be plain ASCII")
	case strings.ContainsAny(a.Name, "\r\n<>\""):
		return nil, errors.New("the name holds a line break or < > \"")
	}
	return a, nil
}
