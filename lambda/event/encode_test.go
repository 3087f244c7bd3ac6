package event

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendQuoted(t *testing.T) {
	tests := []struct{ name, in, want, encoded string }{
		{"case=empty", "", "", `""`},
		{"case=plain", "Reset your password", "Reset your password", `"Reset your password"`},
		{"case=quote and backslash", `a"b\c`, `a"b\c`, `"a\"b\\c"`},
		{"case=short escapes", "a\nb\rc\td", "a\nb\rc\td", `"a\nb\rc\td"`},
		{"case=other control characters", "\x00\x01\b\f\x1f\x7f", "\x00\x01\b\f\x1f\x7f", `"\u0000\u0001\u0008\u000c\u001f` + "\x7f" + `"`},
		{"case=line and paragraph separators", "a\u2028b\u2029c", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"case=html unescaped", `<a href="?a=1&b=2">x</a>`, `<a href="?a=1&b=2">x</a>`, `"<a href=\"?a=1&b=2\">x</a>"`},
		{"case=multi-byte and emoji", "zoë 李 😀 \u00a0", "zoë 李 😀 \u00a0", "\"zoë 李 😀 \u00a0\""},
		{"case=invalid UTF-8, one U+FFFD a byte", "a\xffb\xc3\x28\xed\xa0\x80", "a\ufffdb\ufffd(\ufffd\ufffd\ufffd", "\"a\ufffdb\ufffd(\ufffd\ufffd\ufffd\""},
		{"case=truncated rune at the end", "ok\xe2\x82", "ok\ufffd\ufffd", "\"ok\ufffd\ufffd\""},
		{"case=U+FFFD itself", "\ufffd", "\ufffd", "\"\ufffd\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := appendQuoted([]byte("prefix:"), tc.in)
			require.True(t, strings.HasPrefix(string(got), "prefix:"))
			got = got[len("prefix:"):]
			assert.Equal(t, tc.encoded, string(got))
			assert.Equal(t, len(got), quotedLen(tc.in), "quotedLen")
			var back string
			require.NoError(t, json.Unmarshal(got, &back))
			assert.Equal(t, tc.want, back)

			// What encoding/json reads back from its own encoding.
			std, err := json.Marshal(tc.in)
			require.NoError(t, err)
			var stdBack string
			require.NoError(t, json.Unmarshal(std, &stdBack))
			assert.Equal(t, stdBack, back, "same text as encoding/json")
			for _, escaped := range []string{`\u003c`, `\u003e`, `\u0026`} {
				assert.NotContains(t, string(got), escaped)
			}
		})
	}
}

func FuzzAppendQuoted(f *testing.F) {
	for _, s := range []string{"", "a\"\\\n\x00<>&", "\u2028\u2029", "\xff\xc3", "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendQuoted(nil, s)
		if len(got) != quotedLen(s) {
			t.Fatalf("quotedLen %d, wrote %d", quotedLen(s), len(got))
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q: %v", got, err)
		}
		std, _ := json.Marshal(s)
		var want string
		_ = json.Unmarshal(std, &want)
		if back != want {
			t.Fatalf("%q read back as %q, encoding/json's as %q", s, back, want)
		}
	})
}
