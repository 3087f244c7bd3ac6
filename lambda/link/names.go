package link

// Hand-written checks of the names a link carries. Regular expressions
// compiled at package init cost every cold start about half a millisecond
// (a repetition such as {1,64} compiles to 64 copies); these are what the
// regular expressions in names_test.go say, and the tests prove they agree.

// UserPoolID reports whether s is a user pool id as Cognito writes it,
// region_id: ^[\w-]+_[0-9a-zA-Z]+$.
func UserPoolID(s string) bool {
	last := -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			last = i
		case c == '-' || alnum(c):
		default:
			return false
		}
	}
	// The id after the last '_' is letters and digits; before it, at
	// least one character (any earlier '_' belongs to the region part).
	return last > 0 && last < len(s)-1 && allOf(s[last+1:], alnum)
}

// keyID reports whether s is a key id: ^[A-Za-z0-9._-]{1,64}$.
func keyID(s string) bool {
	return len(s) >= 1 && len(s) <= 64 && allOf(s, func(c byte) bool { return alnum(c) || c == '.' || c == '_' || c == '-' })
}

// placeholder reports whether s can be Cognito's code placeholder written
// verbatim in a URL and an attribute: ^[{}#A-Za-z0-9_-]{1,32}$.
func placeholder(s string) bool {
	return len(s) >= 1 && len(s) <= 32 && allOf(s, func(c byte) bool {
		return alnum(c) || c == '{' || c == '}' || c == '#' || c == '_' || c == '-'
	})
}

func alnum(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }

func allOf(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}
