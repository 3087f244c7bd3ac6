// Package tenant reads and validates tenants' configurations, finds the
// tenant an event belongs to, and gives the renderer each tenant's overrides.
package tenant

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/internal/hint"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/locale"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// DefaultID is the tenant every event falls back to.
const DefaultID = "default"

// Cognito's reset codes live one hour and sign-up codes a day: a link that
// outlives its code would only lead to an error page. Temporary passwords live
// up to 365 days.
const (
	maxResetExpiry  = time.Hour
	maxVerifyExpiry = 24 * time.Hour
	maxInviteExpiry = 365 * 24 * time.Hour
	maxProductName  = 40
	maxFooterLines  = 3
	maxFooterLine   = 200
)

// Tenant is one customer's configuration.
type Tenant struct {
	ID          string    `json:"id"`
	DisplayName string    `json:"displayName"`
	Match       Match     `json:"match"`
	Links       Links     `json:"links"`
	Brand       Brand     `json:"brand"`
	Languages   Languages `json:"languages"`
	// CognitoDefault lists the messages this tenant leaves to Cognito's own
	// text: the event goes back unchanged.
	CognitoDefault []trigger.Kind `json:"cognitoDefault,omitempty"`
	// Sender is who the notifier's emails come from; nil: the tenant gets
	// no notices (the default tenant's may come from the notifier's
	// environment). See notify.go.
	Sender *Sender `json:"sender,omitempty"`
	// Notifications says which notices the tenant sends; see notify.go.
	Notifications Notifications `json:"notifications,omitzero"`

	files    fs.FS // the tenant's folder: locales/ and template overrides
	fallback language.Tag
	matcher  *lazyMatcher
	// pushChecked: a remote version whose files `cogmail tenants push`
	// checked against this very build's templates (see PushChecked).
	pushChecked bool
	weight      int // a remote version's, against MaxTenants (see weigh)
}

// lazyMatcher is built on first use: a language matcher costs more than the
// rest of loading a tenant, and routing reads every tenant once.
type lazyMatcher struct {
	once      sync.Once
	supported []string
	m         *locale.Matcher
}

func (l *lazyMatcher) get() *locale.Matcher {
	l.once.Do(func() { l.m, _ = locale.NewMatcher(l.supported) }) // Validate parsed them
	return l.m
}

// Match says which events belong to the tenant. The pool id and the tenant
// attribute come from Cognito and the pool's administrators; the app client
// id is whichever client the caller used, so a tenant that lists pools only
// gets attribute and client matches from those pools (see Resolve).
type Match struct {
	UserPoolIDs           []string `json:"userPoolIds,omitempty"`
	AppClientIDs          []string `json:"appClientIds,omitempty"`
	TenantAttributeValues []string `json:"tenantAttributeValues,omitempty"`
}

// Links says where the buttons lead. Only this configuration decides a
// link's host and path: nothing in an event does.
type Links struct {
	ResetURL     string    `json:"resetUrl"`
	InviteURL    string    `json:"inviteUrl"`
	VerifyURL    string    `json:"verifyUrl,omitempty"` // sign-up confirmation; none: the code alone
	Mode         link.Mode `json:"mode"`
	ResetExpiry  Duration  `json:"resetExpiry"`
	InviteExpiry Duration  `json:"inviteExpiry"`
	VerifyExpiry Duration  `json:"verifyExpiry,omitempty"`
	// ForgotPasswordURL is where the page sends a visitor whose link cannot
	// be used and cannot ask for a new email (the app's "forgot password"
	// page); none: the page configuration's signInUrl.
	ForgotPasswordURL string `json:"forgotPasswordUrl,omitempty"`
	// ReportURL is the page of a notice's "This wasn't me" link (the
	// reference page's /report); none: notices carry no such link.
	ReportURL string `json:"reportUrl,omitempty"`
	// ReportExpiry is how long a report link lives; 0: DefaultReportExpiry.
	ReportExpiry Duration `json:"reportExpiry,omitempty"`
}

// Brand is how the tenant's emails look.
type Brand struct {
	ProductName     string   `json:"productName"`
	LogoURL         string   `json:"logoUrl,omitempty"`
	LogoDarkURL     string   `json:"logoDarkUrl,omitempty"` // for dark backgrounds
	PrimaryColor    string   `json:"primaryColor"`
	ButtonTextColor string   `json:"buttonTextColor"`
	SupportEmail    string   `json:"supportEmail,omitempty"`
	FooterLines     []string `json:"footerLines,omitempty"`
}

