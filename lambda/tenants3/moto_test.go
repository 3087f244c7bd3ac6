package tenants3_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/tenants3"
)

const bucket = "cogmail-tenants"

// bucketS3 uploads as `cogmail tenants push` does: files, then the
// tenant's manifest, then the index.
type bucketS3 struct {
	t      testing.TB
	client *s3.Client
}

func (b bucketS3) put(key, body string) string {
	b.t.Helper()
	out, err := b.client.PutObject(b.t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader([]byte(body))})
	require.NoError(b.t, err)
	return aws.ToString(out.ETag)
}

func (b bucketS3) putJSON(key string, v any) string {
	b.t.Helper()
	data, err := json.Marshal(v)
	require.NoError(b.t, err)
	return b.put(key, string(data))
}

// push uploads a tenant's files and its manifest.
func (b bucketS3) push(prefix, id string, files map[string]string) {
	b.t.Helper()
	b.pushManifest(prefix, id, files, func(map[string]any) {})
}

// pushManifest is push with edit applied to the manifest before it is
// uploaded; it returns the files' ETags.
func (b bucketS3) pushManifest(prefix, id string, files map[string]string, edit func(map[string]any)) map[string]string {
	b.t.Helper()
	etags := map[string]string{}
	for name, body := range files {
		etags[name] = b.put(prefix+id+"/"+name, body)
	}
	doc := map[string]any{"format": 1, "tenant": id, "files": etags}
	edit(doc)
	b.putJSON(prefix+"_manifests/"+id+".json", doc)
	return etags
}

// checked is what `cogmail tenants push` writes in a manifest it checked.
func checked(files map[string]string) string {
	raw := map[string][]byte{}
	for name, body := range files {
		raw[name] = []byte(body)
	}
	return tenants3.CheckedDigest(raw)
}

// pushChecked reports whether a Folder's fs.FS says push checked it.
func pushChecked(fsys fs.FS) bool {
	pc, ok := fsys.(interface{ PushChecked() bool })
	return ok && pc.PushChecked()
}

// newBucket starts moto_server and makes the tests' bucket in it.
func newBucket(t testing.TB) (string, bucketS3) {
	endpoint := moto.Start(t)
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	return endpoint, bucketS3{t: t, client: client}
}

// remote is the function's view of s3://bucket/prefix on moto_server.
func remote(t *testing.T, endpoint, prefix string) *tenants3.Remote {
	t.Helper()
	env := map[string]string{
		tenants3.EnvURL: "s3://" + bucket + "/" + prefix, "AWS_ENDPOINT_URL_S3": endpoint, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
	}
	r, err := tenants3.New(func(name string) string { return env[name] })
	require.NoError(t, err)
	require.NotNil(t, r)
	return r
}

func readAll(t *testing.T, fsys fs.FS) map[string]string {
	t.Helper()
	got := map[string]string{}
	require.NoError(t, fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		got[name] = string(data)
		return err
	}))
	return got
}

