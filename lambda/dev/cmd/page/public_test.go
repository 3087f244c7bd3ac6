package main

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/keys"
)

// A page others reach (-public, or behind a TLS proxy, which serves it to
// others whatever address it listens on) never checks links with the public
// development key, by its id or its bytes under another id: anyone could
// sign links for it, and have it email any user they name. On loopback
// without a proxy, for development, it still may.
func TestPublicRefusesTheDevelopmentKey(t *testing.T) {
	renamed := `{"current":"prod","keys":{"prod":"Y29nbWFpbC1kZXZlbG9wbWVudC1rZXktTk9ULUEtU0VDUkVULTAx"}}`
	tests := []struct {
		name   string
		public bool
		keys   map[string]string // the environment beyond the address and configuration
		want   string            // error text; "" serves
	}{
		{"case=public-no-keys", true, nil, "development"},
		{"case=public-development-keyring", true, map[string]string{keys.EnvSigningKeys: keys.DevelopmentJSON}, "development"},
		{"case=public-development-key-renamed", true, map[string]string{keys.EnvSigningKeys: renamed}, "development"},
		{"case=public-blank-keys", true, map[string]string{keys.EnvSigningKeys: " "}, "blank"},
		{"case=public-production-key", true, map[string]string{keys.EnvSigningKeys: keys.Random()}, ""},
		{"case=behind-proxy", false, map[string]string{EnvBehindProxy: "true"}, "development"},
		{"case=behind-proxy-development-key-renamed", false, map[string]string{EnvBehindProxy: "true", keys.EnvSigningKeys: renamed}, "development"},
		{"case=behind-proxy-production-key", false, map[string]string{EnvBehindProxy: "true", keys.EnvSigningKeys: keys.Random()}, ""},
		{"case=not-behind-proxy-development-keyring", false, map[string]string{EnvBehindProxy: "false"}, ""},
		{"case=loopback-development-keyring", false, nil, ""},
		{"case=loopback-blank-keys", false, map[string]string{keys.EnvSigningKeys: " "}, "blank"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{EnvAddr: "127.0.0.1:0", "COGMAIL_PAGE_CONFIG": config}
			for k, v := range tt.keys {
				env[k] = v
			}
			logs := new(bytes.Buffer)
			// Already cancelled: a page that starts stops at once.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := run(ctx, tt.public, func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(logs, nil)))
			if tt.want != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				assert.NotContains(t, logs.String(), "page listening")
				return
			}
			require.NoError(t, err)
			assert.Contains(t, logs.String(), `"msg":"page listening"`)
		})
	}
}