// Languages lists what the tenant writes in.
type Languages struct {
	Default   string   `json:"default"`
	Supported []string `json:"supported"`
}

// Duration reads Go duration text ("1h", "168h") from JSON.
type Duration time.Duration

// UnmarshalJSON reads "1h30m"-style text.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("a duration must be text such as \"1h\" or \"168h\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: use Go duration text such as \"1h\" or \"168h\"", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the text UnmarshalJSON reads.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// Files is the tenant's folder: locales/<lang>.json and *.tmpl overrides.
func (t *Tenant) Files() fs.FS { return t.files }

// PushChecked reports whether t is a remote version that `cogmail tenants
// push` already ran through the full check with exactly this function's
// templates (its folder's fs.FS said so: PushChecked() true), so that a
// function's Accept may skip the slow language × message matrix. False for
// every folder layer's tenant.
func (t *Tenant) PushChecked() bool { return t.pushChecked }

// Negotiate picks the language of one message for this tenant.
func (t *Tenant) Negotiate(metadata, attribute string) (language.Tag, locale.Source) {
	return t.matcher.get().Negotiate(metadata, attribute, t.fallback)
}

// DefaultLanguage is the tenant's default language.
func (t *Tenant) DefaultLanguage() language.Tag { return t.fallback }

// SupportedLanguages returns the tenant's languages, parsed.
func (t *Tenant) SupportedLanguages() []language.Tag {
	tags := make([]language.Tag, 0, len(t.Languages.Supported))
	for _, s := range t.Languages.Supported {
		tags = append(tags, language.Make(s))
	}
	return tags
}

// LeavesToCognito reports whether the tenant leaves kind k to Cognito.
func (t *Tenant) LeavesToCognito(k trigger.Kind) bool {
	for _, c := range t.CognitoDefault {
		if c == k {
			return true
		}
	}
	return false
}

