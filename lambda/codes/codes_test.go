package codes_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/codes"
	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/dev/patience"
)

// class is err's class; it fails the test when err is no *codes.Error.
func class(t *testing.T, err error) codes.Class {
	t.Helper()
	var e *codes.Error
	require.ErrorAs(t, err, &e)
	return e.Class
}

// Both shapes decrypt: real Cognito's (message format 1, a suite without
// key commitment, userpool-id in the context) and cognito-local's (format
// 2, committing suite, two data keys, no pool); a message whose context
// names another pool is refused.
func TestDecrypt(t *testing.T) {
	s := startKMS(t)
	d := decrypter(t, s.endpoint, s.key)
	ctx := context.Background()
	cognito := s.encrypt(t, "cognito", s.key, pool, "123456", "Tmp&lt;7x&gt;Pq2!")
	// cognito-local generates the data key through the key's alias
	// (KMSConfig.KMSKeyAlias), then wraps it under the key again.
	alias := s.key[:strings.LastIndexByte(s.key, ':')+1] + "alias/cogmail-test"
	require.NoError(t, moto.KMS{Endpoint: s.endpoint, Region: region}.CreateAlias(ctx, "alias/cogmail-test", s.key))
	local := s.encryptArgs(t, []string{"--alias", alias}, "cognito-local", s.key, "", "654321")
	other := s.encrypt(t, "cognito", s.key, "eu-west-1_Zz99Yy88X", "111111")
	require.Equal(t, "AYAD", cognito[0][:4], "real Cognito's shape is message format 1")
	require.Equal(t, "AgV4", local[0][:4], "cognito-local's shape is message format 2")

	for _, c := range []struct {
		name, ciphertext, pool, want string
	}{
		{"cognito shape", cognito[0], pool, "123456"},
		{"cognito shape, a temporary password as Cognito escapes it", cognito[1], pool, "Tmp&lt;7x&gt;Pq2!"},
		{"cognito-local shape: no pool in its context", local[0], pool, "654321"},
		{"cognito-local shape in any pool", local[0], "us-east-1_Q1w2E3r4T", "654321"},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			got, err := d.Decrypt(ctx, c.ciphertext, c.pool)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
	t.Run("case=another pool's code is refused", func(t *testing.T) {
		got, err := d.Decrypt(ctx, other[0], pool)
		assert.Empty(t, got)
		assert.Equal(t, codes.ClassWrongPool, class(t, err))
		assert.False(t, codes.Retryable(err))
		assert.NotContains(t, err.Error(), other[0][:16])
	})
}

// What never decrypts is dropped, not retried: garbage, a message under
// another key (the strict keyring never asks KMS), a tampered message.
func TestDecryptInvalid(t *testing.T) {
	s := startKMS(t)
	d := decrypter(t, s.endpoint, s.key)
	other := newKey(t, s.endpoint)
	underOther := s.encrypt(t, "cognito", other, pool, "123456")[0]
	good := s.encrypt(t, "cognito", s.key, pool, "123456")[0]
	raw, err := base64.StdEncoding.DecodeString(good)
	require.NoError(t, err)
	tamper := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		return base64.StdEncoding.EncodeToString(b)
	}
	for _, c := range []struct{ name, ciphertext string }{
		{"not base64", "not base64!"},
		{"empty", ""},
		{"the recorded events' placeholder", "UExBQ0VIT0xERVI6IG5vdCBhIGNpcGhlcnRleHQ7IHRlc3RzIGVuY3J5cHQgYSByZWFsIGNvZGU="},
		{"under another key", underOther},
		{"a byte of the body changed", tamper(len(raw) - 120)},
		{"a byte of the signature changed", tamper(len(raw) - 1)},
		{"too long", base64.StdEncoding.EncodeToString(make([]byte, codes.MaxCiphertext))},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			got, err := d.Decrypt(context.Background(), c.ciphertext, pool)
			assert.Empty(t, got)
			assert.Equal(t, codes.ClassInvalid, class(t, err), "%v", err)
			assert.False(t, codes.Retryable(err))
		})
	}
	t.Run("case=cut short anywhere", func(t *testing.T) {
		// The SDK reads the header, asks KMS for the data key, then reads
		// the body and the signature: a cut in each is invalid, no panic.
		for n := 1; n < len(raw); n += 5 {
			_, err := d.Decrypt(context.Background(), base64.StdEncoding.EncodeToString(raw[:n]), pool)
			assert.Equal(t, codes.ClassInvalid, class(t, err), "cut at %d of %d: %v", n, len(raw), err)
		}
	})
}

