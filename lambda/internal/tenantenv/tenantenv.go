// Package tenantenv is where the trigger, the notifier and the Custom Email
// Sender find their tenants and the reference page, read from the
// environment the same way: COGMAIL_TEMPLATES_DIR's overlay over the
// embedded tenants, and COGMAIL_PAGE_URL checked as a tenant's link.
package tenantenv

import (
	"io/fs"
	"os"

	"github.com/cogmail/cogmail/lambda/internal/pageurl"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// EnvTemplatesDir is the overlay folder, looked up before the embedded
// templates and tenants.
const EnvTemplatesDir = "COGMAIL_TEMPLATES_DIR"

// Layers are where tenants are looked up: the overlay folder, if set, then
// the embedded tenants, which the build's tests and `cogmail check`
// validated (tenant.Checked): a cold start reads them without validating
// them again, and validates an overlay's on first use.
func Layers(getenv func(string) string) []fs.FS {
	embedded := tenant.Checked(templates.FS)
	if dir := getenv(EnvTemplatesDir); dir != "" {
		return []fs.FS{os.DirFS(dir), embedded}
	}
	return []fs.FS{embedded}
}

// PageBase checks COGMAIL_PAGE_URL (raw) as pageurl.Base does, then base +
// page (one of the page's paths, "/reset") as a tenant's link, and returns
// it without its trailing slash; "" when unset.
func PageBase(raw string, inLambda bool, page string) (string, error) {
	base, err := pageurl.Base(raw, inLambda)
	if err != nil || base == "" {
		return base, err
	}
	if err := tenant.ValidateBaseURL(base + page); err != nil {
		return "", err
	}
	return base, nil
}
