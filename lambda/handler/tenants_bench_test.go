package handler_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// manyTenants is an overlay of n generated tenants, t0000…, each matched by
// its own user pool, with a partial German catalog and a footer override.
func manyTenants(n int) fstest.MapFS {
	fsys := fstest.MapFS{}
	for i := range n {
		id := fmt.Sprintf("t%04d", i)
		fsys["tenants/"+id+"/tenant.json"] = &fstest.MapFile{Data: fmt.Appendf(nil, `{
		  "id": %q, "displayName": "Tenant %d",
		  "match": {"userPoolIds": ["eu-west-1_Pool%04d"]},
		  "links": {"resetUrl": "https://%s.example.com/reset", "inviteUrl": "https://%s.example.com/invite",
		            "mode": "query", "resetExpiry": "1h", "inviteExpiry": "168h"},
		  "brand": {"productName": "Product %d", "primaryColor": "#1a56db", "buttonTextColor": "#ffffff"},
		  "languages": {"default": "de", "supported": ["de", "en"]}}`, id, i, i, id, id, i)}
		fsys["tenants/"+id+"/locales/de.json"] = &fstest.MapFile{Data: []byte(`{"reset.heading": "Passwort neu setzen"}`)}
		fsys["tenants/"+id+"/footer.tmpl"] = &fstest.MapFile{Data: []byte(`{{define "footer"}}<p>{{.Brand.ProductName}}</p>{{end}}`)}
	}
	return fsys
}

func manyTenantHandler(b *testing.B, overlay fstest.MapFS) *handler.Handler {
	r, err := render.New(templates.FS)
	if err != nil {
		b.Fatal(err)
	}
	return handler.New(handler.Config{Renderer: r, Tenants: tenant.NewStore(overlay, templates.FS),
		Keyring: keys.Development(), Logger: quietLogger()})
}

// resetFor is a reset event of tenant t<i>'s pool, naming the tenant by its
// attribute (a tenant that lists pools owns events of those pools only).
func resetFor(b *testing.B, i int) []byte {
	id := fmt.Sprintf("t%04d", i)
	return []byte(`{"version":"1","region":"eu-west-1","userPoolId":"eu-west-1_Pool` + id[1:] + `","userName":"u-1",` +
		`"triggerSource":"CustomMessage_ForgotPassword","request":{"userAttributes":{"custom:tenant_id":"` + id +
		`","locale":"de"},"codeParameter":"{####}","usernameParameter":null},"response":{}}`)
}

// BenchmarkTenantsColdStart is the cold start with 1,000 tenants present,
// as Setup does it: the same work as with one, because tenants load on
// first use.
func BenchmarkTenantsColdStart(b *testing.B) {
	overlay := manyTenants(1000)
	b.ReportAllocs()
	for b.Loop() {
		r, err := render.Open(templates.FS)
		if err != nil {
			b.Fatal(err)
		}
		store := tenant.NewStore(overlay, tenant.Checked(templates.FS))
		if _, err := store.Get(tenant.DefaultID); err != nil {
			b.Fatal(err)
		}
		handler.New(handler.Config{Renderer: r, Tenants: store, Keyring: keys.Development()})
	}
}

// BenchmarkTenantsFirstMessage is a tenant's first message after a cold
// start: loading and validating its configuration and overrides and
// compiling its email. Every iteration is a tenant not seen before.
func BenchmarkTenantsFirstMessage(b *testing.B) {
	overlay := manyTenants(1000)
	h := manyTenantHandler(b, overlay)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == 1000 { // all seen: start again with fresh caches
			b.StopTimer()
			h, i = manyTenantHandler(b, overlay), 0
			b.StartTimer()
		}
		if _, err := h.Invoke(ctx, resetFor(b, i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkTenantsWarmMessage is a message for a tenant already seen, among
// 1,000.
func BenchmarkTenantsWarmMessage(b *testing.B) {
	h := manyTenantHandler(b, manyTenants(1000))
	ctx := context.Background()
	payload := resetFor(b, 500)
	if out, err := h.Invoke(ctx, payload); err != nil || !bytes.Contains(out, []byte("t0500.example.com")) {
		b.Fatalf("not rendered for tenant t0500: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTenantsRouteIndex is the first event routed by pool id rather
// than by tenant attribute: it reads every tenant's match section once.
func BenchmarkTenantsRouteIndex(b *testing.B) {
	overlay := manyTenants(1000)
	payload := []byte(`{"version":"1","userPoolId":"eu-west-1_Pool0999","userName":"u-1",` +
		`"triggerSource":"CustomMessage_ForgotPassword","request":{"codeParameter":"{####}"},"response":{}}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		h := manyTenantHandler(b, overlay)
		b.StartTimer()
		if _, err := h.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}