// parse reads and validates one tenant.json; files is the tenant's folder.
// Every problem is reported at once, each with its JSON path (or, for text
// that is not JSON, its line and column); a validation problem that only
// repeats a decoding one is left out.
func parse(data []byte, files fs.FS) (*Tenant, error) {
	var t Tenant
	problems, err := decode(data, &t)
	if err != nil {
		return nil, err
	}
	seen := explained(problems)
	for _, e := range split(t.Validate()) {
		if fe := (*FieldError)(nil); !errors.As(e, &fe) || !covered(seen, fe.Path) {
			problems = append(problems, e)
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return t.finish(files), nil
}

func (t *Tenant) finish(files fs.FS) *Tenant {
	t.files = files
	t.matcher = &lazyMatcher{supported: t.Languages.Supported}
	t.fallback = language.Make(t.Languages.Default)
	return t
}

// validID reports whether s is a tenant id: ^[a-z0-9][a-z0-9-]{0,62}$,
// written out by hand, as validColor is: a regular expression compiled at
// package init costs every cold start (internal_test.go proves they agree).
func validID(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validColor reports whether s is #rrggbb: ^#[0-9a-fA-F]{6}$.
func validColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Validate returns every problem with t, joined, each a *FieldError naming
// its field by JSON path.
func (t *Tenant) Validate() error {
	var errs []error
	fail := func(path, format string, args ...any) {
		errs = append(errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}

	if !validID(t.ID) {
		fail("id", "must be 1-63 characters of a-z 0-9 -, starting with a letter or digit")
	}
	if strings.TrimSpace(t.DisplayName) == "" {
		fail("displayName", "is empty")
	}
	for i, p := range t.Match.UserPoolIDs {
		if !link.UserPoolID(p) {
			fail(index("match.userPoolIds", i), "%q is not a user pool id", p)
		}
	}
	for _, m := range []struct {
		name   string
		values []string
	}{{"match.appClientIds", t.Match.AppClientIDs}, {"match.tenantAttributeValues", t.Match.TenantAttributeValues}} {
		for i, v := range m.values {
			if strings.TrimSpace(v) == "" || len(v) > 256 {
				fail(index(m.name, i), "values must be 1-256 characters")
			}
		}
	}
	for _, m := range []struct {
		name   string
		values []string
	}{{"match.userPoolIds", t.Match.UserPoolIDs}, {"match.appClientIds", t.Match.AppClientIDs}, {"match.tenantAttributeValues", t.Match.TenantAttributeValues}} {
		if dup, ok := duplicate(m.values); ok {
			fail(m.name, "%q is listed twice", dup)
		}
	}
	for i, v := range t.Match.AppClientIDs {
		if v == notApplicable {
			fail(index("match.appClientIds", i), "%s is what Cognito sends on admin calls; it names no client", notApplicable)
		}
	}

	for _, u := range []struct{ name, value string }{
		{"links.resetUrl", t.Links.ResetURL}, {"links.inviteUrl", t.Links.InviteURL},
	} {
		if err := ValidateBaseURL(u.value); err != nil {
			fail(u.name, "%v", err)
		}
	}
	if t.Links.VerifyURL != "" {
		if err := ValidateBaseURL(t.Links.VerifyURL); err != nil {
			fail("links.verifyUrl", "%v", err)
		}
	}
	if t.Links.ReportURL != "" {
		if err := ValidateBaseURL(t.Links.ReportURL); err != nil {
			fail("links.reportUrl", "%v", err)
		}
	}
	if d := time.Duration(t.Links.ReportExpiry); d < 0 || d > maxReportExpiry {
		fail("links.reportExpiry", "must be more than 0 and at most %s (30 days); absent: %s", shortDuration(maxReportExpiry), shortDuration(DefaultReportExpiry))
	}
	if t.Links.ForgotPasswordURL != "" {
		// A plain link target: a single-page app's route may be a fragment.
		if u, err := url.Parse(t.Links.ForgotPasswordURL); err != nil || u.Host == "" || u.User != nil ||
			u.Scheme != "https" && !(u.Scheme == "http" && link.Loopback(u.Hostname())) {
			fail("links.forgotPasswordUrl", "must be an absolute https URL without credentials")
		}
	}
	switch t.Links.Mode {
	case link.ModeQuery, link.ModeFragment:
	default:
		fail("links.mode", "must be %q or %q", link.ModeQuery, link.ModeFragment)
	}
	if d := time.Duration(t.Links.ResetExpiry); d <= 0 || d > maxResetExpiry {
		fail("links.resetExpiry", "must be more than 0 and at most %s, Cognito's code validity", maxResetExpiry)
	}
	if d := time.Duration(t.Links.InviteExpiry); d <= 0 || d > maxInviteExpiry {
		fail("links.inviteExpiry", "must be more than 0 and at most 365 days")
	}
	if d := time.Duration(t.Links.VerifyExpiry); d < 0 || d > maxVerifyExpiry || t.Links.VerifyURL != "" && d == 0 {
		fail("links.verifyExpiry", "must be more than 0 and at most %s when links.verifyUrl is set", maxVerifyExpiry)
	}

	b := t.Brand
	if n := len([]rune(b.ProductName)); n == 0 || n > maxProductName {
		fail("brand.productName", "must have 1 to %d characters", maxProductName)
	}
	for _, u := range []struct{ name, value string }{
		{"brand.logoUrl", b.LogoURL}, {"brand.logoDarkUrl", b.LogoDarkURL},
	} {
		if u.value == "" {
			continue
		}
		if parsed, err := url.Parse(u.value); err != nil || parsed.Scheme != "https" || parsed.Host == "" || parsed.User != nil {
			fail(u.name, "must be an absolute https URL without credentials")
		}
	}
	colorsOK := true
	for _, c := range []struct{ name, value string }{
		{"brand.primaryColor", b.PrimaryColor}, {"brand.buttonTextColor", b.ButtonTextColor},
	} {
		if !validColor(c.value) {
			fail(c.name, "must be #rrggbb")
			colorsOK = false
		}
	}
	if colorsOK {
		if r := ContrastRatio(b.PrimaryColor, b.ButtonTextColor); r < 4.5 {
			fail("brand.buttonTextColor", "contrast with brand.primaryColor is %.2f:1, below WCAG AA's 4.5:1", r)
		}
	}
	if b.SupportEmail != "" {
		if a, err := mail.ParseAddress(b.SupportEmail); err != nil || a.Address != b.SupportEmail {
			fail("brand.supportEmail", "is not a plain address")
		}
	}
	if len(b.FooterLines) > maxFooterLines {
		fail("brand.footerLines", "at most %d lines", maxFooterLines)
	}
	for i, line := range b.FooterLines {
		if n := len([]rune(line)); n == 0 || n > maxFooterLine {
			fail(index("brand.footerLines", i), "each line must have 1 to %d characters", maxFooterLine)
		}
	}

	errs = append(errs, t.validateLanguages()...)
	for i, k := range t.CognitoDefault {
		switch {
		case k.Notice():
			fail(index("cognitoDefault", i), "%q is a notice, which cogmail sends itself, never Cognito: to turn it off, leave it out of notifications.kinds", k)
		case !k.Valid():
			fail(index("cognitoDefault", i), "unknown message %q%s (known: %v)", k, hint.DidYouMean(string(k), kindNames()), trigger.Kinds)
		}
	}
	errs = append(errs, t.validateNotices()...)
	return errors.Join(errs...)
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func kindNames() []string {
	names := make([]string, len(trigger.Kinds))
	for i, k := range trigger.Kinds {
		names[i] = string(k)
	}
	return names
}

func (t *Tenant) validateLanguages() []error {
	var errs []error
	if len(t.Languages.Supported) == 0 {
		errs = append(errs, &FieldError{Path: "languages.supported", Msg: "is empty"})
	}
	found := false
	def, defErr := language.Parse(t.Languages.Default)
	for i, s := range t.Languages.Supported {
		tag, err := language.Parse(s)
		if err == nil && defErr == nil && tag == def {
			found = true
		}
		switch {
		case err != nil:
			errs = append(errs, &FieldError{Path: index("languages.supported", i), Msg: fmt.Sprintf("language %q: %v", s, err)})
		case locale.IsPseudo(tag):
			errs = append(errs, &FieldError{Path: index("languages.supported", i), Msg: fmt.Sprintf("the pseudo-locale is for tests only: %q falls back to %s", s, locale.Pseudo)})
		}
	}
	if !found && len(t.Languages.Supported) > 0 {
		errs = append(errs, &FieldError{Path: "languages.default", Msg: fmt.Sprintf("%q must be one of languages.supported", t.Languages.Default)})
	}
	return errs
}

// Cognito's default validity of temporary passwords: the pool's
// TemporaryPasswordValidityDays, which a tenant.json cannot see.
const defaultTemporaryPasswordDays = 7

// Warnings lists what is valid in t but likely wrong, each a *FieldError:
// for `cogmail check`, which passes with warnings.
func (t *Tenant) Warnings() []error {
	var warnings []error
	if d := time.Duration(t.Links.InviteExpiry); d > defaultTemporaryPasswordDays*24*time.Hour {
		days := int((d + 24*time.Hour - 1) / (24 * time.Hour))
		warnings = append(warnings, &FieldError{Path: "links.inviteExpiry", Msg: fmt.Sprintf(
			"%s outlives the temporary password if the pool keeps Cognito's default of %d days; make sure the pool's TemporaryPasswordValidityDays is at least %d",
			shortDuration(d), defaultTemporaryPasswordDays, days)})
	}
	return warnings
}

// shortDuration writes 336h0m0s as 336h and 90m as 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func duplicate(values []string) (string, bool) {
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		if seen[v] {
			return v, true
		}
		seen[v] = true
	}
	return "", false
}

// ValidateBaseURL accepts absolute https URLs without credentials or fragment:
// a link's parameters are appended to it. Plain http is accepted for
// loopback hosts only, for the local stack (as OAuth does for native apps).
func ValidateBaseURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("not a URL")
	case u.Host == "" || u.Scheme != "https" && !(u.Scheme == "http" && link.Loopback(u.Hostname())):
		return errors.New("must be an absolute https URL")
	case u.User != nil:
		return errors.New("must not carry credentials")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return errors.New("must not carry a fragment")
	}
	if name, ok := link.ConflictingParam(u.RawQuery); ok {
		return fmt.Errorf("must not have %q in its query: links add it themselves", name)
	}
	return nil
}

// ContrastRatio is WCAG 2's contrast ratio between two #rrggbb colours.
func ContrastRatio(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	channel := func(i int) float64 {
		v, _ := strconv.ParseUint(hex[i:i+2], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(1) + 0.7152*channel(3) + 0.0722*channel(5)
}
