package tenant_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// sender is a valid sender of the acme.example domain.
func sender() *tenant.Sender {
	return &tenant.Sender{FromName: "Acme", FromAddress: "security@acme.example", Domains: []string{"acme.example"}}
}

func TestValidateAcceptsNotices(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*tenant.Tenant)
	}{
		{"case=sender with only its required fields", func(tn *tenant.Tenant) {
			tn.Sender = &tenant.Sender{FromAddress: "security@acme.example", Domains: []string{"acme.example"}}
		}},
		{"case=address at a subdomain", func(tn *tenant.Tenant) {
			tn.Sender = sender()
			tn.Sender.FromAddress, tn.Sender.ReplyTo = "no-reply@mail.eu.acme.example", "help@support.acme.example"
		}},
		{"case=domain in another case", func(tn *tenant.Tenant) {
			tn.Sender = sender()
			tn.Sender.FromAddress, tn.Sender.Domains = "security@Acme.Example", []string{"ACME.example"}
		}},
		{"case=second domain", func(tn *tenant.Tenant) {
			tn.Sender = sender()
			tn.Sender.Domains = []string{"acme-rockets.example", "acme.example"}
		}},
		{"case=fromName of 64 runes", func(tn *tenant.Tenant) { tn.Sender = sender(); tn.Sender.FromName = strings.Repeat("ü", 64) }},
		{"case=fromName with punctuation", func(tn *tenant.Tenant) {
			tn.Sender = sender()
			tn.Sender.FromName = "Acme Rockets GmbH, Sicherheit (Team) – 安全"
		}},
		{"case=configuration set of 64 characters", func(tn *tenant.Tenant) {
			tn.Sender = sender()
			tn.Sender.ConfigurationSet = strings.Repeat("a_-9", 16)
		}},
		{"case=no notices", func(tn *tenant.Tenant) { tn.Notifications.Kinds = []trigger.Kind{} }},
		{"case=every notice", func(tn *tenant.Tenant) { tn.Notifications.Kinds = trigger.Notices }},
		{"case=sign out without a sender", func(tn *tenant.Tenant) { tn.Notifications.SignOutOnReport = true }},
		{"case=reportUrl on loopback http", func(tn *tenant.Tenant) { tn.Links.ReportURL = "http://127.0.0.1:8088/report" }},
		{"case=reportExpiry of 30 days", func(tn *tenant.Tenant) { tn.Links.ReportExpiry = tenant.Duration(30 * day) }},
		{"case=reportExpiry without reportUrl", func(tn *tenant.Tenant) { tn.Links.ReportExpiry = tenant.Duration(time.Hour) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := valid("acme")
			tc.edit(tn)
			assert.NoError(t, tn.Validate())
		})
	}
}

