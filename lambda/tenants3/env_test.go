package tenants3

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/tenant"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		name, raw, bucket, prefix string
		err                       bool
	}{
		{name: "case=prefix", raw: "s3://cogmail-tenants/tenants/", bucket: "cogmail-tenants", prefix: "tenants/"},
		{name: "case=slash added", raw: "s3://cogmail-tenants/a/b", bucket: "cogmail-tenants", prefix: "a/b/"},
		{name: "case=bucket root", raw: "s3://cogmail-tenants/", bucket: "cogmail-tenants", prefix: ""},
		{name: "case=bucket root without slash", raw: "s3://cogmail-tenants", bucket: "cogmail-tenants", prefix: ""},
		{name: "case=dotted bucket", raw: "s3://tenants.example.com/t/", bucket: "tenants.example.com", prefix: "t/"},
		{name: "case=not s3", raw: "https://cogmail-tenants/tenants/", err: true},
		{name: "case=no bucket", raw: "s3:///tenants/", err: true},
		{name: "case=capitals", raw: "s3://Cogmail/tenants/", err: true},
		{name: "case=short bucket", raw: "s3://ab/", err: true},
		{name: "case=empty segment", raw: "s3://cogmail-tenants/a//b/", err: true},
		{name: "case=dot-dot", raw: "s3://cogmail-tenants/a/../b/", err: true},
		{name: "case=query", raw: "s3://cogmail-tenants/a?b", err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bucket, prefix, err := ParseURL(tc.raw)
			if tc.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.bucket, bucket)
			assert.Equal(t, tc.prefix, prefix)
		})
	}
}

// The endpoints are S3's as the SDK resolves them: the bucket's virtual
// host, path-style for a dotted bucket (one TLS label) and for a configured
// endpoint.
func TestNew(t *testing.T) {
	creds := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
	with := func(env map[string]string) map[string]string {
		out := map[string]string{EnvURL: "s3://cogmail-tenants/tenants/"}
		for k, v := range creds {
			out[k] = v
		}
		for k, v := range env {
			out[k] = v
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		env   map[string]string
		base  string // "" for an error
		every time.Duration
	}{
		{"case=region", with(nil), "https://cogmail-tenants.s3.eu-west-1.amazonaws.com/", tenant.DefaultRemoteEvery},
		{"case=dotted bucket", with(map[string]string{EnvURL: "s3://t.example.com/"}), "https://s3.eu-west-1.amazonaws.com/t.example.com/", tenant.DefaultRemoteEvery},
		{"case=China", with(map[string]string{"AWS_REGION": "cn-north-1"}), "https://cogmail-tenants.s3.cn-north-1.amazonaws.com.cn/", tenant.DefaultRemoteEvery},
		{"case=default region", with(map[string]string{"AWS_REGION": "", "AWS_DEFAULT_REGION": "us-east-2"}), "https://cogmail-tenants.s3.us-east-2.amazonaws.com/", tenant.DefaultRemoteEvery},
		{"case=FIPS", with(map[string]string{"AWS_USE_FIPS_ENDPOINT": "true"}), "https://cogmail-tenants.s3-fips.eu-west-1.amazonaws.com/", tenant.DefaultRemoteEvery},
		{"case=dual-stack", with(map[string]string{"AWS_USE_DUALSTACK_ENDPOINT": "true"}), "https://cogmail-tenants.s3.dualstack.eu-west-1.amazonaws.com/", tenant.DefaultRemoteEvery},
		{"case=service endpoint", with(map[string]string{"AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_S3": "http://b:9000/"}), "http://b:9000/cogmail-tenants/", tenant.DefaultRemoteEvery},
		{"case=endpoint", with(map[string]string{"AWS_ENDPOINT_URL": "http://a"}), "http://a/cogmail-tenants/", tenant.DefaultRemoteEvery},
		{"case=endpoints ignored", with(map[string]string{"AWS_ENDPOINT_URL": "http://a", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}), "https://cogmail-tenants.s3.eu-west-1.amazonaws.com/", tenant.DefaultRemoteEvery},
		{"case=every", with(map[string]string{EnvEvery: "5"}), "https://cogmail-tenants.s3.eu-west-1.amazonaws.com/", 5 * time.Second},
		{"case=every zero", with(map[string]string{EnvEvery: "0"}), "", 0},
		{"case=every not seconds", with(map[string]string{EnvEvery: "1m"}), "", 0},
		{"case=bad URL", with(map[string]string{EnvURL: "cogmail-tenants"}), "", 0},
		{"case=no credentials", with(map[string]string{"AWS_ACCESS_KEY_ID": ""}), "", 0},
		{"case=no region", with(map[string]string{"AWS_REGION": ""}), "", 0},
		{"case=not a region", with(map[string]string{"AWS_REGION": "evil.example/x?"}), "", 0},
		{"case=endpoint not a URL", with(map[string]string{"AWS_ENDPOINT_URL_S3": "localhost:9000"}), "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(func(name string) string { return tc.env[name] })
			if tc.base == "" {
				require.Error(t, err)
				assert.NotContains(t, err.Error(), "secret", "an error never names a credential")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.base, r.aws.base)
			assert.Equal(t, tc.every, r.Every())
		})
	}
	t.Run("case=unset", func(t *testing.T) {
		r, err := New(func(name string) string { return creds[name] })
		assert.NoError(t, err)
		assert.Nil(t, r, "without COGMAIL_TENANTS_S3 tenants come from folders only")
	})
}

func TestEscapeKey(t *testing.T) {
	assert.Equal(t, "tenants/acme/locales/de.json", escapeKey("tenants/acme/locales/de.json"))
	assert.Equal(t, "a%20b/c%2Bd%3D~_.-/%C3%A9", escapeKey("a b/c+d=~_.-/é"))
}
