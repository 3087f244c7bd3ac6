package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// fixKeysNow sets the keys commands' clock for one test.
func fixKeysNow(t *testing.T, at time.Time) {
	t.Helper()
	old := keysNow
	keysNow = func() time.Time { return at }
	t.Cleanup(func() { keysNow = old })
}

// keysRing is what the keys commands print, parsed.
type keysRing struct {
	Current string            `json:"current"`
	Keys    map[string]string `json:"keys"`
	Added   map[string]string `json:"added"`
}

func parseKeysOut(t *testing.T, out string) keysRing {
	t.Helper()
	require.True(t, strings.HasSuffix(out, "}\n"), "one JSON object and a newline: %q", out)
	_, err := link.ParseKeyring([]byte(out))
	require.NoError(t, err, "the output is a keyring the functions read")
	var r keysRing
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	return r
}

// A rotation by hand, through files and stdin: new, add, promote, retire.
func TestKeysRotation(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	fixKeysNow(t, t0)
	code, ring, errOut := cli(t, env(nil), "", "keys", "new")
	require.Equal(t, 0, code, errOut)
	first := parseKeysOut(t, ring).Current

	file := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(file, []byte(ring), 0o600))
	code, ring, errOut = cli(t, env(nil), "", "keys", "add", file)
	require.Equal(t, 0, code, errOut)
	r := parseKeysOut(t, ring)
	assert.Equal(t, first, r.Current)
	require.Len(t, r.Keys, 2)
	var second string
	for kid := range r.Keys {
		if kid != first {
			second = kid
		}
	}
	assert.Contains(t, errOut, `added key "`+second+`"`)
	assert.Contains(t, errOut, "2026-12-07T12:00:00Z", "says from when it may be promoted")
	assert.NotContains(t, errOut, r.Keys[second], "no key on stderr")

	code, out, errOut := cli(t, env(nil), ring, "keys", "promote", second)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "-force")

	fixKeysNow(t, t0.Add(keys.DefaultOverlap))
	code, ring, errOut = cli(t, env(nil), ring, "keys", "promote", second, "-")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, second, parseKeysOut(t, ring).Current)

	code, ring, errOut = cli(t, env(nil), ring, "keys", "retire", first)
	require.Equal(t, 0, code, errOut)
	r = parseKeysOut(t, ring)
	assert.Equal(t, map[string]string{second: "2026-11-30T12:00:00Z"}, r.Added)
	assert.Len(t, r.Keys, 1)
}

func TestKeysRefusals(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	fixKeysNow(t, t0)
	good := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	other := base64.StdEncoding.EncodeToString([]byte("fedcba9876543210fedcba9876543210"))
	twoKeys := `{"current":"k1","keys":{"k1":"` + good + `","k2":"` + other + `"},"added":{"k2":"2026-11-29T12:00:00Z"}}`
	noAdded := `{"current":"k1","keys":{"k1":"` + good + `","k2":"` + other + `"}}`
	weak := `{"current":"k1","keys":{"k1":"` + base64.StdEncoding.EncodeToString(make([]byte, 32)) + `"}}`
	for _, tc := range []struct {
		name    string
		stdin   string
		args    []string
		code    int
		err     string // in stderr
		current string // with code 0: the output's current key
	}{
		{"promote too soon", twoKeys, []string{"promote", "k2"}, 1, "it may become current from 2026-12-06T12:00:00Z", ""},
		{"promote, shorter overlap", twoKeys, []string{"promote", "-overlap", "1d", "k2"}, 0, "", "k2"},
		{"promote, overlap in hours", twoKeys, []string{"promote", "-overlap", "25h", "k2"}, 1, "less than 25h0m0s ago", ""},
		{"promote, forced", twoKeys, []string{"promote", "-force", "k2"}, 0, "", "k2"},
		{"promote, no added time", noAdded, []string{"promote", "k2"}, 1, "-force promotes it now", ""},
		{"promote, no added time, forced", noAdded, []string{"promote", "-force", "k2"}, 0, "", "k2"},
		{"promote, unknown kid", twoKeys, []string{"promote", "-force", "k9"}, 1, `no such key in the keyring: "k9"`, ""},
		{"promote, bad overlap", twoKeys, []string{"promote", "-overlap", "a week", "k2"}, 2, "want a whole number of days", ""},
		{"promote, no kid", twoKeys, []string{"promote"}, 2, "give the key's id", ""},
		{"retire current", twoKeys, []string{"retire", "k1"}, 1, "the current key cannot be retired", ""},
		{"retire unknown", twoKeys, []string{"retire", "k9"}, 1, `"k9"`, ""},
		{"retire, no kid", twoKeys, []string{"retire"}, 2, "give the key's id", ""},
		{"add weak", weak, []string{"add"}, 1, `key "k1" is one byte repeated`, ""},
		{"add development", keys.DevelopmentJSON, []string{"add"}, 1, "development key", ""},
		{"add, no such file", "", []string{"add", "no-such-file.json"}, 1, "no-such-file.json", ""},
		{"add, two files", "", []string{"add", "a.json", "b.json"}, 2, "one keyring file at most", ""},
		{"new, an argument", "", []string{"new", "x"}, 2, "no arguments", ""},
		{"no subcommand", "", nil, 2, "give one of new, add, promote, retire", ""},
		{"unknown subcommand", "", []string{"rotate"}, 2, `unknown command "rotate"`, ""},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, env(nil), tc.stdin, append([]string{"keys"}, tc.args...)...)
			assert.Equal(t, tc.code, code, errOut)
			assert.Contains(t, errOut, tc.err)
			assert.NotContains(t, errOut, strings.TrimRight(good, "="), "no key on stderr")
			if tc.code != 0 {
				assert.Empty(t, out)
				return
			}
			assert.Equal(t, tc.current, parseKeysOut(t, out).Current)
		})
	}
}

func TestKeysHelp(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		out  string
	}{
		{"keys -h", []string{"keys", "-h"}, "cogmail keys retire KID"},
		{"help keys", []string{"help", "keys"}, "cogmail keys promote [-overlap D]"},
		{"cogmail -h", []string{"-h"}, "cogmail keys new"},
		{"new -h", []string{"keys", "new", "-h"}, "cogmail keys new"},
		{"add -h", []string{"keys", "add", "-h"}, "cogmail keys add [FILE|-]"},
		{"promote -h", []string{"keys", "promote", "-h"}, "-overlap D"},
		{"retire --help", []string{"keys", "retire", "--help"}, "cogmail keys retire KID"},
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
