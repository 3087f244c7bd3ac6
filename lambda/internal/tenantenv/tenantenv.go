// Package tenantenv is where every function finds its tenants and the
// reference page, read from the environment the same way: tenants in S3
// (COGMAIL_TENANTS_S3), then COGMAIL_TEMPLATES_DIR's overlay, then the
// embedded tenants; and COGMAIL_PAGE_URL checked as a tenant's link.
package tenantenv

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/internal/pageurl"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/tenants3"
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

// Remote puts the tenants in S3 (COGMAIL_TENANTS_S3), if set, before the
// store's folder layers. accept is the function's own check of a tenant
// version before it serves it (the gate over every email it sends); r, the
// function's renderer, lets go of what it prepared for a version no longer
// served. A
// URL that cannot be read is logged and leaves the store to its folders:
// the emails keep their brand where the folders have it, never fail. It
// reports whether the store has tenants in S3.
func Remote(store *tenant.Store, r *render.Renderer, function string, getenv func(string) string, logger *slog.Logger, accept func(*tenant.Tenant) error) bool {
	s3, err := tenants3.New(getenv)
	if err != nil {
		logger.Error(tenants3.EnvURL+" is not used: tenants come from the function's own folders", "error", err.Error())
		return false
	}
	if s3 == nil {
		return false
	}
	forget := func(t *tenant.Tenant) {
		if r != nil {
			r.Forget(t)
		}
	}
	spec := metrics.NewSpec(metrics.Namespace(getenv), function,
		metrics.Metric{Name: metrics.TenantsRefused, Unit: metrics.Count})
	refused := func(id string, _ error) {
		// Beside the store's own line, which says why: a metric filter
		// would have to parse that one.
		attrs := spec.Append([]slog.Attr{slog.String("tenant", id), slog.Int(metrics.TenantsRefused, 1)}, time.Now())
		logger.LogAttrs(context.Background(), slog.LevelWarn, "tenant version refused: counted", attrs...)
	}
	store.SetRemote(tenant.RemoteOptions{Remote: s3, Every: s3.Every(), Accept: accept, Evicted: forget, Refused: refused, Logger: logger})
	return true
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
