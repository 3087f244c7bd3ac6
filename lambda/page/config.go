package page

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/internal/keyring"
	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/internal/tenantenv"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// EnvConfig holds the page's configuration JSON: the app client of each
// tenant. Keys come from the keys package's variables, tenant overlays from
// COGMAIL_TEMPLATES_DIR, and the AWS SDK reads its own (AWS_REGION,
// AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER…) from the process environment.
const EnvConfig = "COGMAIL_PAGE_CONFIG"

type fileConfig struct {
	Tenants map[string]tenantConfig `json:"tenants"`
	// CSRFKey is base64 of at least 32 bytes; absent: derived from the keyring.
	CSRFKey string `json:"csrfKey,omitempty"`
}

type tenantConfig struct {
	UserPoolID     string          `json:"userPoolId"`
	ClientID       string          `json:"clientId"`
	ClientSecret   string          `json:"clientSecret,omitempty"`
	SignInURL      string          `json:"signInUrl"`
	PasswordPolicy *PasswordPolicy `json:"passwordPolicy,omitempty"` // absent: Cognito's default
	// TemporaryPasswordValidityDays is the pool's (absent or 0: 7, as in
	// Cognito): invitation links older than this are refused.
	TemporaryPasswordValidityDays *int `json:"temporaryPasswordValidityDays,omitempty"`
}

var (
	poolPattern   = regexp.MustCompile(`^([\w-]+)_[0-9a-zA-Z]+$`)
	clientPattern = regexp.MustCompile(`^[\w+]{1,128}$`)
)

// LoadConfig builds the page's Config from the environment, reporting every
// problem at once. The logger is slog.Default(), which also gets the warning
// when links are checked with the public development keyring.
func LoadConfig(getenv func(string) string) (Config, error) {
	ctx := context.Background()
	cfg := Config{Tenants: tenant.NewStore(handler.Layers(getenv)...), Logger: slog.Default(), MetricsNamespace: getenv(metrics.EnvNamespace)}
	var errs []error
	var err error
	// Parsed on first use: the embedded templates were checked at build time.
	if cfg.Renderer, err = render.Open(templates.FS); err != nil {
		errs = append(errs, fmt.Errorf("templates: %w", err))
	}
	// The page shows texts, not emails: a version whose own files
	// (catalogs, templates) fail is refused.
	renderer := cfg.Renderer
	remote := tenantenv.Remote(cfg.Tenants, renderer, metrics.FunctionPage, getenv, cfg.Logger, func(t *tenant.Tenant) error {
		if renderer == nil {
			return nil
		}
		return renderer.CheckTenant(t)
	})
	// With tenants in S3, the configuration's tenants are read on their
	// first request, not here: S3 slow or down, or one tenant's refused
	// upload, must not take the page down for every tenant.
	known := cfg.Tenants
	if remote {
		known = nil
	}
	clients, csrfKey, err := ParseConfig([]byte(getenv(EnvConfig)), known)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", EnvConfig, err))
	}
	cfg.Clients, cfg.CSRFKey = clients, csrfKey
	ring, source, err := keys.Load(ctx, keys.Options{Getenv: getenv})
	switch {
	case err != nil:
		errs = append(errs, err)
	case source == keys.SourceDevelopment:
		cfg.Logger.Warn("checking links with the built-in development keyring: they prove nothing; set COGMAIL_SIGNING_KEYS or COGMAIL_KEYS_SECRET_ARN")
	}
	cfg.Keyring = ring
	if err == nil && source == keys.SourceSecretsManager {
		cfg.Keys = keyring.New(ring, keyring.Reload(getenv), cfg.Logger, "links cannot be checked")
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		errs = append(errs, fmt.Errorf("aws configuration: %w", err))
	} else {
		if awsCfg.Region == "" {
			awsCfg.Region = poolRegion(clients) // a pool id starts with its region
		}
		cfg.Cognito = cip.NewFromConfig(awsCfg)
	}
	return cfg, errors.Join(errs...)
}

// ParseConfig reads the configuration JSON: the clients by tenant id and the
// CSRF key, if any. Each problem names its field; none repeats a secret.
func ParseConfig(data []byte, store *tenant.Store) (map[string]Client, []byte, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, errors.New("not set: it names each tenant's app client")
	}
	var fc fileConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return nil, nil, fmt.Errorf("not valid configuration JSON: %w", err)
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	var csrfKey []byte
	if fc.CSRFKey != "" {
		key, err := base64.StdEncoding.DecodeString(fc.CSRFKey)
		if err != nil || len(key) < link.MinKeyBytes {
			fail("csrfKey must be base64 of at least %d bytes", link.MinKeyBytes)
		}
		csrfKey = key
	}
	if len(fc.Tenants) == 0 {
		fail("tenants: none configured")
	}
	ids := make([]string, 0, len(fc.Tenants))
	for id := range fc.Tenants {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	clients := make(map[string]Client, len(ids))
	for _, id := range ids {
		tc, at := fc.Tenants[id], "tenants."+id
		if store != nil {
			if _, err := store.Get(id); err != nil {
				fail("%s: %v", at, err)
			}
		}
		if !poolPattern.MatchString(tc.UserPoolID) {
			fail("%s.userPoolId is not a user pool id", at)
		}
		if !clientPattern.MatchString(tc.ClientID) {
			fail("%s.clientId is not an app client id", at)
		}
		if err := checkSignInURL(tc.SignInURL); err != nil {
			fail("%s.signInUrl %v", at, err)
		}
		policy := DefaultPolicy
		if tc.PasswordPolicy != nil {
			policy = *tc.PasswordPolicy
			if policy.MinLength < 6 || policy.MinLength > 99 {
				fail("%s.passwordPolicy.minLength must be 6 to 99, as in Cognito", at)
			}
		}
		validity := DefaultTemporaryPasswordValidityDays
		if tc.TemporaryPasswordValidityDays != nil {
			switch days := *tc.TemporaryPasswordValidityDays; {
			case days < 0 || days > 365:
				fail("%s.temporaryPasswordValidityDays must be 0 to 365, as in Cognito", at)
			case days > 0: // Cognito reads 0 as its default
				validity = days
			}
		}
		clients[id] = Client{UserPoolID: tc.UserPoolID, ClientID: tc.ClientID, ClientSecret: tc.ClientSecret,
			SignInURL: tc.SignInURL, Policy: policy, TemporaryPasswordValidityDays: validity}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return clients, csrfKey, nil
}

// checkSignInURL accepts absolute https URLs (http on loopback, for the
// local stack); a fragment is fine here, single-page apps route with it.
func checkSignInURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return errors.New("is empty")
	case err != nil || u.Host == "" || u.Scheme != "https" && !(u.Scheme == "http" && link.Loopback(u.Hostname())):
		return errors.New("must be an absolute https URL")
	case u.User != nil:
		return errors.New("must not carry credentials")
	}
	return nil
}

// poolRegion is the region every configured pool is in, or "" when they
// differ (then AWS_REGION must say).
func poolRegion(clients map[string]Client) string {
	region := ""
	for _, c := range clients {
		m := poolPattern.FindStringSubmatch(c.UserPoolID)
		if m == nil || region != "" && m[1] != region {
			return ""
		}
		region = m[1]
	}
	return strings.TrimSpace(region)
}
