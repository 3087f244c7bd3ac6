package handler

import (
	"context"
	"io/fs"
	"log/slog"

	"github.com/cogmail/cogmail/lambda/internal/keyring"
	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/internal/tenantenv"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// Environment variables Setup reads besides the keys package's.
const (
	// EnvTemplatesDir names a folder holding tenants/<id>/ that override the
	// embedded ones (a Lambda layer under /opt, say).
	EnvTemplatesDir = tenantenv.EnvTemplatesDir
	// EnvTenantAttribute names the user attribute holding the tenant id.
	EnvTenantAttribute = "COGMAIL_TENANT_ATTRIBUTE"
	// EnvPageURL is the reference page's address (template.yaml sets it to
	// the stack's own page): the default tenant's links to example hosts
	// lead to its /reset, /activate and /confirm instead.
	EnvPageURL = "COGMAIL_PAGE_URL"
)

// Setup builds the handler the Lambda and the command line both run: the
// embedded templates, the tenants (overlay first) and the keyring from the
// environment. It never fails: what does not load is logged and the handler
// degrades (no link, or the minimal email).
//
// A cold start pays for Setup, in the user's wait and in the bill, so it
// does next to nothing: the keyring is fetched while the rest is set up;
// templates and catalogs are parsed on their first use (render.Open) and
// not validated, since the embedded ones cannot change after the build whose
// tests and `cogmail check` validated them whole (Validate); tenants load on
// first use, so cold start does not grow with their number, and only an
// overlay's are validated then (Layers).
//
// Inside Lambda (keys.InLambda, the emulator included) links to example
// hosts are never signed, and the default tenant's are reported at cold
// start; keys.Load refuses the public development keyring there. Pass
// keys.Getenv rather than os.Getenv, so that a keyring variable set to ""
// is refused rather than read as unset.
func Setup(ctx context.Context, getenv func(string) string, logger *slog.Logger) *Handler {
	// The keyring may come from Secrets Manager, a network round trip:
	// fetched while the rest is set up.
	type loaded struct {
		ring   *link.Keyring
		source keys.Source
		err    error
	}
	ring := make(chan loaded, 1)
	go func() {
		r, source, err := keys.Load(ctx, keys.Options{Getenv: getenv})
		ring <- loaded{r, source, err}
	}()

	cfg := Config{Logger: logger, TenantAttribute: getenv(EnvTenantAttribute), MetricsNamespace: getenv(metrics.EnvNamespace)}
	var err error
	if cfg.Renderer, err = render.Open(templates.FS); err != nil {
		logger.Error("templates failed to load; every email will be the minimal one", "error", err.Error())
		cfg.Renderer, cfg.RendererErr = nil, err
	}
	cfg.Tenants = tenant.NewStore(Layers(getenv)...)
	// h is set below, before any event: no tenant version is read sooner.
	var h *Handler
	remote := tenantenv.Remote(cfg.Tenants, cfg.Renderer, metrics.FunctionTrigger, getenv, logger, func(t *tenant.Tenant) error { return h.Accept(t) })
	inLambda := keys.InLambda(getenv)
	if cfg.PageURL, err = pageBase(getenv(EnvPageURL), inLambda); err != nil {
		logger.Error(EnvPageURL+" is not used: the default tenant keeps its own links", "error", err.Error())
	}
	cfg.RefuseExampleHosts = inLambda
	var def *tenant.Tenant
	var defErr error
	if !remote { // S3's default tenant is read on first use, not at cold start
		def, defErr = cfg.Tenants.Get(tenant.DefaultID)
	}

	k := <-ring
	if k.source == keys.SourceSecretsManager {
		// Read again while warm: a passing fault heals, and a rotation's
		// promotion reaches the trigger before its retirement does.
		cfg.RetryKeys = keyring.Reload(getenv)
	}
	switch {
	case k.err != nil && k.source == keys.SourceSecretsManager:
		logger.Error("no signing key yet; emails go out without a link until it loads", "source", string(k.source), "error", k.err.Error())
	case k.err != nil:
		logger.Error("no signing key; emails go out without a link", "source", string(k.source), "error", k.err.Error())
	case k.source == keys.SourceDevelopment:
		logger.Warn("signing with the built-in development keyring: links prove nothing; set COGMAIL_SIGNING_KEYS or COGMAIL_KEYS_SECRET_ARN")
	default:
		logger.Info("signing keys loaded", "source", string(k.source), "keyring", k.ring)
	}
	cfg.Keyring = k.ring

	h = New(cfg)
	switch {
	case defErr != nil:
		logger.Error("the default tenant failed to load: its events get the minimal email, without a link", "error", defErr.Error())
	case def != nil:
		h.checkLinks(def)
	}
	return h
}

// Layers are where tenants are looked up: the overlay folder, if set, then
// the embedded tenants, which the build's tests and `cogmail check`
// validated (tenant.Checked): a cold start reads them without validating
// them again, and validates an overlay's on first use.
func Layers(getenv func(string) string) []fs.FS { return tenantenv.Layers(getenv) }
