package tenantsync

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
)

// bucket starts moto_server (skipping without it) and returns a Sync on a
// new bucket's tenants/ prefix.
func bucket(t *testing.T) *Sync {
	t.Helper()
	endpoint := moto.Start(t)
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}, Configure)
	_, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("cogmail-tenants")})
	require.NoError(t, err)
	return &Sync{S3: client, To: Target{Bucket: "cogmail-tenants", Prefix: "tenants/"}}
}

// noEnv is an environment with nothing set: the check signs its sample
// links with the development keyring, as `cogmail check` does.
func noEnv(string) string { return "" }

// templatesDir writes a templates folder whose tenants are the embedded
// acme's files under other ids, each with its own match values (edit
// changes tenant.json's fields further).
func templatesDir(t *testing.T, ids map[string]func(doc map[string]any)) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "..", "templates", "tenants", "acme")
	for id, edit := range ids {
		root := filepath.Join(dir, "tenants", id)
		f, err := readFolder(os.DirFS(src))
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(f["tenant.json"], &doc))
		doc["id"] = id
		doc["match"] = map[string]any{"userPoolIds": []string{"eu-west-1_" + id}, "tenantAttributeValues": []string{id + "-users"}}
		if edit != nil {
			edit(doc)
		}
		f["tenant.json"], err = json.MarshalIndent(doc, "", "  ")
		require.NoError(t, err)
		require.NoError(t, writeFolder(root, f))
	}
	return dir
}

// objects is every object of the bucket: key → ETag and last-modified
// time, to show that a push changed nothing.
func objects(t *testing.T, s *Sync) map[string]string {
	t.Helper()
	out := map[string]string{}
	p := s3.NewListObjectsV2Paginator(s.S3, &s3.ListObjectsV2Input{Bucket: &s.To.Bucket})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = aws.ToString(o.ETag) + " " + o.LastModified.String()
		}
	}
	return out
}

func push(t *testing.T, s *Sync, dir string, dryRun bool) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := s.Push(context.Background(), dir, PushOptions{DryRun: dryRun, Out: &out, Getenv: noEnv})
	return out.String(), err
}
