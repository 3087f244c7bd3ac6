package tenant_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

const day = 24 * time.Hour

func valid() tenant.Tenant {
	return tenant.Tenant{
		ID:          "acme",
		DisplayName: "Acme",
		Links: tenant.Links{
			ResetURL:     "https://app.acme.example/reset",
			InviteURL:    "https://app.acme.example/activate?app=web",
			Mode:         link.ModeFragment,
			ResetExpiry:  tenant.Duration(time.Hour),
			InviteExpiry: tenant.Duration(7 * day),
		},
		Brand: tenant.Brand{
			ProductName:     "Acme",
			PrimaryColor:    "#1a56db",
			ButtonTextColor: "#ffffff",
			SupportEmail:    "support@acme.example",
		},
		Languages: tenant.Languages{Default: "en"},
	}
}

// tenantJSON writes a tenant.json with the given id; extra is spliced in as
// further top-level fields.
func tenantJSON(id, extra string) string {
	return fmt.Sprintf(`{
  "id": %q,%s
  "displayName": "Acme",
  "links": {"resetUrl": "https://app.acme.example/reset", "inviteUrl": "https://app.acme.example/activate",
            "mode": "query", "resetExpiry": "30m", "inviteExpiry": "168h"},
  "brand": {"productName": "Acme", "primaryColor": "#1a56db", "buttonTextColor": "#ffffff", "supportEmail": "support@acme.example"},
  "languages": {"default": "de"}
}`, id, extra)
}

