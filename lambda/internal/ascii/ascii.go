// Package ascii scans text eight bytes at a time. Every answer's body
// (several kilobytes, nearly all ASCII) is checked by the gate and encoded
// into JSON on each invocation; a byte at a time, those scans were most of a
// warm invocation.
package ascii

const (
	ones     = 0x0101010101010101
	highBits = 0x8080808080808080
)

// Word reads the eight bytes of s at i, little-endian; i+8 <= len(s).
func Word(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// AllASCII reports whether no byte of x has its high bit set.
func AllASCII(x uint64) bool { return x&highBits == 0 }

// AnyBelow reports whether some byte of x is below n (n ≤ 128), for x
// whose bytes are all ASCII.
func AnyBelow(x uint64, n byte) bool { return (x-ones*uint64(n))&^x&highBits != 0 }

// Contains reports whether some byte of x equals c.
func Contains(x uint64, c byte) bool {
	y := x ^ (ones * uint64(c))
	return (y-ones)&^y&highBits != 0
}
