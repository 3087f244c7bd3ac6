package render

import (
	"fmt"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/cogmail/cogmail/lambda/gate"
)

const emoji = "😀" // outside the BMP: 2 UTF-16 units

// outsideRunes are characters outside Cognito's message pattern.
var outsideRunes = []struct {
	name string
	r    rune
}{
	{"no-break space", '\u00a0'},
	{"ideographic space", '\u3000'},
	{"zero-width joiner", '\u200d'},
	{"right-to-left mark", '\u200f'},
	{"line separator", '\u2028'},
	{"byte order mark", '\ufeff'},
	{"bell", '\u0007'},
	{"private use", '\ue000'},
}

// outside returns the characters of s outside the pattern.
func outside(s string) []rune {
	var bad []rune
	for _, r := range s {
		if !gate.Allowed(r) {
			bad = append(bad, r)
		}
	}
	return bad
}

func TestCleanHTML(t *testing.T) {
	want := map[rune]string{
		'\u00a0': "&#xA0;", '\u3000': "&#x3000;", '\u200d': "&#x200D;", '\u200f': "&#x200F;",
		'\u2028': "&#x2028;", '\ufeff': "&#xFEFF;", '\u0007': "&#x7;", '\ue000': "&#xE000;",
	}
	for _, o := range outsideRunes {
		t.Run("case="+o.name, func(t *testing.T) {
			got := cleanHTML("<p>a" + string(o.r) + "b</p>")
			assert.Equal(t, "<p>a"+want[o.r]+"b</p>", got)
			assert.Empty(t, outside(got))
		})
	}
	t.Run("case=ordinary text untouched", func(t *testing.T) {
		for _, s := range []string{
			"", "plain", `<a href="https://x/?a=1&amp;code={####}">{####}</a>`, "😀👍🏽❤\ufe0f",
			"مرحبا بالعالم", "你好，世界", "e\u0301 n\u0303 a\u0308", "tabs\tand\nnewlines\r\n",
		} {
			assert.Equal(t, s, cleanHTML(s))
		}
	})
	t.Run("case=several", func(t *testing.T) {
		assert.Equal(t, "&#xFEFF;x&#xA0;&#xA0;y&#x200D;😀", cleanHTML("\ufeffx\u00a0\u00a0y\u200d😀"))
	})
}

func TestCleanLine(t *testing.T) {
	tests := map[string]string{
		"Reset your password":           "Reset your password",
		"  Reset\u00a0your\tpassword\n": "Reset your password",
		"a\u3000b":                      "a b",
		"a\u2028b\u2029c":               "a b c",
		"a\r\nb":                        "a b",
		"a\u0085b":                      "a b",
		"a \u00a0\t\n b":                "a b",
		"a\u200db":                      "ab",
		"a\u200fb\u200e":                "ab",
		"\ufeffHello":                   "Hello",
		"a\u0007b":                      "ab",
		"a \u200d b":                    "a b",
		"\u00a0\u200d a":                "a",
		"   ":                           "",
		"":                              "",
		"Zoë 李 😀 e\u0301 {####}":        "Zoë 李 😀 e\u0301 {####}",
	}
	for in, want := range tests {
		t.Run(fmt.Sprintf("case=%q", in), func(t *testing.T) {
			got := cleanLine(in)
			assert.Equal(t, want, got)
			assert.Empty(t, outside(got))
			assert.NotContains(t, got, "\n")
		})
	}
}

func TestCleanSMS(t *testing.T) {
	tests := map[string]string{
		"Code:\n{####}":           "Code:\n{####}",
		"one\n\ntwo":              "one\n\ntwo",
		"a\u00a0b\nc":             "a b\nc",
		"a\u2028b":                "a b",
		"  a\u200d\u00a0b  ":      "a b",
		"Zoë\n李 😀 e\u0301 {####}": "Zoë\n李 😀 e\u0301 {####}",
	}
	for in, want := range tests {
		t.Run(fmt.Sprintf("case=%q", in), func(t *testing.T) {
			got := cleanSMS(in)
			assert.Equal(t, want, got)
			assert.Empty(t, outside(got))
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello world", 5, "hell…"},
		{"zoë łukasz", 3, "zo…"},
		{"zoëł", 4, "zoëł"},
		{"zoëłu", 4, "zoë…"},
		{"李李李李", 2, "李…"},
		{emoji + emoji + emoji, 2, emoji + "…"},
		{"abc", 1, "…"},
		{"abc", 0, ""},
		{"abc", -1, ""},
		{"", 3, ""},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("case=%q/%d", tc.in, tc.n), func(t *testing.T) {
			got := truncate(tc.in, tc.n)
			assert.Equal(t, tc.want, got)
			assert.True(t, utf8.ValidString(got))
			assert.LessOrEqual(t, utf8.RuneCountInString(got), max(tc.n, 0))
		})
	}
}

func FuzzCleanHTML(f *testing.F) {
	for _, seed := range []string{
		"", "plain", "a\u00a0b", "\u200d\u200f\ufeff\u2028\u3000", "<p>{####}</p>\u0007", "😀\ue000",
		"\xff", // invalid UTF-8: the output must still be valid
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := cleanHTML(s)
		if !utf8.ValidString(got) {
			t.Fatalf("cleanHTML(%q) = %q, not valid UTF-8", s, got)
		}
		if bad := outside(got); len(bad) > 0 {
			t.Fatalf("cleanHTML(%q) = %q keeps %U", s, got, bad)
		}
		if utf8.ValidString(s) && len(outside(s)) == 0 && got != s {
			t.Fatalf("cleanHTML(%q) = %q, changed text that was inside the pattern", s, got)
		}
	})
}

func TestCleanNameKeepsJoiners(t *testing.T) {
	assert.Equal(t, "علی\u200cرضا", cleanName("علی\u200cرضا"))
	assert.Equal(t, "👩\u200d💻 Ana", cleanName("👩\u200d💻\u202e Ana"))
	assert.Equal(t, "علیرضا", cleanLine("علی\u200cرضا"), "subjects and SMS drop them")
	assert.Equal(t, "&#x200C;", cleanHTML("\u200c"))
}

func BenchmarkCleanHTML(b *testing.B) {
	body, err := os.ReadFile("../../events/golden/forgot-password.html")
	if err != nil {
		b.Fatal(err)
	}
	s := string(body)
	b.ReportAllocs()
	for b.Loop() {
		cleanHTML(s)
	}
}