// How an answer of KMS's is classed: a refusal of the key is retryable (an
// operator can enable it, and the dead-letter queue's redrive then sends),
// throttling and failures are, a refusal of the ciphertext is not. moto
// answers every Decrypt whatever its key's state, so these answers come
// from an endpoint that gives KMS's error for every call (the JSON protocol's
// error shape), after the message was made under moto's key.
func TestDecryptKMSAnswers(t *testing.T) {
	s := startKMS(t)
	ciphertext := s.encrypt(t, "cognito", s.key, pool, "123456")[0]
	for _, c := range []struct {
		status int
		code   string
		want   codes.Class
	}{
		{400, "DisabledException", codes.ClassRefused},
		{400, "AccessDeniedException", codes.ClassRefused},
		{400, "KMSInvalidStateException", codes.ClassRefused},
		{400, "ThrottlingException", codes.ClassUnavailable},
		{500, "KMSInternalException", codes.ClassUnavailable},
		{400, "InvalidCiphertextException", codes.ClassInvalid},
		{400, "IncorrectKeyException", codes.ClassInvalid},
	} {
		t.Run("case="+c.code, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.Header().Set("X-Amzn-ErrorType", c.code)
				w.WriteHeader(c.status)
				fmt.Fprintf(w, `{"__type":%q,"message":"refused"}`, c.code)
			}))
			t.Cleanup(srv.Close)
			_, err := decrypter(t, srv.URL, s.key).Decrypt(context.Background(), ciphertext, pool)
			assert.Equal(t, c.want, class(t, err), "%v", err)
			assert.Equal(t, c.want != codes.ClassInvalid, codes.Retryable(err))
			assert.Contains(t, err.Error(), c.code)
		})
	}
}

// KMS unreachable is retryable and bounded in time: an endpoint nobody
// listens on, one that accepts and never answers (the HTTP client's
// timeouts end it, since the SDK passes no deadline), and the caller's
// deadline, which reaches the KMS call.
func TestDecryptUnreachable(t *testing.T) {
	s := startKMS(t)
	ciphertext := s.encrypt(t, "cognito", s.key, pool, "123456")[0]

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedURL := "http://" + closed.Addr().String()
	require.NoError(t, closed.Close())

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { silent.Close() })
	go func() {
		var held []net.Conn // accepted, never answered
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	silentURL := "http://" + silent.Addr().String()

	for _, c := range []struct {
		name     string
		endpoint string
		deadline time.Duration // 0: none
		within   time.Duration // the bound the code sets, before slack for a busy machine
	}{
		{"nobody listens", closedURL, 0, codes.MaxKMSWait},
		{"nobody answers", silentURL, 0, codes.MaxKMSWait},
		{"nobody answers, the caller's deadline first", silentURL, 300 * time.Millisecond, 300 * time.Millisecond},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			d := decrypter(t, c.endpoint, s.key)
			ctx := context.Background()
			if c.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, c.deadline)
				defer cancel()
			}
			start := time.Now()
			_, err := d.Decrypt(ctx, ciphertext, pool)
			took := time.Since(start)
			assert.Equal(t, codes.ClassUnavailable, class(t, err), "%v", err)
			assert.True(t, codes.Retryable(err))
			// Timeouts do not slow down with the machine; the slack is
			// for the rest of the work.
			assert.Less(t, took, c.within+patience.For(300*time.Millisecond), "took %v", took)
		})
	}
}

func TestKeyARN(t *testing.T) {
	for _, c := range []struct{ arn, err string }{
		{"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", ""},
		{"arn:aws:kms:eu-west-1:123456789012:alias/cogmail", "alias"},
		{"1234abcd-12ab-34cd-56ef-1234567890ab", "not an ARN"},
		{"alias/cogmail", "not an ARN"},
		{"arn:aws:sns:eu-west-1:123456789012:key/x", "not a KMS ARN"},
		{"arn:aws:kms:eu-west-1:123456789012:key/", "not a key ARN"},
	} {
		t.Run("case="+c.arn, func(t *testing.T) {
			err := codes.KeyARN(c.arn)
			if c.err == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, c.err)
			_, nerr := codes.New(aws.Config{}, c.arn)
			assert.Error(t, nerr)
		})
	}
}

func TestRetryable(t *testing.T) {
	assert.False(t, codes.Retryable(nil))
	assert.True(t, codes.Retryable(errors.New("anything else")))
	assert.True(t, codes.Retryable(&codes.Error{Class: codes.ClassRefused}))
	assert.False(t, codes.Retryable(&codes.Error{Class: codes.ClassInvalid}))
}
