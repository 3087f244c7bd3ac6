package page_test

import (
	"net/url"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

func TestParseConfig(t *testing.T) {
	store := tenant.NewStore(templates.FS)
	good := `{"tenants": {"acme": {"userPoolId": "eu-west-1_Mn34Pq56R", "clientId": "abc123",
		"clientSecret": "s", "signInUrl": "https://login.acme-rockets.example/#/in",
		"passwordPolicy": {"minLength": 10, "requireNumbers": true}},
		"default": {"userPoolId": "local_1234", "clientId": "c", "signInUrl": "http://127.0.0.1:3000/"}}}`
	clients, key, err := page.ParseConfig([]byte(good), store)
	require.NoError(t, err)
	assert.Nil(t, key)
	assert.Equal(t, page.Client{UserPoolID: "eu-west-1_Mn34Pq56R", ClientID: "abc123", ClientSecret: "s",
		SignInURL: "https://login.acme-rockets.example/#/in", Policy: page.PasswordPolicy{MinLength: 10, RequireNumbers: true},
		TemporaryPasswordValidityDays: 7}, clients["acme"])
	assert.Equal(t, page.DefaultPolicy, clients["default"].Policy, "no policy: Cognito's default")

	tests := []struct {
		name, json string
		want       []string
	}{
		{"case=empty", "  ", []string{"not set"}},
		{"case=not-json", "{", []string{"not valid configuration JSON"}},
		{"case=unknown-field", `{"tenants": {}, "extra": 1}`, []string{"unknown field"}},
		{"case=no-tenants", `{"tenants": {}}`, []string{"tenants: none configured"}},
		{"case=every-problem-joined", `{"csrfKey": "c2hvcnQ=", "tenants": {
			"nope": {"userPoolId": "x", "clientId": "", "signInUrl": "http://example.com/", "passwordPolicy": {"minLength": 3}},
			"acme": {"userPoolId": "eu-west-1_Mn34Pq56R", "clientId": "ok", "signInUrl": "https://u:p@example.com/"}}}`,
			[]string{"csrfKey must be base64 of at least 32 bytes", "tenants.nope: tenant", "tenants.nope.userPoolId",
				"tenants.nope.clientId", "tenants.nope.signInUrl must be an absolute https URL",
				"tenants.nope.passwordPolicy.minLength must be 6 to 99", "tenants.acme.signInUrl must not carry credentials"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := page.ParseConfig([]byte(tt.json), store)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), `"s"`)
		})
	}
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"case=missing-config-and-bad-keys", map[string]string{"COGMAIL_SIGNING_KEYS": "{"},
			[]string{page.EnvConfig + ": not set", "COGMAIL_SIGNING_KEYS"}},
		{"case=no-keys-inside-lambda", map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "page",
			page.EnvConfig: `{"tenants": {"default": {"userPoolId": "eu-west-1_A1", "clientId": "c", "signInUrl": "https://a.example/"}}}`},
			[]string{"no signing keyring"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := page.LoadConfig(func(k string) string { return tt.env[k] })
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	t.Run("case=valid", func(t *testing.T) {
		t.Setenv("AWS_REGION", "")
		t.Setenv("AWS_DEFAULT_REGION", "")
		t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
		env := map[string]string{page.EnvConfig: `{"tenants": {"default": {"userPoolId": "eu-west-1_A1", "clientId": "c", "signInUrl": "https://a.example/"}}}`}
		cfg, err := page.LoadConfig(func(k string) string { return env[k] })
		require.NoError(t, err)
		require.IsType(t, &cip.Client{}, cfg.Cognito)
		assert.Equal(t, "eu-west-1", cfg.Cognito.(*cip.Client).Options().Region, "the pools' region when AWS_REGION is unset")
		assert.NotNil(t, cfg.Keyring)
		_, err = page.New(cfg)
		assert.NoError(t, err)
	})
}

// TestLogsCarryNoPersonalData runs every flow and reads the log back.
func TestLogsCarryNoPersonalData(t *testing.T) {
	e := newEnv(t, nil)
	e.cognito.errs["ConfirmForgotPassword"] = &types.UserNotFoundException{Message: new("User " + testUser + " not found")}
	e.submit(e.link(linkOpts{}), "password", testPassword, "repeat", testPassword)
	delete(e.cognito.errs, "ConfirmForgotPassword")
	e.submit(e.link(linkOpts{}), "password", testPassword, "repeat", testPassword+"x")
	e.submit(e.link(linkOpts{}), "password", testPassword, "repeat", testPassword)
	e.cognito.errs["InitiateAuth"] = &types.InternalErrorException{Message: new("boom for " + testUser)}
	e.submit(e.link(linkOpts{purpose: link.PurposeInvite}), "temporary", testTemp, "password", testPassword, "repeat", testPassword)
	e.cognito.errs["ForgotPassword"] = &types.UserNotFoundException{Message: new("User " + testUser + " not found")}
	e.post("/resend", hidden(e.get(e.link(linkOpts{expires: testNow})).body))
	e.runLater()
	e.get("/reset/" + url.PathEscape(testEmail))
	e.get("/reset?username=" + url.QueryEscape(testEmail) + "&code=" + testCode)

	logs := e.logs.String()
	require.NotEmpty(t, logs)
	assert.Contains(t, logs, `"code":"UserNotFoundException"`)
	assert.Contains(t, logs, `"outcome":"password-reset"`)
	for _, secret := range []string{testUser, testEmail, strings.Split(testEmail, "@")[0], testPassword, testTemp, testCode, testSecret} {
		assert.NotContains(t, logs, secret)
	}
}
