package tenant

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cogmail/cogmail/lambda/internal/hint"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// What the notifier (lambda/notify) reads of a tenant: who its emails come
// from, which notices it sends, and the "This wasn't me" link's page.

// DefaultReportExpiry is how long a report link lives when the tenant does
// not say: a week, for a notice read days later still to help.
const DefaultReportExpiry = 7 * 24 * time.Hour

// maxReportExpiry: a month-old notice no longer says much about the
// account, and a report link only starts a reset.
const maxReportExpiry = 30 * 24 * time.Hour

const (
	maxFromName         = 64
	maxConfigurationSet = 64
	maxDomain           = 253
)

// Sender is who a tenant's notices come from. The addresses must be at one
// of Domains (or a subdomain of one): the identities the deployment
// verifies in SES and grants the notifier ses:SendEmail on.
type Sender struct {
	// FromName is the From header's display name; absent: the address alone.
	FromName    string `json:"fromName,omitempty"`
	FromAddress string `json:"fromAddress"`
	// ReplyTo is the Reply-To address; absent: none (replies go to From).
	ReplyTo string `json:"replyTo,omitempty"`
	// ConfigurationSet is the SES configuration set to send with; absent:
	// none (the identity's default, if any).
	ConfigurationSet string   `json:"configurationSet,omitempty"`
	Domains          []string `json:"domains"`
}

// Notifications says which notices a tenant sends.
type Notifications struct {
	// Kinds lists the notice kinds the tenant sends. Absent (nil): every
	// one but welcome, which is opt-in; empty: none.
	Kinds []trigger.Kind `json:"kinds,omitzero"`
	// SignOutOnReport makes the page also sign the user out everywhere
	// (AdminUserGlobalSignOut) when they report a change they did not make.
	SignOutOnReport bool `json:"signOutOnReport,omitempty"`
}

// Sends reports whether the tenant sends notice kind k.
func (t *Tenant) Sends(k trigger.Kind) bool {
	if !k.Notice() {
		return false
	}
	if t.Notifications.Kinds == nil {
		return k != trigger.Welcome
	}
	for _, s := range t.Notifications.Kinds {
		if s == k {
			return true
		}
	}
	return false
}

// ReportExpiry is how long the tenant's report links live.
func (t *Tenant) ReportExpiry() time.Duration {
	if d := time.Duration(t.Links.ReportExpiry); d > 0 {
		return d
	}
	return DefaultReportExpiry
}

// validateNotices checks sender and notifications.
func (t *Tenant) validateNotices() []error {
	var errs []error
	fail := func(path, format string, args ...any) {
		errs = append(errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if s := t.Sender; s != nil {
		if s.FromName != "" && !validFromName(s.FromName) {
			fail("sender.fromName", "must have 1 to %d characters, not all spaces, without control characters or < > \"", maxFromName)
		}
		if len(s.Domains) == 0 {
			fail("sender.domains", "is empty: list the domains the sender's addresses belong to")
		}
		for i, d := range s.Domains {
			if !validDomain(d) {
				fail(index("sender.domains", i), "%q is not a domain name such as example.com", d)
			}
		}
		if dup, ok := duplicate(lower(s.Domains)); ok {
			fail("sender.domains", "%q is listed twice", dup)
		}
		for _, a := range []struct {
			path, value string
			required    bool
		}{{"sender.fromAddress", s.FromAddress, true}, {"sender.replyTo", s.ReplyTo, false}} {
			switch {
			case a.value == "" && a.required:
				fail(a.path, "is required: the address the notices come from")
				continue
			case a.value == "":
				continue
			}
			if err := senderAddress(a.value, s.Domains); err != "" {
				fail(a.path, "%s", err)
			}
		}
		if s.ConfigurationSet != "" && !validConfigurationSet(s.ConfigurationSet) {
			fail("sender.configurationSet", "must be 1 to %d characters of A-Z a-z 0-9 _ -, as SES names configuration sets", maxConfigurationSet)
		}
	}
	for i, k := range t.Notifications.Kinds {
		if !k.Notice() {
			fail(index("notifications.kinds", i), "unknown notice %q%s (known: %v)", k, hint.DidYouMean(string(k), noticeNames()), trigger.Notices)
		}
	}
	kinds := make([]string, len(t.Notifications.Kinds))
	for i, k := range t.Notifications.Kinds {
		kinds[i] = string(k)
	}
	if dup, ok := duplicate(kinds); ok {
		fail("notifications.kinds", "%q is listed twice", dup)
	}
	return errs
}

// senderAddress says what is wrong with address s ("" if nothing): it must
// be a plain address at one of domains or a subdomain of one.
func senderAddress(s string, domains []string) string {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return "is not a plain address (no display name or angle brackets: that is fromName)"
	}
	if len(domains) == 0 { // said once, as sender.domains
		return ""
	}
	at := strings.LastIndexByte(s, '@')
	host := strings.ToLower(s[at+1:])
	for _, d := range domains {
		d = strings.ToLower(d)
		if host == d || strings.HasSuffix(host, "."+d) {
			return ""
		}
	}
	return fmt.Sprintf("is at %s, which is not one of sender.domains nor a subdomain of one", host)
}

// validFromName: a display name that needs no care beyond RFC 2047
// encoding. Other whitespace than the space is a control character.
func validFromName(s string) bool {
	if strings.Trim(s, " ") == "" || utf8.RuneCountInString(s) > maxFromName {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '<' || r == '>' || r == '"' {
			return false
		}
	}
	return true
}

// validDomain reports whether s is a domain name of at least two labels:
// letters, digits and inner hyphens, 1-63 characters a label.
func validDomain(s string) bool {
	if len(s) > maxDomain || !strings.Contains(s, ".") {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(alnum(c) || c == '-') {
				return false
			}
		}
	}
	return true
}

// validConfigurationSet: ^[A-Za-z0-9_-]{1,64}$, SES's rule for the name.
func validConfigurationSet(s string) bool {
	if len(s) == 0 || len(s) > maxConfigurationSet {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(alnum(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func alnum(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }

func lower(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.ToLower(s)
	}
	return out
}

func noticeNames() []string {
	names := make([]string, len(trigger.Notices))
	for i, k := range trigger.Notices {
		names[i] = string(k)
	}
	return names
}
