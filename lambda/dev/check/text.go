package check

import "strings"

func after(s, sep string) string {
	if _, rest, ok := strings.Cut(s, sep); ok {
		return rest
	}
	return ""
}

func before(s, sep string) string {
	head, _, _ := strings.Cut(s, sep)
	return head
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
