package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/cogmail/cogmail/lambda/internal/accept"
	"github.com/cogmail/cogmail/lambda/internal/keyring"
	"github.com/cogmail/cogmail/lambda/internal/mailfrom"
	"github.com/cogmail/cogmail/lambda/internal/metrics"
	"github.com/cogmail/cogmail/lambda/internal/tenantenv"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/once"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// Environment variables Setup reads besides the keys package's and the AWS
// SDK's (credentials, AWS_REGION, AWS_ENDPOINT_URL_SESV2,
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER,
// AWS_ENDPOINT_URL_LAMBDA).
const (
	// EnvTable is the DynamoDB table of claims (key id, TTL expiresAt).
	EnvTable = "COGMAIL_NOTIFY_TABLE"
	// EnvPools lists, comma-separated, the user pools whose CloudTrail
	// events are served and whose users AdminGetUser may read (besides
	// those the rule's wrapper names for its event: pools.go).
	EnvPools = "COGMAIL_NOTIFY_POOLS"
	// EnvFrom is the default tenant's sender, "Name <address>", used when
	// its own is absent or on an example domain.
	EnvFrom = mailfrom.EnvFrom

	envPageURL         = "COGMAIL_PAGE_URL"
	envTenantAttribute = "COGMAIL_TENANT_ATTRIBUTE"
	envFunctionName    = "AWS_LAMBDA_FUNCTION_NAME"
)

// Setup builds the notifier the Lambda runs, from the environment (pass
// keys.Getenv): the embedded templates and tenants (overlay first, as the
// trigger reads them), the keyring, the AWS clients and the self-invoke.
// It never fails: what does not load is logged, and the notices it affects
// are skipped or fail, logged.
func Setup(ctx context.Context, getenv func(string) string, logger *slog.Logger) *Notifier {
	return New(Configure(ctx, getenv, logger))
}

// Configure is Setup's configuration, for a caller that changes some of it
// before New (`cogmail render` sends nothing, and looks nobody up).
func Configure(ctx context.Context, getenv func(string) string, logger *slog.Logger) Config {
	waitKeys := keyring.Start(ctx, getenv, logger, withoutKey)

	inLambda := keys.InLambda(getenv)
	cfg := Config{Logger: logger, TenantAttribute: getenv(envTenantAttribute), InLambda: inLambda,
		MetricsNamespace: getenv(metrics.EnvNamespace)}
	var err error
	if cfg.Renderer, err = render.Open(templates.FS); err != nil {
		logger.Error("templates failed to load; no notice can be written", "error", err.Error())
		cfg.Renderer, cfg.RendererErr = nil, err
	}
	cfg.Tenants = tenant.NewStore(tenantenv.Layers(getenv)...)
	renderer := cfg.Renderer
	tenantenv.Remote(cfg.Tenants, renderer, metrics.FunctionNotifier, getenv, logger, func(t *tenant.Tenant) error { return accept.Notices(renderer, t) })
	if cfg.PageURL, err = tenantenv.PageBase(getenv(envPageURL), inLambda, pageReport); err != nil {
		logger.Error(envPageURL+" is not used: the default tenant keeps its own report link", "error", err.Error())
	}
	if cfg.From, err = parseFrom(getenv(EnvFrom)); err != nil {
		logger.Error(EnvFrom+" is not used", "error", err.Error())
	}
	var bad []string
	cfg.Pools, bad = parsePools(getenv(EnvPools))
	if len(bad) > 0 {
		logger.Error(EnvPools+" lists values that are not user pool ids: they are not served", "count", len(bad))
	}

	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		logger.Error("the AWS configuration failed to load: no notice can be sent", "error", err.Error())
	} else {
		cfg.SES = sesv2.NewFromConfig(awsCfg)
		cfg.Users = cip.NewFromConfig(awsCfg)
		if table := strings.TrimSpace(getenv(EnvTable)); table != "" {
			cfg.Claims = &once.Store{DB: dynamodb.NewFromConfig(awsCfg), Table: table}
		} else if inLambda {
			logger.Warn(EnvTable + " is not set: a retried event may send its notice twice")
		}
		if fn := getenv(envFunctionName); fn != "" {
			iv := &Invoker{Endpoint: lambdaEndpoint(getenv, awsCfg.Region), Function: fn, Region: awsCfg.Region, Credentials: awsCfg.Credentials}
			cfg.Invoke = iv.Invoke
		}
	}

	cfg.Keyring, cfg.RetryKeys = waitKeys()
	logger.Info("notifier ready", "config", cfg.String())
	return cfg
}

// parseFrom reads "Name <address>" (or a bare address); nil when unset.
func parseFrom(raw string) (*mail.Address, error) { return mailfrom.Parse(raw) }

// parsePools splits COGMAIL_NOTIFY_POOLS; bad are the values that are not
// user pool ids.
func parsePools(raw string) (pools, bad []string) {
	for _, p := range strings.Split(raw, ",") {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
		case link.UserPoolID(p):
			pools = append(pools, p)
		default:
			bad = append(bad, p)
		}
	}
	return pools, bad
}

// String describes the configuration for the cold-start log line: no
// secrets, no addresses.
func (c Config) String() string {
	return fmt.Sprintf("pools=%d table=%t handoff=%t from=%t page=%t", len(c.Pools), c.Claims != nil, c.Invoke != nil, c.From != nil, c.PageURL != "")
}
