package tenant_test

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// A Checked layer's tenants read as the strict reading reads them: every
// embedded tenant, field by field, with its files.
func TestChecked(t *testing.T) {
	strict, checked := tenant.NewStore(templates.FS), tenant.NewStore(tenant.Checked(templates.FS))
	ids, err := strict.IDs()
	require.NoError(t, err)
	require.NotEmpty(t, ids)
	for _, id := range ids {
		t.Run("case="+id, func(t *testing.T) {
			want, err := strict.Get(id)
			require.NoError(t, err)
			got, err := checked.Get(id)
			require.NoError(t, err)
			assert.Equal(t, encode(t, want), encode(t, got))
			assert.Equal(t, want.DefaultLanguage(), got.DefaultLanguage())
			assert.Equal(t, want.SupportedLanguages(), got.SupportedLanguages())
			wantFiles, err := fs.Glob(want.Files(), "*/*")
			require.NoError(t, err)
			gotFiles, err := fs.Glob(got.Files(), "*/*")
			require.NoError(t, err)
			assert.Equal(t, wantFiles, gotFiles)
		})
	}
	_, err = checked.LoadAll()
	assert.NoError(t, err, "the embedded tenants are valid")
}

// Get trusts a Checked layer, so that a cold start does not validate the
// embedded tenants again; LoadAll (tests, `cogmail check`) validates them,
// and an overlay above them is validated on first use, as ever.
func TestCheckedIsValidatedByLoadAll(t *testing.T) {
	bad := valid("beta")
	bad.Brand.PrimaryColor = "red"
	embedded := tree(t, valid(tenant.DefaultID), bad)
	s := tenant.NewStore(tenant.Checked(embedded))
	_, err := s.Get("beta")
	require.NoError(t, err, "trusted on the invocation path")
	_, err = s.LoadAll()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tenants/beta/tenant.json: brand.primaryColor")

	overlay := fstest.MapFS{"tenants/beta/tenant.json": embedded["tenants/beta/tenant.json"]}
	_, err = tenant.NewStore(overlay, tenant.Checked(embedded)).Get("beta")
	require.Error(t, err, "an overlay tenant is validated on first use")
	assert.Contains(t, err.Error(), "brand.primaryColor")
}

// Every field a tenant.json may have is read from a Checked layer as
// encoding/json reads it; what the fast way does not know (a null, an
// unknown field, a number for text) is left to encoding/json.
func TestCheckedReadsEveryField(t *testing.T) {
	every := encode(t, full(tenant.DefaultID))
	for _, tc := range []struct {
		name string
		data string
	}{
		{"case=every field", string(every)},
		{"case=only the required ones", string(encode(t, valid(tenant.DefaultID)))},
		{"case=empty lists", strings.Replace(string(every), `"footerLines": [`, `"footerLines": [], "x": [`, 1)},
		{"case=null", strings.Replace(string(every), `"supportEmail": "support@acme.example"`, `"supportEmail": null`, 1)},
		{"case=unknown field", strings.Replace(string(every), `"displayName"`, `"comment": "x", "displayName"`, 1)},
		{"case=number for text", strings.Replace(string(every), `"productName": "Acme"`, `"productName": 3`, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name != "case=every field" {
				require.NotEqual(t, string(every), tc.data, "the case changes the file")
			}
			got, err := tenant.NewStore(tenant.Checked(fstest.MapFS{
				"tenants/default/tenant.json": {Data: []byte(tc.data)},
			})).Get(tenant.DefaultID)
			var want tenant.Tenant
			if wantErr := json.Unmarshal([]byte(tc.data), &want); wantErr != nil {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, encode(t, &want), encode(t, got))
		})
	}
}
