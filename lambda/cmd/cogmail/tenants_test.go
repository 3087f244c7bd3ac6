package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
)

func TestTenantsHelp(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		out  string
	}{
		{"tenants -h", []string{"tenants", "-h"}, "cogmail tenants rm ID…"},
		{"help tenants", []string{"help", "tenants"}, "cogmail tenants diff DIR"},
		{"cogmail -h", []string{"-h"}, "cogmail tenants push [-dry-run] DIR"},
		{"push -h", []string{"tenants", "push", "-h"}, "-dry-run"},
		{"pull -h", []string{"tenants", "pull", "-h"}, "cogmail tenants pull s3://BUCKET/PREFIX/ DIR [ID…]"},
		{"diff --help", []string{"tenants", "diff", "--help"}, "exit 1 when"},
		{"rm -h", []string{"tenants", "rm", "-h"}, "out of the index first"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, env(nil), "", tc.args...)
			assert.Equal(t, 0, code)
			assert.Empty(t, errOut)
			assert.Contains(t, out, "usage:")
			assert.Contains(t, out, tc.out)
		})
	}
}

func TestTenantsUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		err  string
	}{
		{"no subcommand", []string{"tenants"}, "give one of push, pull, diff, rm"},
		{"unknown subcommand", []string{"tenants", "sync"}, `unknown command "sync"`},
		{"push without URL", []string{"tenants", "push", dir}, "give DIR and s3://BUCKET/PREFIX/"},
		{"push to a non-S3 URL", []string{"tenants", "push", dir, "https://bucket/t/"}, "is not an s3://bucket/prefix/ URL"},
		{"push a missing folder", []string{"tenants", "push", filepath.Join(dir, "none"), "s3://bucket/t/"}, "is not a folder"},
		{"pull without DIR", []string{"tenants", "pull", "s3://bucket/t/"}, "give s3://BUCKET/PREFIX/ and DIR"},
		{"rm without id", []string{"tenants", "rm", "s3://bucket/t/"}, "give one tenant id or more"},
		{"an unknown flag", []string{"tenants", "diff", "-x", dir, "s3://bucket/t/"}, "flag provided but not defined: -x"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, env(nil), "", tc.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.err)
			assert.Contains(t, errOut, "usage:")
		})
	}
}

// The round trip through moto_server's S3, as an operator runs it: push,
// diff (equal: exit 0), a local edit (diff: exit 1), pull, and a tenant
// that fails the check (push: exit 1, nothing uploaded).
func TestTenantsRoundTrip(t *testing.T) {
	endpoint := moto.Start(t)
	home := t.TempDir()
	// The SDK reads these from the process environment, as the AWS CLI does.
	for name, value := range map[string]string{
		"AWS_ENDPOINT_URL_S3": endpoint, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
	} {
		t.Setenv(name, value)
	}
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	_, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("tenants")})
	require.NoError(t, err)
	const url = "s3://tenants/prod/"
	dir := tenantFolder(t, "globex", nil)

	code, out, errOut := cli(t, env(nil), "", "tenants", "push", dir, url)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "globex: added (3 files)\n_index.json: updated (1 tenant)\n", out)

	code, out, errOut = cli(t, env(nil), "", "tenants", "diff", dir, url)
	assert.Equal(t, 0, code, errOut)
	assert.Empty(t, out)

	footer := filepath.Join(dir, "tenants", "globex", "footer.tmpl")
	require.NoError(t, os.WriteFile(footer, []byte("edited\n"), 0o644))
	code, out, _ = cli(t, env(nil), "", "tenants", "diff", dir, url)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "differs: globex/footer.tmpl\n")

	pulled := t.TempDir()
	code, out, errOut = cli(t, env(nil), "", "tenants", "pull", url, pulled)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "globex: 3 files\n", out)
	code, _, errOut = cli(t, env(nil), "", "tenants", "diff", pulled, url)
	assert.Equal(t, 0, code, "what was pulled is what S3 has: %s", errOut)

	broken := tenantFolder(t, "hooli", func(doc map[string]any) { doc["brand"].(map[string]any)["primaryColor"] = "not a colour" })
	code, out, errOut = cli(t, env(nil), "", "tenants", "push", broken, url)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "refused: nothing was uploaded")
	assert.Contains(t, out, "hooli")
	code, out, _ = cli(t, env(nil), "", "tenants", "pull", url, t.TempDir(), "hooli")
	assert.Equal(t, 1, code, out)

	code, _, errOut = cli(t, env(nil), "", "tenants", "diff", dir, "s3://no-such-bucket/prod/")
	assert.Equal(t, 2, code, "trouble is exit 2, as diff(1)'s")
	assert.Contains(t, errOut, "no-such-bucket")

	code, out, errOut = cli(t, env(nil), "", "tenants", "rm", "globex", url)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "globex: removed (3 files)\n", out)
}

// tenantFolder writes a templates folder with one tenant: the embedded
// acme's files under id, with a match of its own.
func tenantFolder(t *testing.T, id string, edit func(map[string]any)) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "..", "templates", "tenants", "acme")
	dst := filepath.Join(dir, "tenants", id)
	require.NoError(t, os.CopyFS(dst, os.DirFS(src)))
	data, err := os.ReadFile(filepath.Join(dst, "tenant.json"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	doc["id"] = id
	doc["match"] = map[string]any{"tenantAttributeValues": []string{id + "-users"}, "userPoolIds": []string{"eu-west-1_" + strings.ToUpper(id)}}
	if edit != nil {
		edit(doc)
	}
	data, err = json.MarshalIndent(doc, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dst, "tenant.json"), data, 0o644))
	return dir
}
