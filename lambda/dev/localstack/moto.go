package localstack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/cogmail/cogmail/lambda/dev/lambdaapi"
	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// What the stack creates in moto_server for the notifier and the sender.
const (
	// NotifyTable is the notifier's idempotency table: key id (S), TTL
	// expiresAt.
	NotifyTable = "cogmail-notify"
	// DLQName is the notifier's dead-letter queue.
	DLQName = "cogmail-notifier-dlq"
	// SenderTable is the sender's idempotency table, of the same shape.
	SenderTable = "cogmail-sender"
	// SenderDLQName is the sender's dead-letter queue.
	SenderDLQName = "cogmail-sender-dlq"
	// KMSAlias names the key cognito-local encrypts the codes under.
	KMSAlias = "alias/cogmail-local"
)

// startMoto runs moto_server on its port and waits until it answers.
func (s *Stack) startMoto(ctx context.Context, o Options) error {
	path, err := moto.Find()
	if err != nil {
		return err
	}
	p, err := startProc("moto", append([]string{path}, moto.Args(strconv.Itoa(s.Moto.Port))...), s.State, baseEnv(), o.Output, s.logFile("moto.log"))
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	// Idle, moto_server answers within a few seconds.
	wait, cancel := context.WithTimeout(ctx, patience.For(5*time.Second))
	defer cancel()
	if err := moto.Await(wait, s.Moto.Endpoint, p.exited); err != nil {
		return fmt.Errorf("%w; its output ends:\n%s", err, p.out.tail())
	}
	return nil
}

// provision creates what the functions need in moto_server: an SES
// identity for every domain of every overlay tenant's sender (and their
// configuration sets), since moto's SES refuses a sender it does not know,
// as SES refuses an unverified one; for the notifier and for the sender
// each, an idempotency table and a dead-letter queue; for the sender, the
// KMS key and its alias.
func (s *Stack) provision(ctx context.Context, o Options) error {
	domains, err := s.provisionSES(ctx)
	if err != nil {
		return err
	}
	if o.Notifier != "" {
		if s.Notifier.DLQ, err = s.provisionFunction(ctx, NotifyTable, DLQName); err != nil {
			return err
		}
		s.Notifier.Table, s.Notifier.Domains = NotifyTable, domains
	}
	if o.Sender != "" {
		if s.Sender.DLQ, err = s.provisionFunction(ctx, SenderTable, SenderDLQName); err != nil {
			return err
		}
		kms := moto.KMS{Endpoint: s.Moto.Endpoint, Region: Region}
		key, err := kms.CreateKey(ctx, "cogmail local: Cognito's custom sender codes")
		if err != nil {
			return err
		}
		if err := kms.CreateAlias(ctx, KMSAlias, key.ID); err != nil {
			return err
		}
		s.Sender.Table, s.Sender.Domains = SenderTable, domains
		s.Sender.KMSKeyARN, s.Sender.KMSKeyAlias = key.ARN, KMSAlias
	}
	return nil
}

// provisionFunction creates a function's idempotency table (see package
// once) and its dead-letter queue, and returns the queue's URL.
func (s *Stack) provisionFunction(ctx context.Context, table, dlq string) (string, error) {
	creds := credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, "")
	db := dynamodb.New(dynamodb.Options{Region: Region, BaseEndpoint: aws.String(s.Moto.Endpoint), Credentials: creds})
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []dbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: dbtypes.ScalarAttributeTypeS}},
		KeySchema:            []dbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: dbtypes.KeyTypeHash}},
		BillingMode:          dbtypes.BillingModePayPerRequest,
	}); err != nil {
		return "", fmt.Errorf("create table %s: %w", table, err)
	}
	if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(table),
		TimeToLiveSpecification: &dbtypes.TimeToLiveSpecification{AttributeName: aws.String("expiresAt"), Enabled: aws.Bool(true)},
	}); err != nil {
		return "", fmt.Errorf("TTL of table %s: %w", table, err)
	}
	return (lambdaapi.SQS{Region: Region}).CreateQueue(ctx, s.Moto.Endpoint, dlq)
}

// provisionSES verifies the overlay tenants' sender domains and creates
// their configuration sets; it returns the domains.
func (s *Stack) provisionSES(ctx context.Context) ([]string, error) {
	ses := NewSES(s.Moto.Endpoint)
	domains, sets, err := senders(s.Overlay)
	if err != nil {
		return nil, err
	}
	for _, d := range domains {
		if _, err := ses.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(d)}); err != nil {
			return nil, fmt.Errorf("SES identity %s: %w", d, err)
		}
	}
	for _, set := range sets {
		if _, err := ses.CreateConfigurationSet(ctx, &sesv2.CreateConfigurationSetInput{ConfigurationSetName: aws.String(set)}); err != nil {
			return nil, fmt.Errorf("SES configuration set %s: %w", set, err)
		}
	}
	return domains, nil
}

// NewSES returns an SES v2 client for moto_server at endpoint, with dummy
// credentials: tests use it to withdraw an identity.
func NewSES(endpoint string) *sesv2.Client {
	return sesv2.New(sesv2.Options{Region: Region, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, "")})
}

// senders lists the overlay tenants' sender domains and configuration sets,
// each once, sorted.
func senders(overlay string) (domains, sets []string, err error) {
	all, err := tenant.NewStore(os.DirFS(overlay)).LoadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", filepath.Join(overlay, "tenants"), err)
	}
	for _, tn := range all {
		if tn.Sender == nil {
			continue
		}
		for _, d := range tn.Sender.Domains {
			domains = append(domains, strings.ToLower(d))
		}
		if tn.Sender.ConfigurationSet != "" {
			sets = append(sets, tn.Sender.ConfigurationSet)
		}
	}
	slices.Sort(domains)
	slices.Sort(sets)
	return slices.Compact(domains), slices.Compact(sets), nil
}
