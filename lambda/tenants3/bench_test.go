package tenants3_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/tenants3"
)

// benchTenants is how many tenants the bucket holds: issue 14's 10,000.
const benchTenants = 10000

func benchID(i int) string { return fmt.Sprintf("t%05d", i) }

// BenchmarkS3 is the trigger with 10,000 tenants in moto_server's S3, each
// with its own pool, app client and attribute value in the index. moto
// answers on 127.0.0.1: its times stand for S3's only roughly (S3 in the
// function's region answers a small GET in about 10–30 ms).
func BenchmarkS3(b *testing.B) {
	endpoint := moto.Start(b)
	fill(b, endpoint)
	env := map[string]string{
		tenants3.EnvURL: "s3://" + bucket + "/many/", "AWS_ENDPOINT_URL_S3": endpoint,
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
	}
	withS3 := func(name string) string { return env[name] }
	embedded := func(string) string { return "" }
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	ctx := context.Background()
	event := func(i int) []byte { return resetEvent("eu-west-1_"+poolSuffix(benchID(i)), "", "") }

	// The cold start's own work with tenants in S3 and without: S3 is not
	// read before the first event.
	b.Run("ColdStart/embedded", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			handler.Setup(ctx, embedded, logger)
		}
	})
	b.Run("ColdStart/s3", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			handler.Setup(ctx, withS3, logger)
		}
	})
	// The first event after a cold start: reads the 10,000 tenants' index,
	// then the event's tenant (manifest and tenant.json), checks it (every
	// message in its two languages through the gate) and writes the email.
	b.Run("FirstEvent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			h := handler.Setup(ctx, withS3, logger)
			b.StartTimer()
			invoke(b, h, event(benchTenants-1))
		}
	})
	// A tenant's first message, the index already read.
	b.Run("TenantFirstMessage", func(b *testing.B) {
		h := handler.Setup(ctx, withS3, logger)
		invoke(b, h, event(0))
		b.ReportAllocs()
		i := 1
		for b.Loop() {
			if i == benchTenants {
				b.StopTimer()
				h, i = handler.Setup(ctx, withS3, logger), 1
				invoke(b, h, event(0))
				b.StartTimer()
			}
			invoke(b, h, event(i))
			i++
		}
	})
	// A later message of an embedded tenant, for comparison.
	b.Run("WarmMessage/embedded", func(b *testing.B) {
		h := handler.Setup(ctx, embedded, logger)
		acme := resetEvent("eu-west-1_Mn34Pq56R", "", "")
		invoke(b, h, acme)
		b.ReportAllocs()
		for b.Loop() {
			invoke(b, h, acme)
		}
	})
	// A later message of a tenant already read, within the interval.
	b.Run("WarmMessage/s3", func(b *testing.B) {
		h := handler.Setup(ctx, withS3, logger)
		e := event(42)
		invoke(b, h, e)
		b.ReportAllocs()
		for b.Loop() {
			invoke(b, h, e)
		}
	})
	// The heap after 1,000 distinct tenants served, all kept (the cache's
	// default bound), against the heap after one.
	b.Run("Heap1000Tenants", func(b *testing.B) {
		var one, thousand uint64
		for b.Loop() {
			b.StopTimer()
			h := handler.Setup(ctx, withS3, logger)
			invoke(b, h, event(0))
			one = heap()
			b.StartTimer()
			for i := 1; i < 1000; i++ {
				invoke(b, h, event(i))
			}
			b.StopTimer()
			thousand = heap()
			runtime.KeepAlive(h)
			b.StartTimer()
		}
		b.ReportMetric(float64(one)/(1<<20), "MB-heap-1")
		b.ReportMetric(float64(thousand)/(1<<20), "MB-heap-1000")
	})
}

func invoke(b *testing.B, h *handler.Handler, event []byte) {
	out, err := h.Invoke(context.Background(), event)
	if err != nil {
		b.Fatal(err)
	}
	if !bytes.Contains(out, []byte("Product t")) && !bytes.Contains(out, []byte("Acme Rockets")) {
		b.Fatalf("not the tenant's rich email: %.300s", out)
	}
}

// heap is the live heap after a collection.
func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// fill uploads benchTenants tenants and their index as push does, several
// at a time.
func fill(b *testing.B, endpoint string) {
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := client.CreateBucket(b.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		b.Fatal(err)
	}
	bs := bucketS3{t: b, client: client}
	ids := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range ids {
				id := benchID(i)
				bs.push("many/", id, map[string]string{"tenant.json": s3Tenant(id, "Product "+id)})
			}
		})
	}
	all := make([]string, benchTenants)
	for i := range benchTenants {
		ids <- i
		all[i] = benchID(i)
	}
	close(ids)
	wg.Wait()
	bs.putJSON("many/_index.json", index(all...))
}
