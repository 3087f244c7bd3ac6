package link

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The regular expressions the hand-written checks stand for.
var (
	poolPattern        = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)
	kidPattern         = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	placeholderPattern = regexp.MustCompile(`^[{}#A-Za-z0-9_-]{1,32}$`)
)

func sameAsPatterns(t *testing.T, s string) {
	t.Helper()
	assert.Equal(t, poolPattern.MatchString(s), UserPoolID(s), "UserPoolID(%q)", s)
	assert.Equal(t, kidPattern.MatchString(s), keyID(s), "keyID(%q)", s)
	assert.Equal(t, placeholderPattern.MatchString(s), placeholder(s), "placeholder(%q)", s)
}

func TestNamesAgreeWithTheirPatterns(t *testing.T) {
	for _, s := range []string{
		"", "_", "a_", "_a", "a_b", "eu-west-1_Ab12Cd34E", "eu_west_1_Ab12", "eu-west-1_Ab-12", "a__b", "a_b_",
		"{####}", "{username}", "k1", "dev-1", "a.b", "local-0a1b2c3d", "a b", "a\n", "\na", "é_a", "a_é", "\xff",
		strings.Repeat("k", 32), strings.Repeat("k", 33), strings.Repeat("k", 64), strings.Repeat("k", 65),
		"{#<&'\"+>#}", "a%7B", "a/b", "a$",
	} {
		sameAsPatterns(t, s)
	}
}

func FuzzNamesAgreeWithTheirPatterns(f *testing.F) {
	for _, s := range []string{"eu-west-1_Ab12Cd34E", "{####}", "k.1", "a__b_", "_-_"} {
		f.Add(s)
	}
	f.Fuzz(sameAsPatterns)
}
