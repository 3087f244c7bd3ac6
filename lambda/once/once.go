// Package once keeps a piece of work from being done twice when its event
// arrives twice (a Lambda or EventBridge retry, a replay): a claim per event
// id in a DynamoDB table that every instance shares.
//
// The table's key is `id` (S); its TTL attribute `expiresAt` (epoch seconds)
// lets DynamoDB drop old claims. DynamoDB deletes expired items late (up to
// days), so a claim also counts as gone once expiresAt has passed.
//
// A claim is `sending` while its holder works and `sent` once done. A holder
// that fails releases its claim, so that a retry can claim again; one that
// dies without a word (a timeout, a crash) leaves a `sending` claim that a
// later attempt takes over once it is older than Stale.
package once

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDB is the part of the DynamoDB API a Store calls (*dynamodb.Client).
type DynamoDB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Attribute names and states, as the table holds them.
const (
	AttrID        = "id"        // the key (S)
	AttrExpiresAt = "expiresAt" // the TTL attribute (N, epoch seconds)
	attrState     = "state"
	attrClaimedAt = "claimedAt" // N, epoch milliseconds

	stateSending = "sending"
	stateSent    = "sent"
)

// Defaults of a Store's durations.
const (
	// DefaultTTL is how long a claim is kept: longer than any retry
	// (Lambda's async retries end within hours, EventBridge's within 24).
	DefaultTTL = 48 * time.Hour
	// DefaultStale is when a `sending` claim is taken to be abandoned. It
	// must outlast one attempt (the function's timeout), or two attempts
	// could send at once, and be short enough that Lambda's retries (about
	// 1 and 2 minutes apart) find it abandoned.
	DefaultStale = 2 * time.Minute
)

// Store claims ids in one table.
type Store struct {
	DB    DynamoDB
	Table string
	TTL   time.Duration    // 0: DefaultTTL
	Stale time.Duration    // 0: DefaultStale
	Now   func() time.Time // nil: time.Now
}

// Outcome is what Claim found.
type Outcome int

const (
	// Claimed: the id is this caller's to work on.
	Claimed Outcome = iota
	// Done: the work was done already.
	Done
	// InFlight: another attempt holds a fresh claim and is working on it
	// now; it will mark it done or release it.
	InFlight
)

func (o Outcome) String() string {
	return [...]string{"claimed", "done", "in-flight"}[o]
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Store) ttl() time.Duration {
	if s.TTL <= 0 {
		return DefaultTTL
	}
	return s.TTL
}

func (s *Store) stale() time.Duration {
	if s.Stale <= 0 {
		return DefaultStale
	}
	return s.Stale
}

// Claim takes id for the caller: a conditional put that succeeds when no
// claim exists, the claim expired, or it is a `sending` claim older than
// Stale. Otherwise it reports whether the work is Done or InFlight. Its
// error is DynamoDB's (unreachable, throttled): the caller may try again.
func (s *Store) Claim(ctx context.Context, id string) (Outcome, error) {
	now := s.now()
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table),
		Item: map[string]types.AttributeValue{
			AttrID:        &types.AttributeValueMemberS{Value: id},
			attrState:     &types.AttributeValueMemberS{Value: stateSending},
			attrClaimedAt: number(now.UnixMilli()),
			AttrExpiresAt: number(now.Add(s.ttl()).Unix()),
		},
		ConditionExpression: aws.String("attribute_not_exists(#id) OR #exp < :now OR (#state = :sending AND #claimed < :stale)"),
		ExpressionAttributeNames: map[string]string{
			"#id": AttrID, "#exp": AttrExpiresAt, "#state": attrState, "#claimed": attrClaimedAt,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now":     number(now.Unix()),
			":sending": &types.AttributeValueMemberS{Value: stateSending},
			":stale":   number(now.Add(-s.stale()).UnixMilli()),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return Claimed, nil
	case errors.As(err, &failed):
		if st, ok := failed.Item[attrState].(*types.AttributeValueMemberS); ok && st.Value == stateSending {
			return InFlight, nil
		}
		return Done, nil
	default:
		return 0, err
	}
}

// Mark records id as done: later claims find it Done until it expires.
func (s *Store) Mark(ctx context.Context, id string) error {
	now := s.now()
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table),
		Item: map[string]types.AttributeValue{
			AttrID:        &types.AttributeValueMemberS{Value: id},
			attrState:     &types.AttributeValueMemberS{Value: stateSent},
			attrClaimedAt: number(now.UnixMilli()),
			AttrExpiresAt: number(now.Add(s.ttl()).Unix()),
		},
	})
	return err
}

// Release drops the caller's `sending` claim on id, so that a retry can
// claim it; a claim already marked done stays.
func (s *Store) Release(ctx context.Context, id string) error {
	_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       map[string]types.AttributeValue{AttrID: &types.AttributeValueMemberS{Value: id}},
		ConditionExpression:       aws.String("#state = :sending"),
		ExpressionAttributeNames:  map[string]string{"#state": attrState},
		ExpressionAttributeValues: map[string]types.AttributeValue{":sending": &types.AttributeValueMemberS{Value: stateSending}},
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return nil // gone already, or done: nothing to release
	}
	return err
}

func number(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// CreateTableInput is the table a Store needs, as template.yaml declares it
// (key `id` of type S, on-demand), for tests and the local stack; enable its
// TTL with TimeToLiveInput.
func CreateTableInput(table string) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(AttrID), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(AttrID), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}
}

// TimeToLiveInput turns on the table's TTL on AttrExpiresAt.
func TimeToLiveInput(table string) *dynamodb.UpdateTimeToLiveInput {
	return &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(AttrExpiresAt), Enabled: aws.Bool(true)},
	}
}
