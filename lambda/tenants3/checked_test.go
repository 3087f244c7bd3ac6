package tenants3_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cogmail/cogmail/lambda/tenants3"
	"github.com/cogmail/cogmail/templates"
)

// The digest is the framing the brief fixes, over a tenant's files and
// this build's templates.
func TestCheckedDigest(t *testing.T) {
	files := map[string][]byte{"tenant.json": []byte(`{"id":"acme"}`), "locales/de.json": []byte(`{}`)}
	h := sha256.New()
	h.Write([]byte("locales/de.json\x002\x00{}"))
	h.Write([]byte("tenant.json\x0013\x00{\"id\":\"acme\"}"))
	h.Write([]byte("\x00templates\x00" + templates.Digest()))
	want := hex.EncodeToString(h.Sum(nil))
	assert.Equal(t, want, tenants3.CheckedDigest(files))

	for _, tc := range []struct {
		name  string
		files map[string][]byte
	}{
		{"a byte changed", map[string][]byte{"tenant.json": []byte(`{"id":"acmf"}`), "locales/de.json": []byte(`{}`)}},
		{"a file renamed", map[string][]byte{"tenant.json": []byte(`{"id":"acme"}`), "locales/fr.json": []byte(`{}`)}},
		{"a file added", map[string][]byte{"tenant.json": []byte(`{"id":"acme"}`), "locales/de.json": []byte(`{}`), "x.tmpl": nil}},
		{"a byte moved between files", map[string][]byte{"tenant.json": []byte(`}{"id":"acme"`), "locales/de.json": []byte(`{`)}},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			assert.NotEqual(t, want, tenants3.CheckedDigest(tc.files))
		})
	}
}
