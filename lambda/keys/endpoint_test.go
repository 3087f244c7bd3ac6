package keys

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The endpoint is the one the AWS SDK resolves for Secrets Manager in each
// partition (service/secretsmanager's endpoint rules).
func TestSecretsManagerEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string // "" for an error
	}{
		{"case=region", map[string]string{"AWS_REGION": "eu-west-1"}, "https://secretsmanager.eu-west-1.amazonaws.com"},
		{"case=default region", map[string]string{"AWS_DEFAULT_REGION": "ap-south-2"}, "https://secretsmanager.ap-south-2.amazonaws.com"},
		{"case=AWS_REGION wins", map[string]string{"AWS_REGION": "us-east-2", "AWS_DEFAULT_REGION": "eu-west-1"}, "https://secretsmanager.us-east-2.amazonaws.com"},
		{"case=GovCloud", map[string]string{"AWS_REGION": "us-gov-west-1"}, "https://secretsmanager.us-gov-west-1.amazonaws.com"},
		{"case=China", map[string]string{"AWS_REGION": "cn-north-1"}, "https://secretsmanager.cn-north-1.amazonaws.com.cn"},
		{"case=European Sovereign Cloud", map[string]string{"AWS_REGION": "eusc-de-east-1"}, "https://secretsmanager.eusc-de-east-1.amazonaws.eu"},
		{"case=ISO", map[string]string{"AWS_REGION": "us-iso-east-1"}, "https://secretsmanager.us-iso-east-1.c2s.ic.gov"},
		{"case=ISOB", map[string]string{"AWS_REGION": "us-isob-east-1"}, "https://secretsmanager.us-isob-east-1.sc2s.sgov.gov"},
		{"case=FIPS", map[string]string{"AWS_REGION": "us-east-1", "AWS_USE_FIPS_ENDPOINT": "true"}, "https://secretsmanager-fips.us-east-1.amazonaws.com"},
		{"case=dual-stack", map[string]string{"AWS_REGION": "us-east-1", "AWS_USE_DUALSTACK_ENDPOINT": "true"}, "https://secretsmanager.us-east-1.api.aws"},
		{"case=service endpoint", map[string]string{"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://b"}, "http://b"},
		{"case=endpoint", map[string]string{"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://a"}, "http://a"},
		{"case=endpoints ignored", map[string]string{"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://a", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "https://secretsmanager.us-east-1.amazonaws.com"},
		{"case=no region", map[string]string{}, ""},
		{"case=not a region", map[string]string{"AWS_REGION": "evil.example/x?"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := awsEnv(func(name string) string { return tc.env[name] }).endpoint()
			if tc.want == "" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
