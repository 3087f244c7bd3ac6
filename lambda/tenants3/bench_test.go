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

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/tenants3"
)

// benchTenants is how many tenants the bucket holds: issue 14's 10,000.
const benchTenants = 10000

// uncheckedTenants are uploaded without push's digest: the function checks
// each itself.
const uncheckedTenants = 300

func benchID(i int) string { return fmt.Sprintf("t%05d", i) }

// BenchmarkS3 is the trigger with 10,000 tenants in moto_server's S3, each
// with its own pool, app client and attribute value in the index. moto
// answers on 127.0.0.1: its times stand for S3's only roughly (S3 in the
// function's region answers a small GET in about 10–30 ms).
func BenchmarkS3(b *testing.B) {
	endpoint, bs := newBucket(b)
	fill(bs)
	env := map[string]string{
		tenants3.EnvURL: "s3://" + bucket + "/many/", "AWS_ENDPOINT_URL_S3": endpoint,
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
	}
	withS3 := func(name string) string { return env[name] }
	embedded := func(string) string { return "" }
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	ctx := context.Background()
	event := benchEvent

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
	// then the event's tenant (manifest and files), checks its own files
	// (push's digest matches: no matrix) and writes the email.
	b.Run("FirstEvent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			h := handler.Setup(ctx, withS3, logger)
			b.StartTimer()
			invoke(b, h, event(benchTenants-1))
		}
	})
	// A tenant's first message, the index already read: push checked it
	// (its manifest's digest matches), so the function reads its files and
	// checks them, and renders no matrix.
	b.Run("TenantFirstMessage/pushed", func(b *testing.B) { firstMessages(b, withS3, benchTenants-templated) })
	// The same for tenants uploaded by hand: the function renders every
	// message in both languages through the gate before serving one.
	b.Run("TenantFirstMessage/unchecked", func(b *testing.B) {
		raw := map[string]string{}
		for k, v := range env {
			raw[k] = v
		}
		raw[tenants3.EnvURL] = "s3://" + bucket + "/raw/"
		firstMessages(b, func(name string) string { return raw[name] }, uncheckedTenants)
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
	// The heap after 1,000 distinct tenants served, against the heap after
	// one: plain tenants, all kept (the cache's 1,000 units), and tenants
	// with templates of their own, of which 20 are kept (50 units each).
	b.Run("Heap1000Tenants/plain", func(b *testing.B) { heap1000(b, withS3, 0) })
	b.Run("Heap1000Tenants/templated", func(b *testing.B) { heap1000(b, withS3, benchTenants-templated) })
}

// firstMessages is the first message of tenant after tenant, from 1 to n-1
// (0 read the index), a fresh handler when all were seen.
func firstMessages(b *testing.B, getenv func(string) string, n int) {
	ctx := context.Background()
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h := handler.Setup(ctx, getenv, logger)
	invoke(b, h, benchEvent(0))
	events := make([][]byte, n)
	for i := range events {
		events[i] = benchEvent(i)
	}
	b.ReportAllocs()
	i := 1
	for b.Loop() {
		if i == n {
			b.StopTimer()
			h, i = handler.Setup(ctx, getenv, logger), 1
			invoke(b, h, events[0])
			b.StartTimer()
		}
		invoke(b, h, events[i])
		i++
	}
}

// heap1000 serves tenants from..from+999 and reports the live heap.
func heap1000(b *testing.B, getenv func(string) string, from int) {
	ctx := context.Background()
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	events := make([][]byte, 1000)
	for i := range events {
		events[i] = benchEvent(from + i)
	}
	var one, thousand uint64
	for b.Loop() {
		b.StopTimer()
		h := handler.Setup(ctx, getenv, logger)
		invoke(b, h, events[0])
		one = heap()
		b.StartTimer()
		for _, e := range events[1:] {
			invoke(b, h, e)
		}
		b.StopTimer()
		thousand = heap()
		runtime.KeepAlive(h)
		b.StartTimer()
	}
	b.ReportMetric(float64(one)/(1<<20), "MB-heap-1")
	b.ReportMetric(float64(thousand)/(1<<20), "MB-heap-1000")
}

func benchEvent(i int) []byte { return resetEvent("eu-west-1_"+poolSuffix(benchID(i)), "", "") }

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

// templated are the last tenants of the bucket: each with a footer
// override and a German catalog of its own, the tenants whose parsed
// templates cost the renderer most (tenant.TemplateWeight).
const templated = 1000

// files is tenant i's folder.
func files(i int) map[string]string {
	id := benchID(i)
	f := map[string]string{"tenant.json": s3Tenant(id, "Product "+id)}
	if i >= benchTenants-templated {
		f["footer.tmpl"] = `{{define "footer"}}<p>{{.Brand.ProductName}}, Musterstraße 1, 10115 Berlin</p>{{end}}`
		f["locales/de.json"] = `{"reset.heading": "Passwort neu setzen"}`
	}
	return f
}

// fill uploads benchTenants tenants under many/ as push does (manifests
// with what push checked) and, under raw/, uncheckedTenants more without,
// as a hand-made upload would be; several at a time.
func fill(bs bucketS3) {
	type job struct {
		prefix string
		i      int
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for j := range jobs {
				f := files(j.i)
				if j.prefix == "raw/" {
					bs.push(j.prefix, benchID(j.i), f)
					continue
				}
				bs.pushManifest(j.prefix, benchID(j.i), f, func(m map[string]any) { m["checked"] = checked(f) })
			}
		})
	}
	all := make([]string, benchTenants)
	for i := range benchTenants {
		jobs <- job{"many/", i}
		all[i] = benchID(i)
	}
	for i := range uncheckedTenants {
		jobs <- job{"raw/", i}
	}
	close(jobs)
	wg.Wait()
	bs.putJSON("many/_index.json", index(all...))
	bs.putJSON("raw/_index.json", index(all[:uncheckedTenants]...))
}
