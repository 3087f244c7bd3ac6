// Package link signs and verifies the one-click links cogmail puts in emails.
//
// A link is the tenant's configured page URL plus these parameters, in the
// query string or, in fragment mode, after '#':
//
//	username  the pool's username (URL-encoded; the sub UUID in pools that sign in by email)
//	tenant    the tenant id
//	pool      the id of the user pool the event came from (versions 2 and 3)
//	locale    the BCP 47 tag the email was written in
//	exp       expiry, unix seconds
//	kid       id of the key that signed
//	sig       base64url HMAC-SHA256 over version, purpose, tenant, pool, username, locale and exp
//	          (version 3: and the code, see below)
//	code      reset and confirmation links only: Cognito's code or its placeholder, written last and verbatim
//
// Version 2 (cogmail-link-2) does NOT sign the code and cannot: in Custom
// Message mode Cognito replaces the placeholder with the real code only
// after the Lambda has returned. The page behind the link must therefore
// treat the code as user input and let Cognito check it
// (ConfirmForgotPassword). What the signature gives the page is that the
// username, tenant, user pool, language and purpose came from cogmail and
// have not expired. The purpose is bound by the signature but not written
// into the URL: Verify finds it, and a page must check Claims.Purpose is the
// one it serves, and Claims.UserPool is the pool it acts on.
//
// Version 3 (cogmail-link-3, Params.SignCode) signs the code too: the Custom
// Email Sender function has the real code when it signs. Its sig is two
// 128-bit HMAC-SHA256 tags side by side, the same 32 bytes as version 2's:
// the first over every field of version 2 (labelled cogmail-link-3), the
// second over the same fields and the code. Verify can so tell a link whose
// code was changed, every other field being authentic (ErrCodeTampered),
// from any other bad signature, and a page can tell a tampered code from one
// Cognito refuses although cogmail signed it (used, or superseded by a newer
// email). Only reset and confirmation links can be version 3: an
// invitation's code is the temporary password, which is never in a URL, and
// a report link has no code. Version 3 has the same parameters as version 2:
// pages that read links themselves need no change.
//
// Version 1 (cogmail-link-1, no pool parameter) did not sign the pool, so a
// version-1 link says nothing about which pool its user is in. Verify still
// accepts version-1 links, with an empty Claims.UserPool, until they expire;
// cogmail signs versions 2 and 3 only. The version is signed, so none can be
// made to verify as another: removing the pool from a version-2 link, or
// adding one to a version-1 link, breaks the signature, and a version-2
// signature is no version-3 one.
//
// The code is written last so that a link read before Cognito substitutes it
// (its '#' would start a fragment) still carries every signed parameter.
package link

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Purpose says what a link lets its holder do. It is part of the signature, so
// an invitation link can never be replayed on the reset page.
type Purpose string

const (
	PurposeReset  Purpose = "reset"
	PurposeInvite Purpose = "invite"
	PurposeVerify Purpose = "verify"
	// PurposeReport is a notice's "This wasn't me" link: the page starts a
	// reset for the link's own user. It carries no code, and always its
	// pool: no cogmail ever signed one without.
	PurposeReport Purpose = "report"
)

var purposes = []Purpose{PurposeReset, PurposeInvite, PurposeVerify, PurposeReport}

// Mode says where the parameters go. Fragment mode keeps them out of server
// logs, proxies and Referer headers; the page reads them with script.
type Mode string

const (
	ModeQuery    Mode = "query"
	ModeFragment Mode = "fragment"
)

// The versions are signed so that no encoding can verify as another.
const (
	version1 = "cogmail-link-1" // no user pool: verified until such links expire
	version2 = "cogmail-link-2" // the user pool is signed
	version3 = "cogmail-link-3" // the code is signed too
)

// tagSize is each of version 3's two tags: half an HMAC-SHA256, 128 bits.
const tagSize = sha256.Size / 2

