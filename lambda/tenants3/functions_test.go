package tenants3_test

import (
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/notify"
	"github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/sender"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/tenants3"
)

// The notifier, the sender and the page read tenants from S3 as the trigger
// does, each checking a version against what it sends before serving it.
func TestEveryFunctionReadsS3(t *testing.T) {
	endpoint, b := newBucket(t)
	b.push("fn/", "zeta", map[string]string{"tenant.json": s3Tenant("zeta", "Zeta Rockets")})
	// Valid as a tenant; every email over the gate's size.
	b.push("fn/", "omega", map[string]string{
		"tenant.json": s3Tenant("omega", "Omega Rockets"),
		"footer.tmpl": `{{define "footer"}}` + strings.Repeat("Lorem ipsum dolor sit amet. ", 800) + `{{end}}`,
	})
	b.putJSON("fn/_index.json", index("zeta", "omega"))
	env := map[string]string{
		tenants3.EnvURL: "s3://" + bucket + "/fn/", "AWS_ENDPOINT_URL_S3": endpoint,
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
	}
	getenv := func(name string) string { return env[name] }
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))

	stores := map[string]func() *tenant.Store{
		"notifier": func() *tenant.Store { return notify.Configure(t.Context(), getenv, logger).Tenants },
		"sender":   func() *tenant.Store { return sender.Configure(t.Context(), getenv, logger, nil).Tenants },
		"page": func() *tenant.Store {
			cfg, _ := page.LoadConfig(getenv) // no page configuration here: its error is beside the point
			return cfg.Tenants
		},
	}
	for name, store := range stores {
		t.Run("case="+name, func(t *testing.T) {
			s := store()
			zeta, err := s.Get("zeta")
			require.NoError(t, err)
			assert.Equal(t, "Zeta Rockets", zeta.Brand.ProductName)
			_, err = s.Get("omega")
			if name == "page" {
				// The page shows no email: its check is the tenant's own files.
				assert.NoError(t, err)
				return
			}
			assert.Error(t, err, "a version whose emails break the gate is not served")
		})
	}
}

// The page's configuration names tenants that may live in S3 only: with S3
// out of reach at cold start they are read on their first request, and the
// page stays up for every other tenant.
func TestPageConfigWithS3Down(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	env := map[string]string{
		tenants3.EnvURL: "s3://" + bucket + "/fn/", "AWS_ENDPOINT_URL_S3": closed,
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		page.EnvConfig: `{"tenants": {"zeta": {"userPoolId": "eu-west-1_ZETAx1", "clientId": "clientZETAx1",
			"signInUrl": "https://login.zeta.example/signin"}}}`,
	}
	cfg, err := page.LoadConfig(func(name string) string { return env[name] })
	if err != nil {
		assert.NotContains(t, err.Error(), "tenants.zeta", "an S3 tenant is not read at cold start")
	}
	require.Contains(t, cfg.Clients, "zeta")
}
