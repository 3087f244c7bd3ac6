package tenants3

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The GET is signed as S3 wants it (moto_server does not check signatures):
// scope s3, the payload hash in its header and signed, the conditional
// header and the session token signed, the key's path escaped once.
func TestSignedGET(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Header().Set("ETag", `"abc"`)
		_, _ = w.Write([]byte(`{"format":1,"tenants":{}}`))
	}))
	t.Cleanup(srv.Close)
	env := map[string]string{EnvURL: "s3://cogmail-tenants/a b/", "AWS_ENDPOINT_URL_S3": srv.URL, "AWS_REGION": "eu-west-1",
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI", "AWS_SESSION_TOKEN": "token"}
	r, err := New(func(name string) string { return env[name] })
	require.NoError(t, err)
	_, version, err := r.Index(t.Context(), `"old"`)
	require.NoError(t, err)
	assert.Equal(t, `"abc"`, version)

	require.NotNil(t, got)
	assert.Equal(t, "/cogmail-tenants/a%20b/_index.json", got.URL.EscapedPath())
	assert.Equal(t, `"old"`, got.Header.Get("If-None-Match"))
	assert.Equal(t, emptySHA256, got.Header.Get("X-Amz-Content-Sha256"))
	assert.Equal(t, "token", got.Header.Get("X-Amz-Security-Token"))
	auth := got.Header.Get("Authorization")
	assert.Regexp(t, `^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/eu-west-1/s3/aws4_request, `, auth)
	_, signed, _ := strings.Cut(auth, "SignedHeaders=")
	signed, _, _ = strings.Cut(signed, ",")
	for _, h := range []string{"host", "if-none-match", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"} {
		assert.Contains(t, strings.Split(signed, ";"), h)
	}
	assert.NotContains(t, auth, "wJalrXUtnFEMI")
}