// Parameter names, exported for pages that read links themselves.
const (
	ParamUsername  = "username"
	ParamTenant    = "tenant"
	ParamUserPool  = "pool"
	ParamLocale    = "locale"
	ParamExpires   = "exp"
	ParamKeyID     = "kid"
	ParamSignature = "sig"
	ParamCode      = "code"
)

// Errors returned by Verify; test with errors.Is.
var (
	ErrMalformed    = errors.New("link: malformed")
	ErrUnknownKey   = errors.New("link: unknown key")
	ErrBadSignature = errors.New("link: bad signature")
	ErrExpired      = errors.New("link: expired")
	// ErrCodeTampered: a version-3 link whose every field verifies but its
	// code, which is missing or not the one signed. It is also
	// ErrBadSignature, so that a caller that does not look for it refuses
	// the link all the same.
	ErrCodeTampered = fmt.Errorf("%w: the code is not the one signed", ErrBadSignature)
)

// Params describe one link to sign.
type Params struct {
	Base    string // the tenant's page URL: absolute https, no fragment
	Mode    Mode
	Purpose Purpose
	Tenant  string
	// UserPool is the id of the user pool the link's user is in: a
	// version-2 link. Empty signs a version-1 link, bound to no pool, which
	// cogmail itself never does; it exists so that tests can make the links
	// an earlier cogmail sent.
	UserPool string
	Username string
	Locale   string
	Expires  time.Time
	// Code is Cognito's code placeholder ("{####}"), or with SignCode the
	// real code, written verbatim. Only reset and verify links carry it: an
	// invitation's code is the temporary password, which must never be in a
	// URL, and a report link is sent by the notifier, which has no code.
	Code string
	// SignCode signs Code too: a version-3 link, for the Custom Email
	// Sender function, which has the real code when it signs. It needs a
	// UserPool and a Code that is no placeholder, and only reset and verify
	// links may have it.
	SignCode bool
}

// Claims are what a verified link vouches for.
type Claims struct {
	Purpose Purpose `json:"purpose"`
	Tenant  string  `json:"tenant"`
	// UserPool is the signed user pool id; empty on a version-1 link, which
	// names none. A page must refuse a link whose pool is not its tenant's.
	UserPool string    `json:"userPool"`
	Username string    `json:"username"`
	Locale   string    `json:"locale"`
	Expires  time.Time `json:"expires"`
	KeyID    string    `json:"kid"`
	// Version is the link format: 2, 3 when the code is signed, or 1 for a
	// link without a pool.
	Version int `json:"version"`
	// CodeSigned: a version-3 link, whose Code is the one cogmail signed.
	// Cognito may still refuse it (used, or a newer one was sent since).
	CodeSigned bool `json:"codeSigned"`
	// Code is the code as found in the link, for the page to pass on to
	// Cognito: unsigned unless CodeSigned, so then never trust it for
	// anything else. Empty with ErrCodeTampered.
	Code string `json:"-"`
}