func problems(err error) []error {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		return joined.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

func TestLoadEmbeddedDefault(t *testing.T) {
	d, err := tenant.Load(templates.FS, tenant.DefaultID)
	require.NoError(t, err)
	assert.Equal(t, "default", d.ID)
	assert.NoError(t, tenant.ValidateBaseURL(d.Links.ResetURL))
	assert.NoError(t, tenant.ValidateBaseURL(d.Links.InviteURL))
	assert.Contains(t, []link.Mode{link.ModeQuery, link.ModeFragment}, d.Links.Mode)
	assert.Positive(t, time.Duration(d.Links.ResetExpiry))
	assert.LessOrEqual(t, time.Duration(d.Links.ResetExpiry), time.Hour)
	assert.NotEmpty(t, d.Brand.ProductName)
	assert.NotEmpty(t, d.Languages.Default)
	assert.NoError(t, d.Validate())
}

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"tenants/acme/tenant.json":      {Data: []byte(tenantJSON("acme", ""))},
		"tenants/unknown/tenant.json":   {Data: []byte(tenantJSON("unknown", `"theme": "dark",`))},
		"tenants/moved/tenant.json":     {Data: []byte(tenantJSON("acme", ""))},
		"tenants/seconds/tenant.json":   {Data: []byte(strings.Replace(tenantJSON("seconds", ""), `"30m"`, `1800`, 1))},
		"tenants/badexpiry/tenant.json": {Data: []byte(strings.Replace(tenantJSON("badexpiry", ""), `"30m"`, `"half an hour"`, 1))},
		"tenants/invalid/tenant.json":   {Data: []byte(strings.Replace(tenantJSON("invalid", ""), `"query"`, `"path"`, 1))},
		"tenants/broken/tenant.json":    {Data: []byte(`{"id": "broken",`)},
	}

	t.Run("case=valid", func(t *testing.T) {
		got, err := tenant.Load(fsys, "acme")
		require.NoError(t, err)
		want := valid()
		want.Links.InviteURL, want.Links.Mode = "https://app.acme.example/activate", link.ModeQuery
		want.Links.ResetExpiry, want.Links.InviteExpiry = tenant.Duration(30*time.Minute), tenant.Duration(7*day)
		want.Languages.Default = "de"
		assert.Equal(t, &want, got)
	})

	tests := []struct {
		id   string
		want []string
	}{
		{"unknown", []string{`unknown field "theme"`}},
		{"moved", []string{`id "acme" does not match its folder`}},
		{"seconds", []string{"duration must be text"}},
		{"badexpiry", []string{`duration "half an hour"`}},
		{"invalid", []string{"links.mode"}},
		{"broken", []string{"tenants/broken/tenant.json"}},
	}
	for _, tc := range tests {
		t.Run("case="+tc.id, func(t *testing.T) {
			got, err := tenant.Load(fsys, tc.id)
			require.Error(t, err)
			assert.Nil(t, got)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.Contains(t, err.Error(), "tenants/"+tc.id+"/tenant.json", "the error names the file")
		})
	}

	t.Run("case=missing", func(t *testing.T) {
		_, err := tenant.Load(fsys, "nobody")
		assert.ErrorIs(t, err, fs.ErrNotExist)
	})
	t.Run("case=id escaping the tenants folder", func(t *testing.T) {
		_, err := tenant.Load(fsys, "../tenants/acme")
		assert.Error(t, err)
	})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*tenant.Tenant)
		field string // named in the error; "" when valid
	}{
		{"case=valid", func(*tenant.Tenant) {}, ""},
		{"case=reset expiry of exactly 1h", func(d *tenant.Tenant) { d.Links.ResetExpiry = tenant.Duration(time.Hour) }, ""},
		{"case=invite expiry of 365 days", func(d *tenant.Tenant) { d.Links.InviteExpiry = tenant.Duration(365 * day) }, ""},
		{"case=product name of 40 runes", func(d *tenant.Tenant) { d.Brand.ProductName = strings.Repeat("é", 40) }, ""},
		{"case=no support email", func(d *tenant.Tenant) { d.Brand.SupportEmail = "" }, ""},
		{"case=upper-case colour", func(d *tenant.Tenant) { d.Brand.PrimaryColor = "#1A56DB" }, ""},
		{"case=query mode", func(d *tenant.Tenant) { d.Links.Mode = link.ModeQuery }, ""},

		{"case=empty id", func(d *tenant.Tenant) { d.ID = "" }, "id"},
		{"case=http reset URL", func(d *tenant.Tenant) { d.Links.ResetURL = "http://app.acme.example/reset" }, "links.resetUrl"},
		{"case=reset URL with credentials", func(d *tenant.Tenant) { d.Links.ResetURL = "https://user:pw@app.acme.example/reset" }, "links.resetUrl"},
		{"case=reset URL with fragment", func(d *tenant.Tenant) { d.Links.ResetURL = "https://app.acme.example/reset#form" }, "links.resetUrl"},
		{"case=reset URL with empty fragment", func(d *tenant.Tenant) { d.Links.ResetURL = "https://app.acme.example/reset#" }, "links.resetUrl"},
		{"case=relative reset URL", func(d *tenant.Tenant) { d.Links.ResetURL = "/reset" }, "links.resetUrl"},
		{"case=empty reset URL", func(d *tenant.Tenant) { d.Links.ResetURL = "" }, "links.resetUrl"},
		{"case=http invite URL", func(d *tenant.Tenant) { d.Links.InviteURL = "http://app.acme.example/activate" }, "links.inviteUrl"},
		{"case=invite URL with credentials", func(d *tenant.Tenant) { d.Links.InviteURL = "https://u@app.acme.example/activate" }, "links.inviteUrl"},
		{"case=scheme-relative invite URL", func(d *tenant.Tenant) { d.Links.InviteURL = "//app.acme.example/activate" }, "links.inviteUrl"},
		{"case=unknown mode", func(d *tenant.Tenant) { d.Links.Mode = "path" }, "links.mode"},
		{"case=empty mode", func(d *tenant.Tenant) { d.Links.Mode = "" }, "links.mode"},
		{"case=reset expiry 0", func(d *tenant.Tenant) { d.Links.ResetExpiry = 0 }, "links.resetExpiry"},
		{"case=reset expiry 2h", func(d *tenant.Tenant) { d.Links.ResetExpiry = tenant.Duration(2 * time.Hour) }, "links.resetExpiry"},
		{"case=reset expiry negative", func(d *tenant.Tenant) { d.Links.ResetExpiry = tenant.Duration(-time.Minute) }, "links.resetExpiry"},
		{"case=invite expiry 0", func(d *tenant.Tenant) { d.Links.InviteExpiry = 0 }, "links.inviteExpiry"},
		{"case=invite expiry 400 days", func(d *tenant.Tenant) { d.Links.InviteExpiry = tenant.Duration(400 * day) }, "links.inviteExpiry"},
		{"case=empty product name", func(d *tenant.Tenant) { d.Brand.ProductName = "" }, "brand.productName"},
		{"case=product name of 41", func(d *tenant.Tenant) { d.Brand.ProductName = strings.Repeat("a", 41) }, "brand.productName"},
		{"case=primary colour short", func(d *tenant.Tenant) { d.Brand.PrimaryColor = "#fff" }, "brand.primaryColor"},
		{"case=primary colour without #", func(d *tenant.Tenant) { d.Brand.PrimaryColor = "1a56db" }, "brand.primaryColor"},
		{"case=primary colour by name", func(d *tenant.Tenant) { d.Brand.PrimaryColor = "blue" }, "brand.primaryColor"},
		{"case=button colour not hex", func(d *tenant.Tenant) { d.Brand.ButtonTextColor = "#fffffg" }, "brand.buttonTextColor"},
		{"case=button colour too long", func(d *tenant.Tenant) { d.Brand.ButtonTextColor = "#ffffff0" }, "brand.buttonTextColor"},
		{"case=low contrast", func(d *tenant.Tenant) { d.Brand.PrimaryColor, d.Brand.ButtonTextColor = "#ffffff", "#777777" }, "contrast"},
		{"case=support email with display name", func(d *tenant.Tenant) { d.Brand.SupportEmail = "Support <support@acme.example>" }, "brand.supportEmail"},
		{"case=support email not an address", func(d *tenant.Tenant) { d.Brand.SupportEmail = "support" }, "brand.supportEmail"},
		{"case=empty default language", func(d *tenant.Tenant) { d.Languages.Default = "" }, "languages.default"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := valid()
			tc.edit(&d)
			err := d.Validate()
			if tc.field == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.field)
			assert.Len(t, problems(err), 1, "%v", err)
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	d := valid()
	d.Links.ResetURL = "http://app.acme.example/reset"
	d.Links.Mode = "path"
	d.Links.InviteExpiry = tenant.Duration(400 * day)
	d.Brand.ProductName = ""
	d.Brand.PrimaryColor = "red"
	err := d.Validate()
	require.Error(t, err)
	for _, field := range []string{"links.resetUrl", "links.mode", "links.inviteExpiry", "brand.productName", "brand.primaryColor"} {
		assert.Contains(t, err.Error(), field)
	}
	assert.Len(t, problems(err), 5)
}

func TestContrastRatio(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"#000000", "#ffffff", 21, 21},
		{"#FFFFFF", "#000000", 21, 21},
		{"#1a56db", "#1a56db", 1, 1},
		{"#ffffff", "#ffffff", 1, 1},
		{"#777777", "#ffffff", 4.47, 4.49}, // just below WCAG AA's 4.5
		{"#1a56db", "#ffffff", 6.0, 7.0},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("case=%s/%s", tc.a, tc.b), func(t *testing.T) {
			got := tenant.ContrastRatio(tc.a, tc.b)
			assert.GreaterOrEqual(t, got, tc.min-1e-9)
			assert.LessOrEqual(t, got, tc.max+1e-9)
			assert.InDelta(t, got, tenant.ContrastRatio(tc.b, tc.a), 1e-12, "symmetric")
		})
	}
}
