package once_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/once"
)

func client(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:           "eu-west-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
}

// table creates the table as template.yaml does, in moto, once per test.
func table(t *testing.T, db *dynamodb.Client, name string) {
	t.Helper()
	ctx := context.Background()
	_, err := db.CreateTable(ctx, once.CreateTableInput(name))
	require.NoError(t, err)
	_, err = db.UpdateTimeToLive(ctx, once.TimeToLiveInput(name))
	require.NoError(t, err)
}

// clock is a settable time.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestClaim(t *testing.T) {
	endpoint := moto.Start(t)
	db := client(endpoint)
	ctx := context.Background()
	start := time.Date(2025, 3, 14, 10, 21, 7, 0, time.UTC)

	// Each case gets its own table and clock: cases do not see each
	// other's claims.
	type step struct {
		do      string // claim, mark, release, wait
		wait    time.Duration
		outcome once.Outcome // for claim
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"a second claim of the same id is refused while the first sends", []step{
			{do: "claim", outcome: once.Claimed}, {do: "claim", outcome: once.InFlight},
		}},
		{"a claim marked done is refused", []step{
			{do: "claim", outcome: once.Claimed}, {do: "mark"}, {do: "claim", outcome: once.Done},
			{do: "wait", wait: time.Hour}, {do: "claim", outcome: once.Done},
		}},
		{"release lets a retry claim", []step{
			{do: "claim", outcome: once.Claimed}, {do: "release"}, {do: "claim", outcome: once.Claimed},
		}},
		{"release after done keeps it done", []step{
			{do: "claim", outcome: once.Claimed}, {do: "mark"}, {do: "release"}, {do: "claim", outcome: once.Done},
		}},
		{"release of nothing is no error", []step{{do: "release"}, {do: "claim", outcome: once.Claimed}}},
		{"a fresh sending claim is not taken over", []step{
			{do: "claim", outcome: once.Claimed}, {do: "wait", wait: once.DefaultStale - time.Second}, {do: "claim", outcome: once.InFlight},
		}},
		{"a stale sending claim is taken over", []step{
			{do: "claim", outcome: once.Claimed}, {do: "wait", wait: once.DefaultStale + time.Second}, {do: "claim", outcome: once.Claimed},
			{do: "claim", outcome: once.InFlight},
		}},
		{"an expired claim counts as gone before DynamoDB deletes it", []step{
			{do: "claim", outcome: once.Claimed}, {do: "mark"}, {do: "wait", wait: once.DefaultTTL + time.Second}, {do: "claim", outcome: once.Claimed},
		}},
	}
	for i, c := range cases {
		t.Run("case="+c.name, func(t *testing.T) {
			name := "cogmail-notify-" + strconv.Itoa(i)
			table(t, db, name)
			clk := &clock{start}
			s := &once.Store{DB: db, Table: name, Now: clk.now}
			const id = "ct#f37963de-686e-4f33-8fb1-0cacf28cc7a8"
			for j, st := range c.steps {
				switch st.do {
				case "claim":
					got, err := s.Claim(ctx, id)
					require.NoError(t, err)
					assert.Equal(t, st.outcome, got, "step %d", j)
				case "mark":
					require.NoError(t, s.Mark(ctx, id))
				case "release":
					require.NoError(t, s.Release(ctx, id))
				case "wait":
					clk.t = clk.t.Add(st.wait)
				}
			}
		})
	}

	t.Run("case=the item carries its TTL in epoch seconds", func(t *testing.T) {
		table(t, db, "cogmail-notify-ttl")
		s := &once.Store{DB: db, Table: "cogmail-notify-ttl", Now: func() time.Time { return start }}
		_, err := s.Claim(ctx, "pc#r1")
		require.NoError(t, err)
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String("cogmail-notify-ttl"),
			Key:       map[string]types.AttributeValue{once.AttrID: &types.AttributeValueMemberS{Value: "pc#r1"}},
		})
		require.NoError(t, err)
		exp, ok := out.Item[once.AttrExpiresAt].(*types.AttributeValueMemberN)
		require.True(t, ok, "expiresAt must be a number: %#v", out.Item)
		assert.Equal(t, strconv.FormatInt(start.Add(48*time.Hour).Unix(), 10), exp.Value)
		ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("cogmail-notify-ttl")})
		require.NoError(t, err)
		assert.Equal(t, once.AttrExpiresAt, aws.ToString(ttl.TimeToLiveDescription.AttributeName))
	})

	t.Run("case=a missing table is an error, not a claim", func(t *testing.T) {
		s := &once.Store{DB: db, Table: "no-such-table"}
		_, err := s.Claim(ctx, "pc#r2")
		require.Error(t, err)
	})
}

func TestClaimUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	s := &once.Store{DB: client(url), Table: "cogmail-notify"}
	_, err := s.Claim(context.Background(), "pc#r1")
	require.Error(t, err)
	require.Error(t, s.Mark(context.Background(), "pc#r1"))
	require.Error(t, s.Release(context.Background(), "pc#r1"))
}