// Sign returns the link for p, signed with the ring's current key.
func Sign(p Params, ring *Keyring) (string, error) {
	if ring == nil {
		return "", errors.New("link: no keyring")
	}
	base, err := url.Parse(p.Base)
	if err != nil || base.Host == "" || base.User != nil || base.Fragment != "" || strings.Contains(p.Base, "#") ||
		base.Scheme != "https" && !(base.Scheme == "http" && Loopback(base.Hostname())) {
		return "", fmt.Errorf("link: base URL must be absolute https (or http on a loopback host) without credentials or fragment")
	}
	if name, ok := ConflictingParam(base.RawQuery); ok {
		return "", fmt.Errorf("link: the base URL's query already has %q, a parameter of the link", name)
	}
	if p.Expires.Unix() <= 0 {
		return "", errors.New("link: no expiry")
	}
	if !validPurpose(p.Purpose) {
		return "", fmt.Errorf("link: unknown purpose %q", p.Purpose)
	}
	if p.Purpose == PurposeInvite && p.Code != "" {
		return "", errors.New("link: an invitation link must not carry the code: it is the temporary password")
	}
	if p.Purpose == PurposeReport && p.Code != "" {
		return "", errors.New("link: a report link carries no code")
	}
	if p.Purpose == PurposeReport && p.UserPool == "" {
		return "", errors.New("link: a report link must name its user pool (version 2)")
	}
	if p.Code != "" && !placeholder(p.Code) {
		return "", errors.New("link: code placeholder has characters that cannot go into a URL verbatim")
	}
	signCode := false
	switch {
	case !p.SignCode:
	case p.Purpose == PurposeInvite:
		return "", errors.New("link: an invitation link never carries the code, signed or not: it is the temporary password")
	case p.Purpose == PurposeReport:
		return "", errors.New("link: a report link carries no code to sign")
	case p.UserPool == "":
		return "", errors.New("link: a link that signs its code must name its user pool")
	case p.Code == "" || strings.ContainsAny(p.Code, "{}#"):
		// A placeholder signed would never verify once Cognito replaced it.
		return "", errors.New("link: SignCode needs the real code, not Cognito's placeholder")
	default:
		signCode = true
	}
	if p.Tenant == "" || p.Username == "" {
		return "", errors.New("link: tenant and username are required")
	}
	if p.UserPool != "" && (len(p.UserPool) > 55 || !UserPoolID(p.UserPool)) {
		return "", errors.New("link: the user pool id is not one Cognito writes")
	}
	kid := ring.Current()
	if _, ok := ring.key(kid); !ok {
		return "", ErrUnknownKey
	}
	exp := p.Expires.Unix()
	f := signed{p.Purpose, p.Tenant, p.UserPool, p.Username, p.Locale, exp}
	var sum [sha256.Size]byte
	if signCode {
		var code [sha256.Size]byte
		ring.macBytes(sum[:0], kid, version3, f, "", false)
		ring.macBytes(code[:0], kid, version3, f, p.Code, true)
		copy(sum[tagSize:], code[:tagSize])
	} else {
		ring.macBytes(sum[:0], kid, unsignedCode(p.UserPool), f, "", false)
	}
	var sig [43]byte // base64url of 32 bytes, unpadded
	base64.RawURLEncoding.Encode(sig[:], sum[:])

	var b strings.Builder
	b.Grow(len(p.Base) + len(p.Username) + 160)
	b.WriteString(p.Base)
	switch p.Mode {
	case ModeFragment:
		b.WriteByte('#')
	case ModeQuery, "":
		if base.RawQuery != "" || strings.HasSuffix(p.Base, "?") {
			if !strings.HasSuffix(p.Base, "?") && !strings.HasSuffix(p.Base, "&") {
				b.WriteByte('&')
			}
		} else {
			b.WriteByte('?')
		}
	default:
		return "", fmt.Errorf("link: unknown mode %q", p.Mode)
	}
	writeParam(&b, ParamUsername, url.QueryEscape(p.Username), false)
	writeParam(&b, ParamTenant, url.QueryEscape(p.Tenant), true)
	if p.UserPool != "" {
		writeParam(&b, ParamUserPool, p.UserPool, true) // UserPoolID needs no escaping
	}
	writeParam(&b, ParamLocale, url.QueryEscape(p.Locale), true)
	var num [20]byte
	writeParam(&b, ParamExpires, string(strconv.AppendInt(num[:0], exp, 10)), true)
	writeParam(&b, ParamKeyID, kid, true)
	writeParam(&b, ParamSignature, string(sig[:]), true)
	if p.Code != "" {
		writeParam(&b, ParamCode, p.Code, true)
	}
	return b.String(), nil
}

// Loopback reports whether host is this machine (127.0.0.0/8, ::1,
// localhost): the one place a plain-http link is acceptable.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func writeParam(b *strings.Builder, name, value string, sep bool) {
	if sep {
		b.WriteByte('&')
	}
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(value)
}

