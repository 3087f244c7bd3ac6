package tenantenv_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	// Every test binary accepts -update (go test ./... -update).
	_ "github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/internal/tenantenv"
)

func TestLayers(t *testing.T) {
	for _, c := range []struct {
		name string
		dir  string
		want int
	}{
		{"embedded only", "", 1},
		{"an overlay first", t.TempDir(), 2},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			getenv := func(name string) string {
				if name == tenantenv.EnvTemplatesDir {
					return c.dir
				}
				return ""
			}
			assert.Len(t, tenantenv.Layers(getenv), c.want)
		})
	}
}

func TestPageBase(t *testing.T) {
	for _, c := range []struct {
		name     string
		raw      string
		inLambda bool
		want     string
		err      bool
	}{
		{"unset", "", true, "", false},
		{"https, trailing slash dropped", "https://account.acme.net/", true, "https://account.acme.net", false},
		{"http inside Lambda", "http://account.acme.net", true, "", true},
		{"a query", "https://account.acme.net/?a=b", true, "", true},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			got, err := tenantenv.PageBase(c.raw, c.inLambda, "/reset")
			assert.Equal(t, c.want, got)
			assert.Equal(t, c.err, err != nil, "error: %v", err)
		})
	}
}