// S3 as moto_server answers it: conditional GETs, a missing index, a file
// replaced behind its manifest.
func TestMotoS3(t *testing.T) {
	endpoint, b := newBucket(t)
	ctx := t.Context()

	acme := map[string]string{
		"tenant.json":     `{"id":"acme"}`,
		"locales/de.json": `{"reset.subject":"Passwort"}`,
		"reset.html.tmpl": `{{define "body"}}acme{{end}}`,
	}
	b.push("tenants/", "acme", acme)
	indexETag := b.putJSON("tenants/_index.json", map[string]any{"format": 1, "tenants": map[string]any{
		"acme":  map[string]any{"userPoolIds": []string{"eu-west-1_Ab12Cd34E"}, "appClientIds": []string{"client1"}},
		"other": map[string]any{},
	}})
	r := remote(t, endpoint, "tenants/")

	t.Run("case=index read, then 304", func(t *testing.T) {
		index, version, err := r.Index(ctx, "")
		require.NoError(t, err)
		assert.Equal(t, indexETag, version)
		assert.Equal(t, tenant.RemoteIndex{
			"acme":  {UserPoolIDs: []string{"eu-west-1_Ab12Cd34E"}, AppClientIDs: []string{"client1"}},
			"other": {},
		}, index)
		_, _, err = r.Index(ctx, version)
		assert.ErrorIs(t, err, tenant.ErrUnchanged)
		_, again, err := r.Index(ctx, `"an older etag"`)
		require.NoError(t, err)
		assert.Equal(t, version, again)
	})
	t.Run("case=missing index is empty", func(t *testing.T) {
		index, version, err := remote(t, endpoint, "elsewhere/").Index(ctx, "")
		require.NoError(t, err)
		assert.Empty(t, index)
		assert.Empty(t, version)
	})
	t.Run("case=index gone after one was read is an error", func(t *testing.T) {
		etag := b.putJSON("vanish/_index.json", map[string]any{"format": 1, "tenants": map[string]any{"acme": map[string]any{}}})
		r := remote(t, endpoint, "vanish/")
		_, version, err := r.Index(ctx, "")
		require.NoError(t, err)
		require.Equal(t, etag, version)
		_, err = b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("vanish/_index.json")})
		require.NoError(t, err)
		// The Store keeps the index it has: never "every tenant removed".
		_, _, err = r.Index(ctx, version)
		var api *tenants3.APIError
		require.ErrorAs(t, err, &api)
		assert.Equal(t, http.StatusNotFound, api.StatusCode)
		// Nothing read yet: still no tenants in S3.
		index, version, err := r.Index(ctx, "")
		require.NoError(t, err)
		assert.Empty(t, index)
		assert.Empty(t, version)
	})
	t.Run("case=missing bucket is an error", func(t *testing.T) {
		env := map[string]string{tenants3.EnvURL: "s3://no-such-bucket/", "AWS_ENDPOINT_URL_S3": endpoint, "AWS_REGION": "us-east-1",
			"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
		r, err := tenants3.New(func(name string) string { return env[name] })
		require.NoError(t, err)
		_, _, err = r.Index(ctx, "")
		assert.ErrorContains(t, err, "NoSuchBucket")
	})
	t.Run("case=unknown index format refused", func(t *testing.T) {
		b.putJSON("v2/_index.json", map[string]any{"format": 2, "tenants": map[string]any{}})
		_, _, err := remote(t, endpoint, "v2/").Index(ctx, "")
		assert.ErrorContains(t, err, "format 2")
	})
	t.Run("case=folder read, then 304", func(t *testing.T) {
		fsys, version, err := r.Folder(ctx, "acme", "")
		require.NoError(t, err)
		assert.NotEmpty(t, version)
		assert.Equal(t, acme, readAll(t, fsys))
		assert.False(t, pushChecked(fsys), "a manifest without \"checked\"")
		_, _, err = r.Folder(ctx, "acme", version)
		assert.ErrorIs(t, err, tenant.ErrUnchanged)
	})
	t.Run("case=a changed file", func(t *testing.T) {
		b.push("changed/", "acme", acme)
		r := remote(t, endpoint, "changed/")
		_, version, err := r.Folder(ctx, "acme", "")
		require.NoError(t, err)
		changed := map[string]string{"tenant.json": acme["tenant.json"], "locales/de.json": `{"reset.subject":"Neues Passwort"}`}
		b.push("changed/", "acme", changed)
		fsys, now, err := r.Folder(ctx, "acme", version)
		require.NoError(t, err)
		assert.NotEqual(t, version, now)
		assert.Equal(t, changed, readAll(t, fsys), "the manifest's files only: reset.html.tmpl is no longer listed")
	})
	t.Run("case=push-checked", func(t *testing.T) {
		b.pushManifest("checked/", "acme", acme, func(doc map[string]any) { doc["checked"] = checked(acme) })
		fsys, _, err := remote(t, endpoint, "checked/").Folder(ctx, "acme", "")
		require.NoError(t, err)
		assert.Equal(t, acme, readAll(t, fsys))
		assert.True(t, pushChecked(fsys))
	})
	t.Run("case=a file edited behind push is not push-checked", func(t *testing.T) {
		// Edited in S3 by hand, its manifest's ETag updated to match and
		// "checked" left as push wrote it: served, but checked in full.
		etags := b.pushManifest("edited/", "acme", acme, func(doc map[string]any) { doc["checked"] = checked(acme) })
		etags["locales/de.json"] = b.put("edited/acme/locales/de.json", `{"reset.subject":"von Hand"}`)
		b.putJSON("edited/_manifests/acme.json", map[string]any{"format": 1, "tenant": "acme", "files": etags, "checked": checked(acme)})
		fsys, _, err := remote(t, endpoint, "edited/").Folder(ctx, "acme", "")
		require.NoError(t, err)
		assert.Equal(t, `{"reset.subject":"von Hand"}`, readAll(t, fsys)["locales/de.json"])
		assert.False(t, pushChecked(fsys))
	})
	t.Run("case=a checked digest of other templates is not push-checked", func(t *testing.T) {
		b.pushManifest("othertemplates/", "acme", acme, func(doc map[string]any) { doc["checked"] = strings.Repeat("0", 64) })
		fsys, _, err := remote(t, endpoint, "othertemplates/").Folder(ctx, "acme", "")
		require.NoError(t, err)
		assert.False(t, pushChecked(fsys))
	})
	t.Run("case=a file replaced behind its manifest (412)", func(t *testing.T) {
		b.push("replaced/", "acme", acme)
		b.put("replaced/acme/locales/de.json", `{"reset.subject":"halb hochgeladen"}`)
		_, _, err := remote(t, endpoint, "replaced/").Folder(ctx, "acme", "")
		var api *tenants3.APIError
		require.ErrorAs(t, err, &api)
		assert.Equal(t, http.StatusPreconditionFailed, api.StatusCode)
		assert.Contains(t, err.Error(), "s3://"+bucket+"/replaced/acme/locales/de.json", "the error names the object")
	})
	t.Run("case=a listed file missing", func(t *testing.T) {
		b.putJSON("gone/_manifests/acme.json", map[string]any{"format": 1, "tenant": "acme", "files": map[string]string{"tenant.json": `"0123"`}})
		_, _, err := remote(t, endpoint, "gone/").Folder(ctx, "acme", "")
		var api *tenants3.APIError
		require.ErrorAs(t, err, &api)
		assert.Equal(t, http.StatusNotFound, api.StatusCode)
	})
	t.Run("case=no manifest", func(t *testing.T) {
		_, _, err := r.Folder(ctx, "other", "")
		assert.Error(t, err)
		assert.NotErrorIs(t, err, tenant.ErrUnchanged)
	})
	t.Run("case=another tenant's manifest", func(t *testing.T) {
		b.putJSON("mixed/_manifests/acme.json", map[string]any{"format": 1, "tenant": "globex", "files": map[string]string{"tenant.json": `"0123"`}})
		_, _, err := remote(t, endpoint, "mixed/").Folder(ctx, "acme", "")
		assert.ErrorContains(t, err, `"globex"`)
	})
	t.Run("case=a manifest path out of the folder", func(t *testing.T) {
		b.putJSON("escape/_manifests/acme.json", map[string]any{"format": 1, "tenant": "acme",
			"files": map[string]string{"tenant.json": `"0123"`, "../globex/tenant.json": `"4567"`}})
		_, _, err := remote(t, endpoint, "escape/").Folder(ctx, "acme", "")
		assert.ErrorContains(t, err, "not a file path")
	})
	t.Run("case=a file too big", func(t *testing.T) {
		b.push("big/", "acme", map[string]string{"tenant.json": `{"id":"acme"}`, "locales/de.json": string(make([]byte, 256<<10+1))})
		_, _, err := remote(t, endpoint, "big/").Folder(ctx, "acme", "")
		assert.ErrorContains(t, err, "more than")
	})
	t.Run("case=a shipped tenant served by a Store", func(t *testing.T) { storeServes(t, b, endpoint) })
	t.Run("case=not a tenant id", func(t *testing.T) {
		_, _, err := r.Folder(ctx, "../acme", "")
		assert.Error(t, err)
	})
}