// Verify checks a link against the ring at time now and returns its claims.
// A link with a pool parameter is checked as version 2 or 3, one without as
// version 1 (Claims.UserPool empty). The code of a version-1 or -2 link is
// not signed and passed on as found; a version-3 link's must be the one
// signed. Errors wrap ErrMalformed, ErrUnknownKey, ErrBadSignature,
// ErrCodeTampered (also ErrBadSignature) or ErrExpired. With ErrExpired and
// with ErrCodeTampered the claims are returned, for what needs no code (a
// new email for the link's own user): a tampered link's expiry is not
// checked (see Claims.Expires) and its Code is empty.
func Verify(rawURL string, ring *Keyring, now time.Time) (Claims, error) {
	if ring == nil {
		return Claims{}, errors.New("link: no keyring")
	}
	values, err := linkValues(rawURL)
	if err != nil {
		return Claims{}, err
	}
	var c Claims
	fields := []struct {
		name string
		dst  *string
	}{
		{ParamUsername, &c.Username}, {ParamTenant, &c.Tenant}, {ParamLocale, &c.Locale},
		{ParamKeyID, &c.KeyID},
	}
	for _, f := range fields {
		if *f.dst, err = single(values, f.name); err != nil {
			return Claims{}, err
		}
	}
	c.Version = 1
	if values.Has(ParamUserPool) {
		if c.UserPool, err = single(values, ParamUserPool); err != nil {
			return Claims{}, err
		}
		c.Version = 2
	}
	expText, err := single(values, ParamExpires)
	if err != nil {
		return Claims{}, err
	}
	exp, err := strconv.ParseInt(expText, 10, 64)
	// Only the canonical spelling, so one link has one text.
	if err != nil || exp <= 0 || strconv.FormatInt(exp, 10) != expText {
		return Claims{}, fmt.Errorf("%w: exp is not a unix time", ErrMalformed)
	}
	sigText, err := single(values, ParamSignature)
	if err != nil {
		return Claims{}, err
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(sigText)
	if err != nil || len(sig) != sha256.Size {
		return Claims{}, fmt.Errorf("%w: sig is not a base64url HMAC-SHA256", ErrMalformed)
	}
	codes := values[ParamCode]
	if len(codes) > 0 {
		c.Code = codes[0]
	}
	if _, ok := ring.key(c.KeyID); !ok {
		return Claims{}, fmt.Errorf("%w %q", ErrUnknownKey, c.KeyID)
	}
	// Try every purpose and version, without stopping early, so timing says
	// nothing about which one was close.
	var found, found3 Purpose
	var codeOK bool
	for _, p := range purposes {
		f := signed{p, c.Tenant, c.UserPool, c.Username, c.Locale, exp}
		var sum [sha256.Size]byte
		if hmac.Equal(ring.macBytes(sum[:0], c.KeyID, unsignedCode(c.UserPool), f, "", false), sig) {
			found = p
		}
		if c.UserPool == "" || p != PurposeReset && p != PurposeVerify {
			continue // no version 3 without a pool, nor for invitations and reports
		}
		// Version 3: the first tag vouches for every field but the code,
		// the second for the code as well.
		var rest, code [sha256.Size]byte
		ring.macBytes(rest[:0], c.KeyID, version3, f, "", false)
		ring.macBytes(code[:0], c.KeyID, version3, f, c.Code, true)
		if hmac.Equal(rest[:tagSize], sig[:tagSize]) {
			// A signed code appears once: a second one is a change.
			found3, codeOK = p, hmac.Equal(code[:tagSize], sig[tagSize:]) && len(codes) == 1
		}
	}
	c.Expires = time.Unix(exp, 0).UTC()
	switch {
	case found != "":
		c.Purpose = found
	case found3 != "":
		c.Purpose, c.Version, c.CodeSigned = found3, 3, true
		if !codeOK {
			// Told apart from other bad signatures only here, where every
			// field but the code is authentic: whoever sent the link had
			// it whole, and learns nothing they did not have. The code is
			// dropped, never to be passed on.
			c.Code = ""
			return c, ErrCodeTampered
		}
	default:
		return Claims{}, ErrBadSignature
	}
	if !now.Before(c.Expires) {
		return c, fmt.Errorf("%w at %s", ErrExpired, c.Expires.Format(time.RFC3339))
	}
	return c, nil
}

// linkValues reads the parameters from the fragment when it holds a
// signature, else from the query string. The fragment is cut from the raw
// text: url.URL re-escapes a fragment holding {####} and so loses %2B, %26
// and %3B in the username. A signed parameter in both parts is refused: a
// page reading one and a verifier reading the other would disagree.
func linkValues(rawURL string) (url.Values, error) {
	rawURL = strings.TrimSpace(rawURL)
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: not a URL", ErrMalformed)
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: unreadable parameters", ErrMalformed)
	}
	_, rawFragment, _ := strings.Cut(rawURL, "#")
	fragment, ferr := url.ParseQuery(rawFragment)
	if ferr != nil || fragment.Get(ParamSignature) == "" {
		if query.Get(ParamSignature) == "" && ferr != nil {
			return nil, fmt.Errorf("%w: unreadable parameters", ErrMalformed)
		}
		return query, nil
	}
	for _, name := range signedParams {
		if query.Has(name) {
			return nil, fmt.Errorf("%w: %s in both the query and the fragment", ErrMalformed, name)
		}
	}
	return fragment, nil
}

