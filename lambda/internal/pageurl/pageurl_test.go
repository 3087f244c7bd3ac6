package pageurl_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	_ "github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/internal/pageurl"
)

// The handler's tests (hosts_test.go) cover Example and Base through the
// trigger; these cover what the notifier adds: an address's domain.
func TestExampleDomain(t *testing.T) {
	for _, tc := range []struct {
		host    string
		example bool
	}{
		{"example.com", true},
		{"Example.COM.", true},
		{"mail.example.org", true},
		{"acme-rockets.example", true},
		{"x.test", true},
		{"localhost", true},
		{"acme-rockets.com", false},
		{"example.com.evil.net", false},
		{"myexample.com", false},
		{"", false},
	} {
		t.Run("case="+tc.host, func(t *testing.T) {
			assert.Equal(t, tc.example, pageurl.ExampleDomain(tc.host))
		})
	}
}

func TestBase(t *testing.T) {
	for _, tc := range []struct {
		raw      string
		inLambda bool
		want     string
		err      string
	}{
		{"", true, "", ""},
		{"https://abc.lambda-url.eu-west-1.on.aws/", true, "https://abc.lambda-url.eu-west-1.on.aws", ""},
		{"http://127.0.0.1:8088//", true, "http://127.0.0.1:8088", ""},
		{"http://localhost:8088", true, "", "https"},
		{"https://page.example/?a=1", false, "", "query"},
	} {
		t.Run("case="+tc.raw, func(t *testing.T) {
			got, err := pageurl.Base(tc.raw, tc.inLambda)
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
