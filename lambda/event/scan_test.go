package event

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestScanner(t *testing.T) {
	t.Run("case=members and their spans", func(t *testing.T) {
		s := ` { "a" : 1 , "b":"x\"}" ,"c":{"d":[1,"]",{}]} , "e":null}`
		it, ok := objectAt(s, span{1, len(s)})
		assert.True(t, ok)
		var got [][2]string
		for m, ok := it.next(); ok; m, ok = it.next() {
			got = append(got, [2]string{s[m.key.start:m.key.end], s[m.value.start:m.value.end]})
		}
		assert.Equal(t, [][2]string{{`"a"`, `1`}, {`"b"`, `"x\"}"`}, {`"c"`, `{"d":[1,"]",{}]}`}, {`"e"`, `null`}}, got)
	})
	t.Run("case=not an object", func(t *testing.T) {
		for _, v := range []string{``, `[]`, `"{"`, `null`} {
			_, ok := objectAt(v, span{0, len(v)})
			assert.False(t, ok, v)
		}
	})
	t.Run("case=unquote", func(t *testing.T) {
		for raw, want := range map[string]string{
			`"plain"`: "plain", `"a\"b"`: `a"b`, `"\u00e9"`: "é", "\"\xff\"": "\ufffd", `"\ud800"`: "\ufffd",
			`""`: "", `"`: "", ``: "", `x`: "", `"unterminated`: "",
		} {
			assert.Equal(t, want, unquote(raw), raw)
		}
	})
}

// FuzzScan walks arbitrary bytes, valid JSON or not: the scanner must never
// panic, must always move forward and must stay inside the input.
func FuzzScan(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":{"c":[1,"]"]}}`, `{"a"`, `{"a":`, `{"a":"\`, `{,,}`, `{"a" 1}`, `}`, `{"":{"":{"":`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i <= len(s); i++ {
			if end := skipValue(s, i); end < i || end > len(s) {
				t.Fatalf("skipValue(%d) = %d", i, end)
			}
			if end := skipSpace(s, i); end < i || end > len(s) {
				t.Fatalf("skipSpace(%d) = %d", i, end)
			}
		}
		var walk func(v span, depth int)
		walk = func(v span, depth int) {
			it, ok := objectAt(s, v)
			if !ok || depth > 10 {
				return
			}
			prev := v.start
			for m, ok := it.next(); ok; m, ok = it.next() {
				if m.key.start < prev || m.key.end > m.value.start || m.value.end > v.end || m.value.end <= m.value.start {
					t.Fatalf("member %+v out of order in %+v", m, v)
				}
				prev = m.value.end
				_, _, _ = key(s, m), text(s, m.value), str(s, m.value)
				walk(m.value, depth+1)
			}
			_ = lookup(s, v, "a")
		}
		walk(span{0, len(s)}, 0)
		if json.Valid([]byte(s)) {
			start := skipSpace(s, 0)
			if end := skipValue(s, start); skipSpace(s, end) != len(s) {
				t.Fatalf("valid JSON, but skipValue stopped at %d of %d", end, len(s))
			}
		}
	})
}
