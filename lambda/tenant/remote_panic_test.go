package tenant_test

import (
	"context"
	"io/fs"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/tenant"
)

// pii stands for what a panic's value might carry: it must reach no log.
const pii = "jane.doe@example.com"

// panicFS panics on every read, as a buggy remote FS might while parsed.
type panicFS struct{}

func (panicFS) Open(string) (fs.File, error) { panic(pii) }

// panicIndex is a remote whose Index panics while panicking is set.
type panicIndex struct {
	*memRemote
	panicking atomic.Bool
}

func (p *panicIndex) Index(ctx context.Context, have string) (tenant.RemoteIndex, string, error) {
	if p.panicking.Load() {
		values := []string{pii}
		_ = values[len(values)+len(have)] // a runtime error
	}
	return p.memRemote.Index(ctx, have)
}

func TestRemotePanic(t *testing.T) {
	t.Run("case=a panic in Accept is a refusal and frees the entry", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "Acme", tenant.Match{}))
		s := newRemoteStore(m, tenant.RemoteOptions{Accept: func(tn *tenant.Tenant) error {
			if tn.DisplayName == "Boom" {
				panic(pii)
			}
			return nil
		}})
		good, err := s.Get("acme")
		require.NoError(t, err)
		m.put(t, named("acme", "Boom", tenant.Match{}))
		s.clock.add(every)
		got, err := s.Get("acme")
		require.NoError(t, err)
		assert.Same(t, good, got, "the last good version stays")
		evicted, refused, log := s.told()
		assert.Equal(t, []string{"acme"}, refused)
		assert.Contains(t, log, `msg="tenant version refused" tenant=acme`)
		assert.Contains(t, log, "panic: string at remote_panic_test.go:")
		assert.NotContains(t, log, pii)
		require.Len(t, evicted, 1, "Accept saw the refused version")
		assert.Equal(t, "Boom", evicted[0].DisplayName)

		m.put(t, named("acme", "Acme Rockets", tenant.Match{}))
		s.clock.add(every)
		got, err = s.Get("acme") // would wait forever on a busy entry
		require.NoError(t, err)
		assert.Equal(t, "Acme Rockets", got.DisplayName)
	})
	t.Run("case=a panic while parsing is a refusal and frees the entry", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, valid("acme"))
		var bad atomic.Bool
		bad.Store(true)
		m.wrap = func(_ string, files fstest.MapFS) fs.FS {
			if bad.Load() {
				return panicFS{}
			}
			return files
		}
		s := newRemoteStore(m, tenant.RemoteOptions{}, tree(t, named("acme", "From folder", tenant.Match{})))
		got, err := s.Get("acme")
		require.NoError(t, err)
		assert.Equal(t, "From folder", got.DisplayName)
		evicted, refused, log := s.told()
		assert.Equal(t, []string{"acme"}, refused)
		assert.Empty(t, evicted, "nothing parsed, nothing to forget")
		assert.Contains(t, log, "panic: string")
		assert.NotContains(t, log, pii)

		bad.Store(false)
		m.put(t, named("acme", "From S3", tenant.Match{}))
		s.clock.add(every)
		got, err = s.Get("acme")
		require.NoError(t, err)
		assert.Equal(t, "From S3", got.DisplayName)
	})
	t.Run("case=a panic in Index is the store unreachable", func(t *testing.T) {
		m := newMemRemote()
		m.put(t, named("acme", "Acme", pools("eu-west-1_PoolA")))
		p := &panicIndex{memRemote: m}
		p.panicking.Store(true)
		s := newRemoteStore(m, tenant.RemoteOptions{Remote: p}, tree(t, valid("default")))
		res, err := s.Resolve(tenant.Route{UserPoolID: "eu-west-1_PoolA"})
		require.NoError(t, err)
		assert.Equal(t, tenant.DefaultID, res.ID)
		_, _, log := s.told()
		assert.Contains(t, log, `msg="tenant store unreachable" object=index`)
		assert.Contains(t, log, "index out of range")
		assert.NotContains(t, log, pii)

		p.panicking.Store(false)
		s.clock.add(5 * time.Second)
		res, err = s.Resolve(tenant.Route{UserPoolID: "eu-west-1_PoolA"}) // would wait forever before the first index
		require.NoError(t, err)
		assert.Equal(t, "acme", res.ID)
	})
}

// count is how many lines of log hold msg.
func count(log, msg string) int { return strings.Count(log, `msg="`+msg+`"`) }
