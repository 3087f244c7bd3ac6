package userattr_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	// Every test binary accepts -update (go test ./... -update).
	_ "github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/internal/userattr"
)

func TestName(t *testing.T) {
	for _, c := range []struct {
		name  string
		attrs map[string]string
		want  string
	}{
		{"given_name first", map[string]string{"given_name": "Ada", "name": "Ada Lovelace"}, "Ada"},
		{"else name", map[string]string{"name": "Ada Lovelace"}, "Ada Lovelace"},
		{"an empty given_name", map[string]string{"given_name": "", "name": "Ada Lovelace"}, "Ada Lovelace"},
		{"neither", nil, ""},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			assert.Equal(t, c.want, userattr.Name(c.attrs))
		})
	}
}

func TestZone(t *testing.T) {
	for zoneinfo, want := range map[string]string{
		"Europe/Berlin": "Europe/Berlin", "America/Argentina/Buenos_Aires": "America/Argentina/Buenos_Aires",
		"": "UTC", "Local": "UTC", "Mars/Olympus": "UTC", "../../etc/passwd": "UTC", "/etc/localtime": "UTC",
		" Asia/Tokyo ": "Asia/Tokyo", strings.Repeat("A", 100): "UTC",
	} {
		t.Run("case="+zoneinfo, func(t *testing.T) {
			assert.Equal(t, want, userattr.Zone(zoneinfo).String())
		})
	}
}
