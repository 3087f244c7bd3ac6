package pagetest

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
)

// Answer is one answer as a visitor sees it: what it says and when its
// first and last bytes came, counted from the request.
type Answer struct {
	Status      int
	Header      http.Header
	Body        string
	First, Last time.Duration
}

// varying are headers that differ between any two answers.
var varying = []string{"Date"}

// AssertAlike checks that nothing tells the answers for real accounts from
// those for unknown ones: status, headers and body are equal, and the
// medians of the times to the first and to the last byte differ by less
// than half of injected, the delay the Cognito stand-in adds for real
// users. The median shrugs off a busy machine's outliers, and a page that
// waited on Cognito would differ by the whole delay.
func AssertAlike(t assert.TestingT, real, unknown []Answer, injected time.Duration) bool {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	if !assert.NotEmpty(t, real) || !assert.NotEmpty(t, unknown) {
		return false
	}
	ok := true
	want := real[0]
	for _, a := range append(append([]Answer(nil), real...), unknown...) {
		ok = assert.Equal(t, want.Status, a.Status, "status") && ok
		ok = assert.Equal(t, comparable(want.Header), comparable(a.Header), "headers") && ok
		ok = assert.Equal(t, want.Body, a.Body, "body") && ok
	}
	for _, m := range []struct {
		name string
		of   func(Answer) time.Duration
	}{{"first byte", func(a Answer) time.Duration { return a.First }}, {"last byte", func(a Answer) time.Duration { return a.Last }}} {
		r, u := median(real, m.of), median(unknown, m.of)
		ok = assert.Less(t, (r-u).Abs(), injected/2,
			"time to the %s: median %s for real accounts, %s for unknown ones (the stand-in delays real ones by %s)", m.name, r, u, injected) && ok
	}
	return ok
}

func comparable(h http.Header) http.Header {
	c := h.Clone()
	for _, name := range varying {
		c.Del(name)
	}
	return c
}

func median(answers []Answer, of func(Answer) time.Duration) time.Duration {
	d := make([]time.Duration, len(answers))
	for i, a := range answers {
		d[i] = of(a)
	}
	slices.Sort(d)
	return d[len(d)/2]
}

var (
	hiddenPattern = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	actionPattern = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
)

// Form returns the first form of a page: its action and hidden fields, as a
// browser would post them.
func Form(body string) (string, url.Values) {
	m := actionPattern.FindStringSubmatch(body)
	if m == nil {
		return "", nil
	}
	body = body[strings.Index(body, m[0]):]
	if i := strings.Index(body, "</form>"); i >= 0 {
		body = body[:i]
	}
	values := url.Values{}
	for _, h := range hiddenPattern.FindAllStringSubmatch(body, -1) {
		values.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	return html.UnescapeString(m[1]), values
}
