package handler

import (
	"context"
	"log/slog"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// Setup builds the handler the Lambda and the command line both run: the
// embedded templates, the default tenant and the keyring from the
// environment, all loaded once. It never fails: what does not load is logged
// and the handler degrades (no link, or the minimal email).
func Setup(ctx context.Context, getenv func(string) string, logger *slog.Logger) *Handler {
	cfg := Config{Logger: logger}
	var err error
	if cfg.Renderer, err = render.New(templates.FS); err != nil {
		logger.Error("templates failed to load; every email will be the minimal one", "error", err.Error())
	}
	if cfg.Tenant, err = tenant.Load(templates.FS, tenant.DefaultID); err != nil {
		logger.Error("default tenant failed to load; emails go out without a link", "error", err.Error())
		cfg.Tenant = nil
	}
	ring, source, err := keys.Load(ctx, keys.Options{Getenv: getenv})
	switch {
	case err != nil:
		logger.Error("no signing key; emails go out without a link", "source", string(source), "error", err.Error())
	case source == keys.SourceDevelopment:
		logger.Warn("signing with the built-in development keyring: links prove nothing; set COGMAIL_SIGNING_KEYS or COGMAIL_KEYS_SECRET_ARN")
	default:
		logger.Info("signing keys loaded", "source", string(source), "keyring", ring)
	}
	cfg.Keyring = ring
	return New(cfg)
}
