package localstack

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/internal/pageurl"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

func TestWriteOverlay(t *testing.T) {
	dir := t.TempDir()
	links := pageLinks("http://127.0.0.1:8123")
	require.NoError(t, writeOverlay(dir, links))

	t.Run("case=links point at the page server, every other field kept", func(t *testing.T) {
		got, want := readJSON(t, os.DirFS(dir), "tenants/default/tenant.json"), readJSON(t, templates.FS, "tenants/default/tenant.json")
		gotLinks, wantLinks := got["links"].(map[string]any), want["links"].(map[string]any)
		assert.Equal(t, links.Reset, gotLinks["resetUrl"])
		assert.Equal(t, links.Activate, gotLinks["inviteUrl"])
		assert.Equal(t, links.Confirm, gotLinks["verifyUrl"])
		assert.Equal(t, links.Report, gotLinks["reportUrl"])
		for _, key := range []string{"resetUrl", "inviteUrl", "verifyUrl", "reportUrl"} {
			delete(gotLinks, key)
			delete(wantLinks, key)
		}
		delete(got, "sender")
		delete(want, "sender")
		assert.Equal(t, want, got)
	})

	t.Run("case=the default tenant has a sender and a report link", func(t *testing.T) {
		tn := overlayTenant(t, dir, tenant.DefaultID)
		require.NotNil(t, tn.Sender)
		assert.Equal(t, links.Report, tn.Links.ReportURL)
	})

	t.Run("case=a tenant without a verifyUrl gets none", func(t *testing.T) {
		got := readJSON(t, os.DirFS(dir), "tenants/acme/tenant.json")["links"].(map[string]any)
		assert.Equal(t, links.Reset, got["resetUrl"])
		assert.NotContains(t, got, "verifyUrl")
	})

	// The notifier refuses example domains inside Lambda, as SES would.
	t.Run("case=senders move from example domains to local ones", func(t *testing.T) {
		domains, _, err := senders(dir)
		require.NoError(t, err)
		for _, id := range embeddedIDs(t) {
			embedded, err := tenant.NewStore(templates.FS).Get(id)
			require.NoError(t, err)
			tn := overlayTenant(t, dir, id)
			if embedded.Sender == nil {
				continue
			}
			require.NotNil(t, tn.Sender, id)
			for _, d := range tn.Sender.Domains {
				assert.False(t, pageurl.ExampleDomain(d), "%s: %s", id, d)
				assert.Contains(t, domains, d, "an SES identity is made for it")
			}
			want := embedded.Sender.FromAddress
			if pageurl.ExampleDomain(want[strings.LastIndexByte(want, '@')+1:]) {
				want += LocalDomainSuffix
			}
			assert.Equal(t, want, tn.Sender.FromAddress, id)
			assert.Equal(t, embedded.Sender.FromName, tn.Sender.FromName, id)
			assert.Equal(t, embedded.Sender.ConfigurationSet, tn.Sender.ConfigurationSet, id)
		}
	})

	t.Run("case=a default tenant without a sender gets one", func(t *testing.T) {
		doc := map[string]any{"links": map[string]any{"resetUrl": "https://app.example.com/reset"}}
		data, err := json.Marshal(doc)
		require.NoError(t, err)
		out, err := rewriteLinks(data, links, true)
		require.NoError(t, err)
		var got map[string]any
		require.NoError(t, json.Unmarshal(out, &got))
		assert.Equal(t, "no-reply@cogmail.internal", got["sender"].(map[string]any)["fromAddress"])
		assert.Equal(t, links.Report, got["links"].(map[string]any)["reportUrl"])
	})

	t.Run("case=the whole folder is copied", func(t *testing.T) {
		embedded, err := fs.Glob(templates.FS, "tenants/acme/*/*")
		require.NoError(t, err)
		require.NotEmpty(t, embedded)
		for _, name := range append(embedded, "tenants/acme/footer.tmpl") {
			assert.FileExists(t, filepath.Join(dir, filepath.FromSlash(name)))
		}
	})

	// By id, against the embedded tenants: an operator may add one.
	t.Run("case=every embedded tenant is in the overlay and valid for the function", func(t *testing.T) {
		want, err := tenant.NewStore(templates.FS).IDs()
		require.NoError(t, err)
		all, err := tenant.NewStore(os.DirFS(dir)).LoadAll()
		require.NoError(t, err)
		got := make([]string, len(all))
		for i, tn := range all {
			got[i] = tn.ID
		}
		assert.Equal(t, want, got)
	})
}

func overlayTenant(t *testing.T, dir, id string) *tenant.Tenant {
	t.Helper()
	tn, err := tenant.NewStore(os.DirFS(dir)).Get(id)
	require.NoError(t, err)
	return tn
}

func embeddedIDs(t *testing.T) []string {
	t.Helper()
	ids, err := tenant.NewStore(templates.FS).IDs()
	require.NoError(t, err)
	return ids
}

func readJSON(t *testing.T, fsys fs.FS, name string) map[string]any {
	t.Helper()
	data, err := fs.ReadFile(fsys, name)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	return doc
}
