// Package tenant reads and validates a tenant's configuration: where its links
// point, how long they live and how its emails look.
package tenant

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cogmail/cogmail/lambda/link"
)

// DefaultID is the tenant every event falls back to.
const DefaultID = "default"

// Cognito's reset codes live one hour: a reset link that outlives its code
// would only lead to an error page. Temporary passwords live up to 365 days.
const (
	maxResetExpiry  = time.Hour
	maxInviteExpiry = 365 * 24 * time.Hour
	maxProductName  = 40
)

// Tenant is one customer's configuration.
type Tenant struct {
	ID          string    `json:"id"`
	DisplayName string    `json:"displayName"`
	Links       Links     `json:"links"`
	Brand       Brand     `json:"brand"`
	Languages   Languages `json:"languages"`
}

// Links says where the buttons in the emails lead. Only this configuration
// decides a link's host and path: nothing in an event does.
type Links struct {
	ResetURL     string    `json:"resetUrl"`
	InviteURL    string    `json:"inviteUrl"`
	Mode         link.Mode `json:"mode"`
	ResetExpiry  Duration  `json:"resetExpiry"`
	InviteExpiry Duration  `json:"inviteExpiry"`
}

// Brand is how the tenant's emails look.
type Brand struct {
	ProductName     string `json:"productName"`
	PrimaryColor    string `json:"primaryColor"`
	ButtonTextColor string `json:"buttonTextColor"`
	SupportEmail    string `json:"supportEmail"`
}

// Languages lists what the tenant writes in.
type Languages struct {
	Default string `json:"default"`
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

// Load reads tenants/<id>/tenant.json from fsys and validates it.
func Load(fsys fs.FS, id string) (*Tenant, error) {
	file := path.Join("tenants", id, "tenant.json")
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", id, err)
	}
	var t Tenant
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: data after the tenant object", file)
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if t.ID != id {
		return nil, fmt.Errorf("%s: id %q does not match its folder", file, t.ID)
	}
	return &t, nil
}

var colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Validate returns every problem with t, joined.
func (t *Tenant) Validate() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if t.ID == "" {
		fail("id is empty")
	}
	for _, u := range []struct{ name, value string }{
		{"links.resetUrl", t.Links.ResetURL}, {"links.inviteUrl", t.Links.InviteURL},
	} {
		if err := ValidateBaseURL(u.value); err != nil {
			fail("%s: %v", u.name, err)
		}
	}
	switch t.Links.Mode {
	case link.ModeQuery, link.ModeFragment:
	default:
		fail("links.mode must be %q or %q", link.ModeQuery, link.ModeFragment)
	}
	if d := time.Duration(t.Links.ResetExpiry); d <= 0 || d > maxResetExpiry {
		fail("links.resetExpiry must be more than 0 and at most %s, Cognito's code validity", maxResetExpiry)
	}
	if d := time.Duration(t.Links.InviteExpiry); d <= 0 || d > maxInviteExpiry {
		fail("links.inviteExpiry must be more than 0 and at most 365 days")
	}
	if n := len([]rune(t.Brand.ProductName)); n == 0 || n > maxProductName {
		fail("brand.productName must have 1 to %d characters", maxProductName)
	}
	for _, c := range []struct{ name, value string }{
		{"brand.primaryColor", t.Brand.PrimaryColor}, {"brand.buttonTextColor", t.Brand.ButtonTextColor},
	} {
		if !colorPattern.MatchString(c.value) {
			fail("%s must be #rrggbb", c.name)
		}
	}
	if colorPattern.MatchString(t.Brand.PrimaryColor) && colorPattern.MatchString(t.Brand.ButtonTextColor) {
		if r := ContrastRatio(t.Brand.PrimaryColor, t.Brand.ButtonTextColor); r < 4.5 {
			fail("brand.buttonTextColor on brand.primaryColor has contrast %.2f:1, below WCAG AA's 4.5:1", r)
		}
	}
	if t.Brand.SupportEmail != "" {
		if a, err := mail.ParseAddress(t.Brand.SupportEmail); err != nil || a.Address != t.Brand.SupportEmail {
			fail("brand.supportEmail is not a plain address")
		}
	}
	if t.Languages.Default == "" {
		fail("languages.default is empty")
	}
	return errors.Join(errs...)
}

// ValidateBaseURL accepts absolute https URLs without credentials or fragment:
// a link's parameters are appended to it.
func ValidateBaseURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("not a URL")
	case u.Scheme != "https" || u.Host == "":
		return errors.New("must be an absolute https URL")
	case u.User != nil:
		return errors.New("must not carry credentials")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return errors.New("must not carry a fragment")
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
