// Package hint makes configuration errors point at the mistake: the line and
// column of JSON that does not parse, and the known name nearest to an
// unknown one ("did you mean …").
package hint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// At is a problem at a line and column (1-based, in characters) of a file.
type At struct {
	Line, Column int
	Msg          string
}

func (a *At) Error() string { return fmt.Sprintf("%d:%d: %s", a.Line, a.Column, a.Msg) }

// Position is the line and column of byte offset off in data.
func Position(data []byte, off int64) (line, column int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	head := data[:off]
	line = 1 + strings.Count(string(head), "\n")
	if i := strings.LastIndexByte(string(head), '\n'); i >= 0 {
		head = head[i+1:]
	}
	return line, utf8.RuneCount(head) + 1
}

// Syntax rewrites an error of decoding data as JSON: a syntax error gets the
// line and column of the character that broke it (an *At); an empty file and
// a file that ends too early say so. Other errors come back unchanged.
func Syntax(data []byte, err error) error {
	var se *json.SyntaxError
	end := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, &se) && se.Error() == "unexpected end of JSON input" // json.Unmarshal's EOF
	switch {
	case end && strings.TrimSpace(string(data)) == "":
		return errors.New("the file is empty")
	case end:
		return errors.New("unexpected EOF: the file ends before its last object or list is closed")
	case se != nil:
		// Offset counts the bytes read, the offending one included.
		line, col := Position(data, max(se.Offset-1, 0))
		return &At{Line: line, Column: col, Msg: se.Error()}
	}
	return err
}

// Trailing returns an *At for anything but white space in data after off,
// where the first JSON value ended; nil when there is none.
func Trailing(data []byte, off int64, what string) error {
	rest := data[off:]
	trimmed := strings.TrimLeft(string(rest), " \t\r\n")
	if trimmed == "" {
		return nil
	}
	line, col := Position(data, off+int64(len(rest)-len(trimmed)))
	return &At{Line: line, Column: col, Msg: what}
}

// Nearest returns the known name closest to name by edit distance (letter
// case ignored, a swap of neighbours one edit), if it is close enough to be a likely typo: at most a third
// of the name's length, and at least 1. Ties go to the
// earlier known name.
func Nearest(name string, known []string) (string, bool) {
	best, bestDist := "", -1
	for _, k := range known {
		d := distance(strings.ToLower(name), strings.ToLower(k))
		if bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	limit := max(utf8.RuneCountInString(name)/3, 1)
	if bestDist < 0 || bestDist > limit || best == name {
		return "", false
	}
	return best, true
}

// DidYouMean is "; did you mean "x"?" for the nearest known name, or "".
func DidYouMean(name string, known []string) string {
	if k, ok := Nearest(name, known); ok {
		return fmt.Sprintf("; did you mean %q?", k)
	}
	return ""
}

// distance is the edit distance between a and b in runes, a swap of two
// neighbours counting as one edit (optimal string alignment).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows: the one before the previous is for swaps.
	prev2, prev, cur := make([]int, len(rb)+1), make([]int, len(rb)+1), make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
