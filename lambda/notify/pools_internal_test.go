package notify

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A wrapper's userPools: pool ids kept once each, anything else counted,
// never kept.
func TestEventPools(t *testing.T) {
	for _, c := range []struct {
		name, raw string
		pools     []string
		bad       int
	}{
		{"absent", ``, nil, 0},
		{"null", `null`, nil, 0},
		{"empty", `[]`, nil, 0},
		{"pools", `["eu-west-1_Ab12Cd34E","us-east-1_Xy98Zw76V"]`, []string{"eu-west-1_Ab12Cd34E", "us-east-1_Xy98Zw76V"}, 0},
		{"cognito-local's", `["local_5e6c0d1b"]`, []string{"local_5e6c0d1b"}, 0},
		{"repeated and padded", `["eu-west-1_Ab12Cd34E"," eu-west-1_Ab12Cd34E "]`, []string{"eu-west-1_Ab12Cd34E"}, 0},
		{"empty slots skipped", `["", "  ", "eu-west-1_Ab12Cd34E"]`, []string{"eu-west-1_Ab12Cd34E"}, 0},
		{"not pool ids", `["eu-west-1", "_Ab12", "eu-west-1_", "eu-west-1_Ab/12", "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Ab12Cd34E"]`, nil, 5},
		{"not strings", `[42, null, true, {"id":"eu-west-1_Ab12Cd34E"}, ["eu-west-1_Ab12Cd34E"], "eu-west-1_Ab12Cd34E"]`, []string{"eu-west-1_Ab12Cd34E"}, 5},
		{"a string, not a list", `"eu-west-1_Ab12Cd34E"`, nil, 1},
		{"an object", `{"eu-west-1_Ab12Cd34E": true}`, nil, 1},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			pools, bad := eventPools(json.RawMessage(c.raw))
			assert.Equal(t, c.pools, pools)
			assert.Equal(t, c.bad, bad)
		})
	}
}

// The pools served for an event: the environment's first, then the
// wrapper's, once each.
func TestServed(t *testing.T) {
	n := New(Config{Pools: []string{"eu-west-1_Ab12Cd34E", "eu-west-1_Mn34Pq56R"}})
	assert.Equal(t, []string{"eu-west-1_Ab12Cd34E", "eu-west-1_Mn34Pq56R"}, n.served(input{}))
	assert.Equal(t, []string{"eu-west-1_Ab12Cd34E", "eu-west-1_Mn34Pq56R", "us-east-1_Xy98Zw76V"},
		n.served(input{pools: []string{"eu-west-1_Mn34Pq56R", "us-east-1_Xy98Zw76V"}}))
	assert.Equal(t, []string{"us-east-1_Xy98Zw76V"}, New(Config{}).served(input{pools: []string{"us-east-1_Xy98Zw76V"}}))
	assert.Equal(t, []string{"eu-west-1_Ab12Cd34E", "eu-west-1_Mn34Pq56R"}, n.cfg.Pools, "the environment's list is not changed")
}
