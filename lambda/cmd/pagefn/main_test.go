package main

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdaurl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithCookies(t *testing.T) {
	tests := []struct {
		name    string
		cookies []string
		header  map[string]string
		want    string
	}{
		{"case=event-cookies", []string{"a=1", "__Host-cogmail-csrf=n"}, nil, "a=1; __Host-cogmail-csrf=n"},
		{"case=none", nil, nil, ""},
		{"case=header-wins", []string{"a=1"}, map[string]string{"cookie": "b=2"}, "b=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, proto string
			fn := lambdaurl.Wrap(withCookies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, proto = r.Header.Get("Cookie"), r.Header.Get("X-Forwarded-Proto")
				w.WriteHeader(http.StatusNoContent)
			})))
			header := map[string]string{"x-forwarded-proto": "https"}
			for k, v := range tt.header {
				header[k] = v
			}
			res, err := fn(context.Background(), &events.LambdaFunctionURLRequest{
				RawPath: "/healthz", Cookies: tt.cookies, Headers: header,
				RequestContext: events.LambdaFunctionURLRequestContext{DomainName: "page.example",
					HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: http.MethodGet}},
			})
			require.NoError(t, err)
			_, err = io.Copy(io.Discard, res.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, "https", proto, "the page learns HTTPS from this header")
		})
	}
}