func TestValidateRejectsNotices(t *testing.T) {
	withSender := func(f func(*tenant.Sender)) func(*tenant.Tenant) {
		return func(tn *tenant.Tenant) { tn.Sender = sender(); f(tn.Sender) }
	}
	for _, tc := range []struct {
		name  string
		edit  func(*tenant.Tenant)
		field string // the one problem's message starts with it
	}{
		{"case=http reportUrl", func(tn *tenant.Tenant) { tn.Links.ReportURL = "http://app.acme.example/report" }, "links.reportUrl: must be an absolute https URL"},
		{"case=reportUrl with credentials", func(tn *tenant.Tenant) { tn.Links.ReportURL = "https://u@app.acme.example/report" }, "links.reportUrl"},
		{"case=reportUrl with fragment", func(tn *tenant.Tenant) { tn.Links.ReportURL = "https://app.acme.example/#/report" }, "links.reportUrl"},
		{"case=reportUrl whose query holds a link parameter", func(tn *tenant.Tenant) { tn.Links.ReportURL = "https://a.example/report?sig=x" }, "links.reportUrl"},
		{"case=relative reportUrl", func(tn *tenant.Tenant) { tn.Links.ReportURL = "/report" }, "links.reportUrl"},
		{"case=reportExpiry over 30 days", func(tn *tenant.Tenant) { tn.Links.ReportExpiry = tenant.Duration(30*day + time.Second) }, "links.reportExpiry: must be more than 0 and at most 720h"},
		{"case=negative reportExpiry", func(tn *tenant.Tenant) { tn.Links.ReportExpiry = tenant.Duration(-time.Hour) }, "links.reportExpiry"},

		{"case=sender without fromAddress", withSender(func(s *tenant.Sender) { s.FromAddress = "" }), "sender.fromAddress: is required"},
		{"case=fromAddress with display name", withSender(func(s *tenant.Sender) { s.FromAddress = "Acme <security@acme.example>" }), "sender.fromAddress: is not a plain address"},
		{"case=fromAddress in angle brackets", withSender(func(s *tenant.Sender) { s.FromAddress = "<security@acme.example>" }), "sender.fromAddress"},
		{"case=fromAddress at another domain", withSender(func(s *tenant.Sender) { s.FromAddress = "security@acme.example.net" }), "sender.fromAddress: is at acme.example.net, which is not one of sender.domains"},
		{"case=fromAddress at a domain that only ends alike", withSender(func(s *tenant.Sender) { s.FromAddress = "security@notacme.example" }), "sender.fromAddress: is at notacme.example"},
		{"case=replyTo at another domain", withSender(func(s *tenant.Sender) { s.ReplyTo = "help@gmail.example" }), "sender.replyTo: is at gmail.example"},
		{"case=replyTo not an address", withSender(func(s *tenant.Sender) { s.ReplyTo = "help" }), "sender.replyTo: is not a plain address"},
		{"case=no domains", withSender(func(s *tenant.Sender) { s.Domains = nil }), "sender.domains: is empty"},
		{"case=domain with a scheme", withSender(func(s *tenant.Sender) { s.Domains = append(s.Domains, "https://acme.example") }), "sender.domains[1]: \"https://acme.example\" is not a domain name"},
		{"case=domain with a leading dot", withSender(func(s *tenant.Sender) { s.Domains = append(s.Domains, ".acme.example") }), "sender.domains[1]"},
		{"case=domain label ending in a hyphen", withSender(func(s *tenant.Sender) { s.Domains = append(s.Domains, "acme-.example") }), "sender.domains[1]"},
		{"case=one-label domain", withSender(func(s *tenant.Sender) { s.Domains = append(s.Domains, "localhost") }), "sender.domains[1]"},
		{"case=domain listed twice", withSender(func(s *tenant.Sender) { s.Domains = append(s.Domains, "ACME.example") }), `sender.domains: "acme.example" is listed twice`},
		{"case=fromName with a quote", withSender(func(s *tenant.Sender) { s.FromName = `Acme "Security"` }), "sender.fromName"},
		{"case=fromName with angle brackets", withSender(func(s *tenant.Sender) { s.FromName = "Acme <x@evil.example>" }), "sender.fromName"},
		{"case=fromName with a line break", withSender(func(s *tenant.Sender) { s.FromName = "Acme\r\nBcc: x@evil.example" }), "sender.fromName"},
		{"case=fromName with a C1 control", withSender(func(s *tenant.Sender) { s.FromName = "Acme\u0085" }), "sender.fromName"},
		{"case=fromName of spaces", withSender(func(s *tenant.Sender) { s.FromName = " \t" }), "sender.fromName"},
		{"case=fromName of 65 runes", withSender(func(s *tenant.Sender) { s.FromName = strings.Repeat("ü", 65) }), "sender.fromName: must have 1 to 64"},
		{"case=configuration set with a space", withSender(func(s *tenant.Sender) { s.ConfigurationSet = "acme notices" }), "sender.configurationSet"},
		{"case=configuration set of 65 characters", withSender(func(s *tenant.Sender) { s.ConfigurationSet = strings.Repeat("c", 65) }), "sender.configurationSet"},

		{"case=custom message kind as notice", func(tn *tenant.Tenant) { tn.Notifications.Kinds = []trigger.Kind{trigger.Reset} }, `notifications.kinds[0]: unknown notice "reset"`},
		{"case=misspelt notice", func(tn *tenant.Tenant) { tn.Notifications.Kinds = []trigger.Kind{trigger.Changed, "adminSet"} }, `notifications.kinds[1]: unknown notice "adminSet"; did you mean "adminset"?`},
		{"case=notice listed twice", func(tn *tenant.Tenant) { tn.Notifications.Kinds = []trigger.Kind{trigger.Changed, trigger.Changed} }, `notifications.kinds: "changed" is listed twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := valid("acme")
			tc.edit(tn)
			err := tn.Validate()
			require.Error(t, err)
			got := problems(err)
			require.Len(t, got, 1, "one problem expected: %v", err)
			assert.True(t, strings.HasPrefix(got[0].Error(), tc.field), "%q should start with %q", got[0], tc.field)
		})
	}
}

// Which notices a tenant sends: absent means all but welcome, [] none.
func TestSends(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kinds []trigger.Kind
		want  []trigger.Kind
	}{
		{"case=absent", nil, []trigger.Kind{trigger.Recovered, trigger.Changed, trigger.AdminSet, trigger.AdminReset, trigger.Takeover}},
		{"case=none", []trigger.Kind{}, nil},
		{"case=welcome only", []trigger.Kind{trigger.Welcome}, []trigger.Kind{trigger.Welcome}},
		{"case=every one", trigger.Notices, trigger.Notices},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := valid("acme")
			tn.Notifications.Kinds = tc.kinds
			var got []trigger.Kind
			for _, k := range append(append([]trigger.Kind{}, trigger.Notices...), trigger.Kinds...) {
				if tn.Sends(k) {
					got = append(got, k)
				}
			}
			assert.Equal(t, tc.want, got, "a Custom Message kind is never a notice the tenant sends")
		})
	}
}

func TestReportExpiry(t *testing.T) {
	tn := valid("acme")
	assert.Equal(t, 168*time.Hour, tn.ReportExpiry(), "absent: a week")
	tn.Links.ReportExpiry = tenant.Duration(48 * time.Hour)
	assert.Equal(t, 48*time.Hour, tn.ReportExpiry())
}

// A tenant.json tells "kinds": [] (none) from no kinds at all (the
// default), by both readings: the strict one and a Checked layer's.
func TestNotificationKindsAbsentOrEmpty(t *testing.T) {
	base := strings.TrimSpace(string(encode(t, valid(tenant.DefaultID))))
	for _, tc := range []struct {
		name, notifications string
		welcome, changed    bool
	}{
		{"case=no notifications", ``, false, true},
		{"case=no kinds", `"notifications": {"signOutOnReport": true},`, false, true},
		{"case=empty kinds", `"notifications": {"kinds": []},`, false, false},
		{"case=welcome only", `"notifications": {"kinds": ["welcome"]},`, true, false},
	} {
		data := strings.Replace(base, "{", "{"+tc.notifications, 1)
		layer := fstest.MapFS{"tenants/default/tenant.json": {Data: []byte(data)}}
		for name, store := range map[string]*tenant.Store{"strict": tenant.NewStore(layer), "checked": tenant.NewStore(tenant.Checked(layer))} {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				tn, err := store.Get(tenant.DefaultID)
				require.NoError(t, err)
				assert.Equal(t, tc.welcome, tn.Sends(trigger.Welcome))
				assert.Equal(t, tc.changed, tn.Sends(trigger.Changed))
			})
		}
	}
}
