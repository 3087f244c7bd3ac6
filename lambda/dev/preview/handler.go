package preview

import (
	"io"
	"io/fs"
	"log/slog"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// NewHandler builds a handler as handler.Setup does, but from templates in
// fsys (a working tree's templates/ folder, say) instead of the embedded
// copy, with tenants looked up in overlays first and then fsys. Unlike Setup
// it fails when the templates do not parse: a preview must say so rather
// than show the minimal email everywhere.
//
// Links are signed with the development keyring: a preview shows what the
// emails look like, and must not need the keys of a real pool.
func NewHandler(fsys fs.FS, overlays ...fs.FS) (*handler.Handler, error) {
	r, err := render.New(fsys)
	if err != nil {
		return nil, err
	}
	// Catalog problems are not fatal here, as in Setup: Build reports them
	// through handler.Validate at the top of the gallery.
	return handler.New(handler.Config{
		Renderer: r,
		Tenants:  tenant.NewStore(append(overlays, fsys)...),
		Keyring:  keys.Development(),
		Logger:   slog.New(slog.NewJSONHandler(io.Discard, nil)),
	}), nil
}
