package main

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const config = `{"tenants": {"default": {"userPoolId": "local_abc1", "clientId": "c1", "signInUrl": "http://127.0.0.1:3000/"}}}`

func TestRun(t *testing.T) {
	tests := []struct {
		name, addr string
		public     bool
		want       string // error text; "" runs until cancelled
	}{
		{"case=non-loopback-refused", "0.0.0.0:0", false, "pass -public"},
		{"case=all-interfaces-refused", ":0", false, "pass -public"},
		{"case=bad-address", "nonsense", false, "COGMAIL_PAGE_ADDR"},
		{"case=loopback-serves-and-stops", "127.0.0.1:0", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{EnvAddr: tt.addr, "COGMAIL_PAGE_CONFIG": config}
			logs := new(bytes.Buffer)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := run(ctx, tt.public, func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(logs, nil)))
			if tt.want != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			require.NoError(t, err)
			assert.Contains(t, logs.String(), `"msg":"page listening"`)
			assert.Contains(t, logs.String(), `"msg":"shutting down"`)
		})
	}
}
