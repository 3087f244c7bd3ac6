package ascii

import (
	"testing"

	_ "github.com/cogmail/cogmail/lambda/dev/golden"
)

// Each predicate agrees with a byte-by-byte reading, for every byte value in
// every position.
func TestPredicatesMatchBytewise(t *testing.T) {
	base := []byte("abcdefgh")
	for pos := range 8 {
		for v := range 256 {
			b := append([]byte(nil), base...)
			b[pos] = byte(v)
			x := Word(string(b), 0)
			high, below20, has22 := false, false, false
			for _, c := range b {
				high = high || c >= 0x80
				below20 = below20 || c < 0x20
				has22 = has22 || c == '"'
			}
			if AllASCII(x) == high {
				t.Fatalf("AllASCII(%q)", b)
			}
			if !high && AnyBelow(x, 0x20) != below20 {
				t.Fatalf("AnyBelow(%q)", b)
			}
			if !high && Contains(x, '"') != has22 {
				t.Fatalf("Contains(%q)", b)
			}
		}
	}
}
