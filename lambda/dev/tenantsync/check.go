package tenantsync

import (
	"context"
	"io"
	"log/slog"

	"github.com/cogmail/cogmail/lambda/dev/check"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// envTenantsS3 is the functions' S3 variable (lambda/tenants3.EnvURL): the
// check ignores it, so it judges dir over the embedded tenants only.
const envTenantsS3 = "COGMAIL_TENANTS_S3"

// Check runs `cogmail check -templates dir`: the handler the functions
// build, with dir as the overlay over the embedded tenants, through
// lambda/dev/check. It also returns what every tenant it saw claims, the
// embedded ones for the claims check (a tenant that does not load is in
// the report, not here).
func Check(ctx context.Context, dir string, getenv func(string) string) (check.Report, map[string]tenant.Match) {
	env := func(k string) string {
		switch k {
		case handler.EnvTemplatesDir:
			return dir
		case envTenantsS3:
			return ""
		}
		return getenv(k)
	}
	h := handler.Setup(ctx, env, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	rep := check.Check(h)
	claims := map[string]tenant.Match{}
	all, _ := h.Tenants().LoadAll() // its errors are the report's
	for _, t := range all {
		claims[t.ID] = t.Match
	}
	return rep, claims
}
