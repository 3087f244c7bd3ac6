package tenantsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cogmail/cogmail/lambda/tenant"
)

// Sync reads and writes one Target's tenants.
type Sync struct {
	S3 *s3.Client
	To Target
}

// NewClient is an S3 client configured as the AWS CLI is (environment,
// then profile). An endpoint from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL
// (a local S3 such as moto_server) is addressed path-style.
func NewClient(ctx context.Context) (*s3.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if o.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
		Configure(o)
	}), nil
}

// Configure makes PUTs single-part with no trailing checksum, so that an
// object's ETag is its MD5 (sameAsETag) on any S3 implementation.
func Configure(o *s3.Options) {
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
}

// errNotFound is a missing key.
var errNotFound = errors.New("no such key")

func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// get reads key; ifMatch, when set, is the ETag it must still have (a
// manifest's), so a file replaced since is an error, not a mix of versions.
func (s *Sync) get(ctx context.Context, key, ifMatch string) ([]byte, string, error) {
	in := &s3.GetObjectInput{Bucket: &s.To.Bucket, Key: &key}
	if ifMatch != "" {
		in.IfMatch = &ifMatch
	}
	out, err := s.S3.GetObject(ctx, in)
	if err != nil {
		var noKey *types.NoSuchKey
		switch {
		case errors.As(err, &noKey):
			// Only a missing key: a missing bucket (also a 404) is an
			// error, or a typo would read as "no tenants yet".
			return nil, "", fmt.Errorf("s3://%s/%s: %w", s.To.Bucket, key, errNotFound)
		case status(err) == http.StatusPreconditionFailed:
			return nil, "", fmt.Errorf("s3://%s/%s changed since its manifest was written (a push under way?): try again", s.To.Bucket, key)
		}
		return nil, "", fmt.Errorf("reading s3://%s/%s: %w", s.To.Bucket, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, "", fmt.Errorf("reading s3://%s/%s: %w", s.To.Bucket, key, err)
	}
	return data, aws.ToString(out.ETag), nil
}

// put writes key and returns the ETag S3 gave it.
func (s *Sync) put(ctx context.Context, key string, data []byte) (string, error) {
	contentType := "text/plain; charset=utf-8"
	if strings.HasSuffix(key, ".json") {
		contentType = "application/json"
	}
	out, err := s.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.To.Bucket, Key: &key, Body: bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))), ContentType: &contentType,
	})
	if err != nil {
		return "", fmt.Errorf("writing s3://%s/%s: %w", s.To.Bucket, key, err)
	}
	return aws.ToString(out.ETag), nil
}

func (s *Sync) remove(ctx context.Context, key string) error {
	if _, err := s.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.To.Bucket, Key: &key}); err != nil {
		return fmt.Errorf("deleting s3://%s/%s: %w", s.To.Bucket, key, err)
	}
	return nil
}

// list returns the objects under prefix: key relative to it → ETag.
func (s *Sync) list(ctx context.Context, prefix string) (map[string]string, error) {
	out := map[string]string{}
	p := s3.NewListObjectsV2Paginator(s.S3, &s3.ListObjectsV2Input{Bucket: &s.To.Bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing s3://%s/%s: %w", s.To.Bucket, prefix, err)
		}
		for _, o := range page.Contents {
			out[strings.TrimPrefix(aws.ToString(o.Key), prefix)] = aws.ToString(o.ETag)
		}
	}
	return out, nil
}

// ReadIndex reads the index and its stored bytes; none yet is an empty
// index (no tenants in S3).
func (s *Sync) ReadIndex(ctx context.Context) (Index, []byte, error) {
	ix, data, _, err := s.readIndex(ctx)
	return ix, data, err
}

// readIndex is ReadIndex with the index's ETag, "" when there is none.
func (s *Sync) readIndex(ctx context.Context) (Index, []byte, string, error) {
	data, etag, err := s.get(ctx, s.To.index(), "")
	if errors.Is(err, errNotFound) {
		return Index{Format: Format, Tenants: map[string]tenant.Match{}}, nil, "", nil
	}
	if err != nil {
		return Index{}, nil, "", err
	}
	ix, err := decodeIndex(data)
	return ix, data, etag, err
}

// errIndexChanged is a conditional write of the index that S3 refused: it
// changed (or appeared) since it was read.
var errIndexChanged = errors.New("the index changed since it was read")

// putIndex writes the index only if it is still the one read: If-Match its
// ETag, or If-None-Match "*" when there was none. Two pushes or removals
// at once then cannot lose one's update: the later one is refused (412,
// or 409 when S3 was still writing the other) instead of overwriting.
func (s *Sync) putIndex(ctx context.Context, data []byte, etag string) error {
	key := s.To.index()
	in := &s3.PutObjectInput{
		Bucket: &s.To.Bucket, Key: &key, Body: bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))), ContentType: aws.String("application/json"),
	}
	if etag != "" {
		in.IfMatch = &etag
	} else {
		in.IfNoneMatch = aws.String("*")
	}
	_, err := s.S3.PutObject(ctx, in)
	switch code := status(err); {
	case err == nil:
		return nil
	case code == http.StatusPreconditionFailed || code == http.StatusConflict:
		return fmt.Errorf("writing s3://%s/%s: %w", s.To.Bucket, key, errIndexChanged)
	}
	return fmt.Errorf("writing s3://%s/%s: %w", s.To.Bucket, key, err)
}

// updateIndex reads the index, applies change and writes the result
// conditionally (putIndex); when another command changed the index
// meanwhile, it reads it again and retries once. It reports whether it
// wrote: an unchanged index is not written again.
func (s *Sync) updateIndex(ctx context.Context, change func(Index) (Index, error)) (Index, bool, error) {
	for attempt := 1; ; attempt++ {
		ix, raw, etag, err := s.readIndex(ctx)
		if err != nil {
			return Index{}, false, err
		}
		next, err := change(ix)
		if err != nil {
			return Index{}, false, err
		}
		data := encode(next)
		if bytes.Equal(data, raw) {
			return next, false, nil
		}
		err = s.putIndex(ctx, data, etag)
		if !errors.Is(err, errIndexChanged) {
			return next, err == nil, err
		}
		if attempt == 2 {
			return Index{}, false, fmt.Errorf("%w twice: another push or rm of %s is under way; run this again when it is done", err, s.To)
		}
	}
}

// readManifest reads a tenant's manifest; found is false when it has none.
func (s *Sync) readManifest(ctx context.Context, id string) (m Manifest, raw []byte, found bool, err error) {
	raw, _, err = s.get(ctx, s.To.manifest(id), "")
	if errors.Is(err, errNotFound) {
		return Manifest{}, nil, false, nil
	}
	if err != nil {
		return Manifest{}, nil, false, err
	}
	m, err = decodeManifest(id, raw)
	return m, raw, err == nil, err
}

// remote reads a tenant's files as its manifest lists them, each as it was
// when the manifest was written (If-Match).
func (s *Sync) remote(ctx context.Context, id string, m Manifest, paths []string) (Folder, error) {
	f := Folder{}
	for _, p := range paths {
		data, _, err := s.get(ctx, s.To.file(id, p), m.Files[p])
		if err != nil {
			return nil, err
		}
		f[p] = data
	}
	return f, nil
}