var signedParams = []string{ParamUsername, ParamTenant, ParamUserPool, ParamLocale, ParamExpires, ParamKeyID, ParamSignature, ParamCode}

// ConflictingParam finds a link parameter in a base URL's own query: such
// a base would give links that never verify (a repeated parameter).
func ConflictingParam(rawQuery string) (string, bool) {
	values, _ := url.ParseQuery(rawQuery)
	for _, name := range signedParams {
		if values.Has(name) {
			return name, true
		}
	}
	return "", false
}

// single rejects missing and repeated parameters: two usernames in one link
// would let a page and its verifier disagree about which one was signed.
func single(values url.Values, name string) (string, error) {
	v := values[name]
	switch {
	case len(v) == 0 || v[0] == "" && name != ParamLocale:
		return "", fmt.Errorf("%w: missing %s", ErrMalformed, name)
	case len(v) > 1:
		return "", fmt.Errorf("%w: repeated %s", ErrMalformed, name)
	}
	return v[0], nil
}

func validPurpose(p Purpose) bool {
	for _, known := range purposes {
		if p == known {
			return true
		}
	}
	return false
}

// signed are the fields every version signs.
type signed struct {
	purpose                        Purpose
	tenant, pool, username, locale string
	exp                            int64
}

// macInput is the length-prefixed encoding that is signed, so no two field
// lists share one byte string ("ab"+"c" and "a"+"bc" differ). Version 1
// had no pool field; version 2 signs the pool after the tenant; version 3
// signs as version 2 under its own label and, withCode, the code after the
// expiry. It is built in dst, which callers keep on the stack.
func macInput(dst []byte, label string, f signed, code string, withCode bool) []byte {
	var num [20]byte
	expText := string(strconv.AppendInt(num[:0], f.exp, 10))
	list := [...]string{label, string(f.purpose), f.tenant, f.pool, f.username, f.locale, expText, code}
	n := 7
	switch {
	case label == version1:
		list = [...]string{version1, string(f.purpose), f.tenant, f.username, f.locale, expText, "", ""}
		n = 6
	case withCode:
		n = 8
	}
	for _, field := range list[:n] {
		dst = binary.AppendUvarint(dst, uint64(len(field)))
		dst = append(dst, field...)
	}
	return dst
}

// unsignedCode is the label of a link that does not sign its code: version
// 1 without a pool, else version 2.
func unsignedCode(pool string) string {
	if pool == "" {
		return version1
	}
	return version2
}

// macBytes appends the HMAC of the signed fields to dst.
func (k *Keyring) macBytes(dst []byte, kid, label string, f signed, code string, withCode bool) []byte {
	var buf [512]byte
	h := k.hash(kid)
	defer k.release(kid, h)
	h.Write(macInput(buf[:0], label, f, code, withCode))
	return h.Sum(dst)
}