// S3 out of reach costs an error, soon: never an answer's whole budget.
func TestUnreachable(t *testing.T) {
	env := func(endpoint string) func(string) string {
		m := map[string]string{tenants3.EnvURL: "s3://" + bucket + "/tenants/", "AWS_ENDPOINT_URL_S3": endpoint, "AWS_REGION": "us-east-1",
			"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
		return func(name string) string { return m[name] }
	}

	t.Run("case=closed port", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		closed := "http://" + l.Addr().String()
		require.NoError(t, l.Close())
		r, err := tenants3.New(env(closed))
		require.NoError(t, err)
		// Bounded by the test's own context only: a refused connection
		// ends the GET, with two quick retries.
		_, _, err = r.Index(t.Context(), "")
		assert.ErrorContains(t, err, "refused")
		_, _, err = r.Folder(t.Context(), "acme", "")
		assert.ErrorContains(t, err, "refused")
	})

	t.Run("case=context deadline honoured", func(t *testing.T) {
		// A server that accepts and never answers: only the context ends
		// the wait.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { _ = l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				t.Cleanup(func() { _ = c.Close() })
			}
		}()
		r, err := tenants3.New(env("http://" + l.Addr().String()))
		require.NoError(t, err)
		for _, call := range []struct {
			name string
			do   func(context.Context) error
		}{
			{"index", func(ctx context.Context) error { _, _, err := r.Index(ctx, ""); return err }},
			{"folder", func(ctx context.Context) error { _, _, err := r.Folder(ctx, "acme", `"etag"`); return err }},
		} {
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			start := time.Now()
			err := call.do(ctx)
			elapsed := time.Since(start)
			cancel()
			assert.ErrorIs(t, err, context.DeadlineExceeded, call.name)
			// Well under the transport's own 5 s wait for an answer's
			// headers, even on a loaded machine: the context ended it.
			assert.Less(t, elapsed, 4*time.Second, fmt.Sprintf("%s: %s", call.name, elapsed))
			assert.False(t, errors.Is(err, tenant.ErrUnchanged))
		}
	})
}
