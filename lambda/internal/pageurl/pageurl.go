// Package pageurl is what the trigger and the notifier share about the
// reference page's address: which hosts are reserved examples, and how
// COGMAIL_PAGE_URL is read.
package pageurl

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// Example reports whether rawURL's host is a name reserved for
// documentation and tests (RFC 2606, RFC 6761: example.com, example.net,
// example.org and their subdomains, .example, .test, .invalid, localhost and
// .localhost): no real user reaches a page there. A loopback address
// (127.0.0.0/8, ::1) is not one of them: a link there leads to the reader's
// own machine, which is how local runs reach their page.
func Example(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	return ExampleDomain(u.Hostname())
}

// ExampleDomain reports whether host (a name, or an email address's domain)
// is reserved for documentation and tests, as Example says.
func ExampleDomain(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, domain := range []string{"example.com", "example.net", "example.org", "example", "test", "invalid", "localhost"} {
		if host == domain || strings.HasSuffix(host, "."+domain) {
			return true
		}
	}
	return false
}

// loopbackAddress reports whether host is a loopback IP address, not a name
// (which a resolver could send anywhere).
func loopbackAddress(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Base checks COGMAIL_PAGE_URL (raw) as a tenant's links are checked (inside
// Lambda https, or http on a loopback address, the emulator's local page)
// and returns it without its trailing slash; "" when unset. The caller
// validates base + a page path as a tenant's link (tenant.ValidateBaseURL).
func Base(raw string, inLambda bool) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", errors.New("not a URL")
	case u.RawQuery != "" || strings.ContainsAny(raw, "?#"):
		return "", errors.New("must have no query or fragment: the page's paths are appended to it")
	case inLambda && u.Scheme != "https" && !(u.Scheme == "http" && loopbackAddress(u.Hostname())):
		return "", errors.New("must be an absolute https URL inside Lambda (or http on 127.0.0.1 or ::1)")
	}
	return strings.TrimRight(raw, "/"), nil
}
