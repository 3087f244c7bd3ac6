package sender

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	"github.com/cogmail/cogmail/lambda/once"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// Environment variables Setup reads besides the keys package's
// (COGMAIL_KEYS_SECRET_ARN, COGMAIL_SIGNING_KEYS) and the AWS SDK's
// (credentials, AWS_REGION, AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL_SESV2,
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER).
const (
	// EnvKeyARN is the full ARN of the user pool's KMS key (the pool's
	// LambdaConfig.KMSKeyID): not an alias, which the strict keyring
	// refuses.
	EnvKeyARN = "COGMAIL_KMS_KEY_ARN"
	// EnvTable is the DynamoDB table of claims (key id, TTL expiresAt);
	// unset: no idempotency.
	EnvTable = "COGMAIL_SENDER_TABLE"
	// EnvFrom is the default tenant's sender, as the notifier's.
	EnvFrom = mailfrom.EnvFrom

	envPageURL         = "COGMAIL_PAGE_URL"
	envTenantAttribute = "COGMAIL_TENANT_ATTRIBUTE"
)

// NewDecrypter makes the Decrypter for a KMS key ARN from the AWS
// configuration: lambda/codes.New in the function, which alone links the
// Encryption SDK.
type NewDecrypter func(cfg aws.Config, keyARN string) (Decrypter, error)

// Setup builds the sender the Lambda runs, from the environment (pass
// keys.Getenv). It never fails: what does not load is logged, and the
// emails it affects fail, logged, and wait in the dead-letter queue.
func Setup(ctx context.Context, getenv func(string) string, logger *slog.Logger, decrypter NewDecrypter) *Sender {
	return New(Configure(ctx, getenv, logger, decrypter))
}

// Configure is Setup's configuration, for a caller that changes some of it
// before New (`cogmail render` decrypts, sends and claims nothing). A nil
// decrypter leaves Config.Decrypter nil.
func Configure(ctx context.Context, getenv func(string) string, logger *slog.Logger, decrypter NewDecrypter) Config {
	waitKeys := keyring.Start(ctx, getenv, logger, withoutKey)

	inLambda := keys.InLambda(getenv)
	cfg := Config{Logger: logger, TenantAttribute: getenv(envTenantAttribute), InLambda: inLambda,
		MetricsNamespace: getenv(metrics.EnvNamespace)}
	var err error
	if cfg.Renderer, err = render.Open(templates.FS); err != nil {
		logger.Error("templates failed to load; no email can be written", "error", err.Error())
		cfg.Renderer, cfg.RendererErr = nil, err
	}
	cfg.Tenants = tenant.NewStore(tenantenv.Layers(getenv)...)
	renderer := cfg.Renderer
	tenantenv.Remote(cfg.Tenants, renderer, metrics.FunctionSender, getenv, logger, func(t *tenant.Tenant) error { return accept.Sent(renderer, t) })
	if cfg.PageURL, err = tenantenv.PageBase(getenv(envPageURL), inLambda, pageReset); err != nil {
		logger.Error(envPageURL+" is not used: the default tenant keeps its own links", "error", err.Error())
	}
	if cfg.From, err = mailfrom.Parse(getenv(EnvFrom)); err != nil {
		logger.Error(EnvFrom+" is not used", "error", err.Error())
	}

	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		logger.Error("the AWS configuration failed to load: no email can be sent", "error", err.Error())
		cfg.DecrypterErr = err
	} else {
		cfg.SES = sesv2.NewFromConfig(awsCfg)
		cfg.Users = cip.NewFromConfig(awsCfg)
		if table := strings.TrimSpace(getenv(EnvTable)); table != "" {
			cfg.Claims = &once.Store{DB: dynamodb.NewFromConfig(awsCfg), Table: table}
		} else if inLambda {
			logger.Warn(EnvTable + " is not set: a retried event may send its email twice")
		}
		if decrypter != nil {
			keyARN := strings.TrimSpace(getenv(EnvKeyARN))
			if keyARN == "" {
				cfg.DecrypterErr = fmt.Errorf("%s is not set", EnvKeyARN)
			} else {
				cfg.Decrypter, cfg.DecrypterErr = decrypter(awsCfg, keyARN)
			}
			if cfg.DecrypterErr != nil {
				cfg.Decrypter = nil
				logger.Error("no code can be decrypted: every email but the takeover notice fails until "+EnvKeyARN+" names the pool's key",
					"error", cfg.DecrypterErr.Error())
			}
		}
	}

	cfg.Keyring, cfg.RetryKeys = waitKeys()
	logger.Info("custom email sender ready", "config", cfg.String())
	return cfg
}

// String describes the configuration for the cold-start log line: no
// secrets, no addresses.
func (c Config) String() string {
	return fmt.Sprintf("decrypt=%t table=%t from=%t page=%t", c.Decrypter != nil, c.Claims != nil, c.From != nil, c.PageURL != "")
}
